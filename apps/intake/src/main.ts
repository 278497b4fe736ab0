import { startTracing } from '@bhyt/service-kit';
startTracing('intake');

import { Topics } from '@bhyt/contracts';
import { bootstrapService, ServiceRuntime } from '@bhyt/service-kit';
import { CardLookupService } from './card-lookup.service';
import { CardRechecker } from './card-rechecker';
import { loadIntakeConfig } from './config';
import { ingressHandler } from './ingress.consumer';
import { Intake1700000000100 } from './migrations/1700000000100-intake';
import { CardCheck1700000000101 } from './migrations/1700000000101-card-check';
import { RequestFingerprint1700000000102 } from './migrations/1700000000102-request-fingerprint';
import { PatientsPiiEncrypted1700000000190 } from './migrations/1700000000190-patients-pii-encrypted';
import { RegistrationService } from './registration.service';
import { INTAKE_CONFIG } from './tokens';
import { VisitsController } from './visits.controller';

async function main() {
  const config = loadIntakeConfig();
  const runtime = new ServiceRuntime({ service: 'intake', migrations: [Intake1700000000100, CardCheck1700000000101, RequestFingerprint1700000000102, PatientsPiiEncrypted1700000000190], databaseUrl: config.DATABASE_URL, database: config.DATABASE_NAME, poolSize: config.DB_POOL_SIZE });
  let rechecker: CardRechecker | undefined;
  await bootstrapService({
    runtime,
    port: config.HTTP_PORT,
    host: config.HTTP_HOST,
    module: { controllers: [VisitsController], providers: [RegistrationService, CardLookupService, { provide: INTAKE_CONFIG, useValue: config }] },
    openApi: { title: 'Intake', description: 'Patient reception by CCCD, personal ID, BHYT card or VNeID QR; card lookup at the BHYT gateway' },
    afterStart: async (app) => {
      await runtime.consume({ name: 'ingress', topics: [Topics.intakeIngress.name], handler: ingressHandler(app.get(RegistrationService)) });
      rechecker = new CardRechecker(runtime, app.get(CardLookupService), config);
      rechecker.start();
    },
    beforeStop: async () => {
      await rechecker?.stop();
    },
  });
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
