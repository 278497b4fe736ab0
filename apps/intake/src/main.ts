import { startTracing } from '@bhyt/service-kit';
startTracing('intake');

import { Topics } from '@bhyt/contracts';
import { bootstrapService, ServiceRuntime } from '@bhyt/service-kit';
import { loadIntakeConfig } from './config';
import { ingressHandler } from './ingress.consumer';
import { Intake1700000000100 } from './migrations/1700000000100-intake';
import { RegistrationService } from './registration.service';
import { INTAKE_CONFIG } from './tokens';
import { VisitsController } from './visits.controller';

async function main() {
  const config = loadIntakeConfig();
  const runtime = new ServiceRuntime({ service: 'intake', migrations: [Intake1700000000100], databaseUrl: config.DATABASE_URL, database: config.DATABASE_NAME, poolSize: config.DB_POOL_SIZE });
  await bootstrapService({
    runtime,
    port: config.HTTP_PORT,
    host: config.HTTP_HOST,
    module: { controllers: [VisitsController], providers: [RegistrationService, { provide: INTAKE_CONFIG, useValue: config }] },
    openApi: { title: 'Intake', description: 'Patient reception by CCCD, personal ID, BHYT card or VNeID QR' },
    afterStart: async (app) => {
      await runtime.consume({ name: 'ingress', topics: [Topics.intakeIngress.name], handler: ingressHandler(app.get(RegistrationService)) });
    },
  });
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
