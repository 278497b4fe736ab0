import { startTracing } from '@bhyt/service-kit';
startTracing('intake');

import { bootstrapService, DATA_SOURCE, type DataSource, ServiceRuntime } from '@bhyt/service-kit';
import { CardCheckStore } from './card-check.store';
import { CardLookupService } from './card-lookup.service';
import { CardRechecker } from './card-rechecker';
import { loadIntakeConfig, type IntakeConfig } from './config';
import { IngressConsumer } from './ingress.consumer';
import { INTAKE_MIGRATIONS } from './migrations';
import { RegistrationService } from './registration.service';
import { RegistrationStore } from './registration.store';
import { INTAKE_CONFIG } from './tokens';
import { VisitsController } from './visits.controller';

async function main() {
  const config = loadIntakeConfig();
  const runtime = new ServiceRuntime({
    service: 'intake',
    migrations: INTAKE_MIGRATIONS,
    databaseUrl: config.DATABASE_URL,
    database: config.DATABASE_NAME,
    poolSize: config.DB_POOL_SIZE,
  });
  await bootstrapService({
    runtime,
    port: config.HTTP_PORT,
    host: config.HTTP_HOST,
    module: {
      controllers: [VisitsController],
      providers: [
        { provide: INTAKE_CONFIG, useValue: config },
        {
          provide: RegistrationStore,
          useFactory: (ds: DataSource, c: IntakeConfig) => new RegistrationStore(ds, c.piiCipher),
          inject: [DATA_SOURCE, INTAKE_CONFIG],
        },
        {
          provide: CardCheckStore,
          useFactory: (ds: DataSource, c: IntakeConfig) => new CardCheckStore(ds, c.piiCipher),
          inject: [DATA_SOURCE, INTAKE_CONFIG],
        },
        RegistrationService,
        CardLookupService,
      ],
    },
    consumers: [IngressConsumer],
    jobs: [CardRechecker],
    openApi: {
      title: 'Intake',
      description:
        'Patient reception by CCCD, personal ID, BHYT card or VNeID QR; card lookup at the BHYT gateway',
    },
  });
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
