import { startTracing } from '@bhyt/service-kit';
startTracing('gateway-sync');

import { GatewayClient, secretSourceAccountResolver } from '@bhyt/gateway-client';
import {
  bootstrapService,
  DATA_SOURCE,
  LOGGER,
  REPEATABLE_TRANSACTION,
  ServiceRuntime,
  type DataSource,
  type Logger,
  type RepeatableTransaction,
} from '@bhyt/service-kit';
import { deadlinePolicy } from '@bhyt/submission-policy';
import { readSecret } from '@bhyt/config';
import { reportCircuitState } from '@bhyt/observability';
import { loadGatewaySyncConfig, shutdownTimeoutMs } from './config';
import { DeadlineMonitor } from './deadline-monitor';
import { GATEWAY_SYNC_MIGRATIONS } from './migrations';
import { ExactlyOnceController, OperatorController } from './operator.controller';
import { ResultPoller } from './result-poller';
import { SubmissionScheduler } from './scheduler';
import { SubmissionStore } from './submission.store';
import { CheckinSignedConsumer, ClaimSignedConsumer, SubmissionIntakeDeps } from './submission-intake';
import { DEADLINE_POLICY, GATEWAY_SYNC_CONFIG, SCHEDULER, SUBMISSION_STORE } from './tokens';

async function main() {
  const config = loadGatewaySyncConfig();
  const runtime = new ServiceRuntime({
    service: 'gatewaySync',
    migrations: GATEWAY_SYNC_MIGRATIONS,
    databaseUrl: config.DATABASE_URL,
    database: config.DATABASE_NAME,
    poolSize: config.DB_POOL_SIZE,
  });
  const policy = deadlinePolicy(config.GATEWAY_WINDOW_HOURS, config.GATEWAY_AT_RISK_FRACTION);
  const client = new GatewayClient({
    baseUrl: config.GATEWAY_URL,
    endpointFamily: config.GATEWAY_ENDPOINT_FAMILY,
    totalTimeoutMs: config.GATEWAY_TIMEOUT_MS,
    // Per-facility accounts from secrets (BHYT_GATEWAY_<facility>_USERNAME / _PASSWORD_MD5); no default account.
    accounts: secretSourceAccountResolver({ get: (name) => readSecret(name) }),
    logger: { info: (o, m) => runtime.logger.info(o, m), warn: (o, m) => runtime.logger.warn(o, m) },
    ...(config.GATEWAY_SIMULATOR_ADMIN_URL
      ? { simulatorAdminBaseUrl: config.GATEWAY_SIMULATOR_ADMIN_URL }
      : {}),
  });
  let scheduler: SubmissionScheduler | undefined;
  await bootstrapService({
    runtime,
    port: config.HTTP_PORT,
    host: config.HTTP_HOST,
    module: {
      controllers: [OperatorController, ExactlyOnceController],
      providers: [
        {
          provide: SUBMISSION_STORE,
          useFactory: (ds: DataSource) => new SubmissionStore(ds),
          inject: [DATA_SOURCE],
        },
        {
          provide: SCHEDULER,
          useFactory: (store: SubmissionStore, tx: RepeatableTransaction, logger: Logger) =>
            new SubmissionScheduler({ store, tx, logger, client, config }),
          inject: [SUBMISSION_STORE, REPEATABLE_TRANSACTION, LOGGER],
        },
        { provide: GATEWAY_SYNC_CONFIG, useValue: config },
        { provide: DEADLINE_POLICY, useValue: policy },
        SubmissionIntakeDeps,
      ],
    },
    consumers: [ClaimSignedConsumer, CheckinSignedConsumer],
    // The result poller runs only against the simulator (the real gateway has no result API).
    jobs: [DeadlineMonitor, ...(config.GATEWAY_SIMULATOR_ADMIN_URL ? [ResultPoller] : [])],
    openApi: { title: 'Gateway sync — operator API', description: 'Claims on their way to the BHYT gateway' },
    // A stop waits for gateway calls in flight (the scheduler's grace), then the runtime's own stop.
    shutdownTimeoutMs: shutdownTimeoutMs(config),
    afterStart: async (app) => {
      const s = (scheduler = app.get<SubmissionScheduler>(SCHEDULER));
      reportCircuitState(() => s.breaker.state !== 'closed');
      await s.sweep();
      s.start();
    },
    beforeStop: async () => {
      await scheduler?.stop();
    },
  });
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
