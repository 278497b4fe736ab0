import 'reflect-metadata';
import { INestApplication, LoggerService, ModuleMetadata, Module, Type } from '@nestjs/common';
import { BackgroundJob, stopJobs } from '@bhyt/jobs';
import type { DeclaredConsumer } from './injectables';
import { NestFactory } from '@nestjs/core';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { Logger } from '@bhyt/observability';
import { PlatformModule } from './platform.module';
import { ServiceRuntime } from './runtime';
import { stopTracing } from './tracing';
import { HttpErrorFilter } from './http-errors';
import { FacilityPathGuard } from './facility-guard';
import { HttpTracingInterceptor } from './http-tracing';
import { AuthGuard, authSettingsFromEnv, TOKEN_ISSUER, TokenController, TokenIssuer } from '@bhyt/auth';
import { AuditLog } from '@bhyt/audit';

class PinoNestLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}
  log(message: unknown, context?: string) {
    this.logger.info({ context }, String(message));
  }
  error(message: unknown, trace?: string, context?: string) {
    this.logger.error({ context, trace }, String(message));
  }
  warn(message: unknown, context?: string) {
    this.logger.warn({ context }, String(message));
  }
  debug(message: unknown, context?: string) {
    this.logger.debug({ context }, String(message));
  }
  verbose(message: unknown, context?: string) {
    this.logger.trace({ context }, String(message));
  }
}

export interface BootstrapOptions {
  runtime: ServiceRuntime;
  port: number;
  host?: string;
  /** The service's own controllers and providers. */
  module: ModuleMetadata;
  /**
   * Kafka consumers, as providers implementing DeclaredConsumer: started in this order once HTTP
   * listens (after afterStart), stopped with the runtime.
   */
  consumers?: Array<Type<DeclaredConsumer>>;
  /**
   * Background jobs, as providers extending BackgroundJob: started in this order after the
   * consumers, stopped in the reverse order before them (after beforeStop).
   */
  jobs?: Array<Type<BackgroundJob>>;
  /** Work to do once the runtime is up, before the declared consumers and jobs start. */
  afterStart?: (app: INestApplication) => Promise<void>;
  /** Work to stop before the runtime stops (schedulers). */
  beforeStop?: () => Promise<void>;
  /** A stop that takes longer than this exits forcibly (default 25 s; gateway-sync waits for gateway calls). */
  shutdownTimeoutMs?: number;
  openApi?: { title: string; description: string };
}

/** Runs the steps one after the other; a failing step is reported and the next still runs. */
export async function stopInOrder(
  steps: Array<[string, () => Promise<unknown>]>,
  onError: (step: string, err: unknown) => void,
): Promise<void> {
  for (const [name, run] of steps) {
    try {
      await run();
    } catch (err) {
      onError(name, err);
    }
  }
}

/**
 * Starts one service: runtime (database + migrations, producer, outbox relay), HTTP (health,
 * metrics, the service's API), then consumers. SIGTERM/SIGINT stop it gracefully, in the reverse
 * order: HTTP, background jobs, consumers, producer, pool.
 */
export async function bootstrapService(options: BootstrapOptions): Promise<INestApplication> {
  const { runtime } = options;
  const logger = runtime.logger;
  process.on('unhandledRejection', (reason) => logger.error({ error: reason }, 'unhandled rejection'));
  // Authentication settings first: a bad key or client registry stops the service before it serves.
  const auth = authSettingsFromEnv();
  if (auth.verificationKeys.size === 0)
    logger.warn(
      'no token verification keys (AUTH_JWT_PUBLIC_KEYS): every API call except probes will be refused',
    );
  await runtime.start();
  // The token endpoint lives where the signing key and client registry are mounted (intake by default).
  const issuing = auth.issuing
    ? {
        controllers: [TokenController],
        providers: [
          {
            provide: TOKEN_ISSUER,
            useValue: new TokenIssuer(auth.issuing.clients, auth.issuing.signer, {
              issuer: auth.issuer,
              audience: auth.audience,
              ttlSeconds: auth.tokenTtlSeconds,
            }),
          },
        ],
      }
    : { controllers: [], providers: [] };

  @Module({
    imports: [PlatformModule.forRuntime(runtime), ...(options.module.imports ?? [])],
    controllers: [...issuing.controllers, ...(options.module.controllers ?? [])],
    providers: [
      ...issuing.providers,
      ...(options.module.providers ?? []),
      ...(options.consumers ?? []),
      ...(options.jobs ?? []),
    ],
  })
  class ServiceModule {}

  const app = await NestFactory.create(ServiceModule, {
    logger: new PinoNestLogger(logger),
    bufferLogs: false,
  });
  app.useGlobalFilters(new HttpErrorFilter(logger));
  app.useGlobalInterceptors(new HttpTracingInterceptor());
  // Every route but probes, metrics, docs and the token endpoint needs a token and a policy rule;
  // each decision is appended to the service's hash-chained audit log before the request is served.
  const audit = new AuditLog(runtime.ds);
  app.useGlobalGuards(
    new FacilityPathGuard(runtime.facilities),
    new AuthGuard(
      auth,
      (record) => audit.append(record),
      (err) => logger.error({ error: err }, 'audit log append failed'),
    ),
  );
  // No app.enableShutdownHooks(): we handle SIGTERM/SIGINT ourselves to order the shutdown. (Nest's
  // hooks with [] listen to EVERY signal and re-raise it, killing the process mid-shutdown.)
  if (options.openApi) {
    const doc = SwaggerModule.createDocument(
      app,
      new DocumentBuilder()
        .setTitle(options.openApi.title)
        .setDescription(options.openApi.description)
        .setVersion('1')
        .build(),
    );
    SwaggerModule.setup('docs', app, doc, { jsonDocumentUrl: 'docs/openapi.json' });
  }
  await app.listen(options.port, options.host ?? '127.0.0.1');
  await options.afterStart?.(app);
  for (const consumer of options.consumers ?? []) await runtime.consume(app.get(consumer).consumerSpec());
  const jobs = (options.jobs ?? []).map((job) => app.get(job));
  for (const job of jobs) job.start();
  logger.info({ port: options.port }, `${runtime.name} started`);

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutdown requested');
    const force = setTimeout(() => process.exit(1), options.shutdownTimeoutMs ?? 25000);
    force.unref();
    try {
      await stopInOrder(
        [
          // No new requests (Kubernetes' preStop has already taken the pod out of its Service);
          // those in progress finish while the pool is still open.
          ['http', () => app.close()],
          [
            'background jobs',
            async () => {
              await options.beforeStop?.();
              await stopJobs(jobs, (error, job) => logger.warn({ job, error }, 'background job stop failed'));
            },
          ],
          // Consumers, then the outbox relay and the producer, then the pool (ServiceRuntime.stop).
          ['runtime', () => runtime.stop()],
          ['tracing', () => stopTracing()],
        ],
        (step, err) => logger.warn({ step, error: err }, 'shutdown step failed'),
      );
    } finally {
      process.exit(0);
    }
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
  return app;
}
