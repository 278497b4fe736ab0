import { Controller, DynamicModule, Get, Global, Inject, Module, Res } from '@nestjs/common';
import type { Response } from 'express';
import { metricsRegistry } from '@bhyt/observability';
import { ServiceRuntime } from './runtime';
import {
  DATA_SOURCE,
  EVENT_PUBLISHER,
  FACILITY_REGISTRY,
  HEALTH_CHECKS,
  HealthChecks,
  LOGGER,
  REPEATABLE_TRANSACTION,
} from './injectables';

export const RUNTIME = Symbol('ServiceRuntime');

@Controller()
class HealthController {
  constructor(@Inject(RUNTIME) private readonly runtime: ServiceRuntime) {}

  /**
   * Liveness: the process answers and can still heal itself. Never depends on systems that come
   * back on their own (no restart storms); see ServiceRuntime.addLivenessCheck.
   */
  @Get('health/live')
  live(@Res() res: Response) {
    const l = this.runtime.live();
    res
      .status(l.live ? 200 : 503)
      .json({ status: l.live ? 'ok' : 'failing', service: this.runtime.name, checks: l.checks });
  }

  /** Readiness: database, Kafka and (for the signer) the HSM are reachable. */
  @Get('health/ready')
  async ready(@Res() res: Response) {
    const r = await this.runtime.readiness();
    res
      .status(r.ready ? 200 : 503)
      .json({ status: r.ready ? 'ready' : 'not-ready', service: this.runtime.name, checks: r.checks });
  }

  @Get('metrics')
  async metrics(@Res() res: Response) {
    res.setHeader('Content-Type', metricsRegistry.contentType);
    res.send(await metricsRegistry.metrics());
  }
}

@Global()
@Module({})
export class PlatformModule {
  static forRuntime(runtime: ServiceRuntime): DynamicModule {
    return {
      module: PlatformModule,
      controllers: [HealthController],
      providers: [
        { provide: RUNTIME, useValue: runtime },
        { provide: ServiceRuntime, useValue: runtime },
        // Factories, not values: the runtime opens its database in start(), before the module is built.
        { provide: DATA_SOURCE, useFactory: () => runtime.ds },
        { provide: REPEATABLE_TRANSACTION, useFactory: () => runtime.tx },
        { provide: LOGGER, useValue: runtime.logger },
        { provide: FACILITY_REGISTRY, useValue: runtime.facilities },
        { provide: EVENT_PUBLISHER, useValue: runtime.publisher },
        {
          provide: HEALTH_CHECKS,
          useValue: {
            addReadinessCheck: (name, check) => runtime.addReadinessCheck(name, check),
            addLivenessCheck: (name, alive) => runtime.addLivenessCheck(name, alive),
          } satisfies HealthChecks,
        },
      ],
      exports: [
        RUNTIME,
        ServiceRuntime,
        DATA_SOURCE,
        REPEATABLE_TRANSACTION,
        LOGGER,
        FACILITY_REGISTRY,
        EVENT_PUBLISHER,
        HEALTH_CHECKS,
      ],
    };
  }
}
