import { startTracing } from '@bhyt/service-kit';
startTracing('encounter');

import { Topics } from '@bhyt/contracts';
import { bootstrapService, ServiceRuntime } from '@bhyt/service-kit';
import { loadEncounterConfig } from './config';
import { visitRegisteredHandler, wardEventHandler } from './consumers';
import { EncounterService, RECEIPT_POLICY } from './encounter.service';
import { EncounterOperationsController } from './encounter-operations.controller';
import { EncountersController } from './encounters.controller';
import { Encounters1700000000200 } from './migrations/1700000000200-encounters';
import { CheckinsHealthBook1700000000201 } from './migrations/1700000000201-checkins-health-book';
import { ParkedWardEventOrigin1700000000202 } from './migrations/1700000000202-parked-ward-event-origin';
import { WardEventReceipt1700000000203 } from './migrations/1700000000203-ward-event-receipt';
import { HealthBookController } from './health-book.controller';
import { HealthBookService } from './health-book.service';
import { HealthBookStore } from './health-book.store';
import {
  PARKED_WARD_EVENTS_OPTIONS,
  ParkedWardEvents,
  type ParkedWardEventsOptions,
} from './parked-ward-events';
import { ParkedWardEventStore } from './parked-ward-event.store';
import { ParkedWardEventsController } from './parked-ward-events.controller';

/** The consumer that parks ward events; its group (bhyt-<service>-<name>) names their dead letters. */
const WARD_EVENTS_CONSUMER = 'ward-events';

async function main() {
  const config = loadEncounterConfig();
  const runtime = new ServiceRuntime({
    service: 'encounter',
    migrations: [
      Encounters1700000000200,
      CheckinsHealthBook1700000000201,
      ParkedWardEventOrigin1700000000202,
      WardEventReceipt1700000000203,
    ],
    databaseUrl: config.DATABASE_URL,
    database: config.DATABASE_NAME,
    poolSize: config.DB_POOL_SIZE,
  });
  const receipt = { clockToleranceMs: config.CLOCK_TOLERANCE_MINUTES * 60_000 };
  const parked: ParkedWardEventsOptions = {
    maxAgeMinutes: config.PARKED_WARD_EVENT_MAX_AGE_MINUTES,
    sweepIntervalMs: config.PARKED_WARD_EVENT_SWEEP_MS,
    consumerGroup: `bhyt-${runtime.name}-${WARD_EVENTS_CONSUMER}`,
  };
  await bootstrapService({
    runtime,
    port: config.HTTP_PORT,
    host: config.HTTP_HOST,
    module: {
      controllers: [
        EncountersController,
        EncounterOperationsController,
        HealthBookController,
        ParkedWardEventsController,
      ],
      providers: [
        EncounterService,
        HealthBookService,
        HealthBookStore,
        ParkedWardEventStore,
        { provide: PARKED_WARD_EVENTS_OPTIONS, useValue: parked },
        { provide: RECEIPT_POLICY, useValue: receipt },
      ],
    },
    jobs: [ParkedWardEvents],
    openApi: {
      title: 'Encounter',
      description:
        'Ward-system events, close and correction of encounters (XML 130/4750), check-in (XML0), health-book reads (Decision 1332)',
    },
    afterStart: async (app) => {
      const encounters = app.get(EncounterService);
      await runtime.consume({
        name: 'visits',
        topics: [Topics.intakeRegistered.name],
        handler: visitRegisteredHandler(encounters),
        concurrency: 6,
      });
      await runtime.consume({
        name: WARD_EVENTS_CONSUMER,
        topics: [Topics.wardEvents.name],
        handler: wardEventHandler(encounters, receipt),
        concurrency: 6,
      });
    },
  });
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
