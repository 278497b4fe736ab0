import { startTracing } from '@bhyt/service-kit';
startTracing('encounter');

import { baseServiceEnv, env, loadConfig } from '@bhyt/config';
import { Services, Topics } from '@bhyt/contracts';
import { bootstrapService, ServiceRuntime } from '@bhyt/service-kit';
import { visitRegisteredHandler, wardEventHandler } from './consumers';
import { EncounterService } from './encounter.service';
import { EncountersController } from './encounters.controller';
import { Encounters1700000000200 } from './migrations/1700000000200-encounters';
import { CheckinsHealthBook1700000000201 } from './migrations/1700000000201-checkins-health-book';
import { HealthBookController } from './health-book.controller';
import { HealthBookService } from './health-book.service';

async function main() {
  const config = loadConfig('encounter', baseServiceEnv.extend({ HTTP_PORT: env.port(Services.encounter.port) }));
  const runtime = new ServiceRuntime({ service: 'encounter', migrations: [Encounters1700000000200, CheckinsHealthBook1700000000201], databaseUrl: config.DATABASE_URL, database: config.DATABASE_NAME, poolSize: config.DB_POOL_SIZE });
  await bootstrapService({
    runtime,
    port: config.HTTP_PORT,
    host: config.HTTP_HOST,
    module: { controllers: [EncountersController, HealthBookController], providers: [EncounterService, HealthBookService] },
    openApi: { title: 'Encounter', description: 'Ward-system events, close and correction of encounters (XML 130/4750), check-in (XML0), health-book reads (Decision 1332)' },
    afterStart: async (app) => {
      const encounters = app.get(EncounterService);
      await runtime.consume({ name: 'visits', topics: [Topics.intakeRegistered.name], handler: visitRegisteredHandler(encounters), concurrency: 6 });
      await runtime.consume({ name: 'ward-events', topics: [Topics.wardEvents.name], handler: wardEventHandler(encounters), concurrency: 6 });
    },
  });
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
