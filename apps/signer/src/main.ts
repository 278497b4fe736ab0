import { startTracing } from '@bhyt/service-kit';
startTracing('signer');

import { baseServiceEnv, env, loadConfig } from '@bhyt/config';
import { Services } from '@bhyt/contracts';
import { bootstrapService, DATA_SOURCE, ServiceRuntime, type DataSource } from '@bhyt/service-kit';
import { watchCertificateExpiry, Metrics } from '@bhyt/observability';
import { FacilityKeyStore, HsmSupervisor, loadHsmConfigFromEnv, Pkcs11Hsm } from '@bhyt/signing';
import { SIGNER_MIGRATIONS } from './migrations';
import { SignedDocumentStore } from './signed-document.store';
import { SignCheckinConsumer } from './sign-checkin.handler';
import { SignClaimConsumer } from './sign-claim.handler';
import { SIGNER_CONCURRENCY } from './tokens';

async function main() {
  const config = loadConfig(
    'signer',
    // HSM_DEAD_AFTER_SECONDS: an HSM failing this long in a row fails liveness (the pod is restarted).
    baseServiceEnv.extend({
      HTTP_PORT: env.port(Services.signer.port),
      SIGNER_CONCURRENCY: env.int(4, 1),
      HSM_DEAD_AFTER_SECONDS: env.int(120, 1),
    }),
  );
  // PKCS11_MODULE, HSM_TOKEN_LABEL, HSM_PIN or HSM_PIN_FILE, HSM_SESSIONS; SOFTHSM2_CONF must be in
  // the process environment before start (the C library reads it at load time).
  const hsmConfig = loadHsmConfigFromEnv();
  const runtime = new ServiceRuntime({
    service: 'signer',
    migrations: SIGNER_MIGRATIONS,
    databaseUrl: config.DATABASE_URL,
    database: config.DATABASE_NAME,
    poolSize: config.DB_POOL_SIZE,
  });
  const hsm = await Pkcs11Hsm.open(hsmConfig);
  const keys = new FacilityKeyStore(hsm);
  // The HSM is asked every 2 s; when it fails its sessions are reopened until it answers again
  // (the key handles are looked up afresh). Readiness follows it at once, liveness after
  // HSM_DEAD_AFTER_SECONDS, when only a new process may help.
  Metrics.hsmUp().set(1);
  const supervisor = new HsmSupervisor(hsm, {
    deadAfterMs: config.HSM_DEAD_AFTER_SECONDS * 1000,
    onChange: (up) => {
      Metrics.hsmUp().set(up ? 1 : 0);
      if (up) keys.invalidate();
      if (up) runtime.logger.warn('HSM answers again: sessions reopened');
      else runtime.logger.error('HSM does not answer: reopening its sessions');
    },
    onReopenFailed: (err) =>
      runtime.logger.warn(
        { error: err instanceof Error ? err.message : 'error' },
        'HSM reopen failed; retrying',
      ),
  });
  supervisor.start();
  runtime.addReadinessCheck('hsm', () => supervisor.check());
  runtime.addLivenessCheck('hsm', () => !supervisor.dead);
  let stopCertificateGauge = () => {};
  await bootstrapService({
    runtime,
    port: config.HTTP_PORT,
    host: config.HTTP_HOST,
    module: {
      providers: [
        { provide: FacilityKeyStore, useValue: keys },
        {
          provide: SignedDocumentStore,
          useFactory: (ds: DataSource) => new SignedDocumentStore(ds),
          inject: [DATA_SOURCE],
        },
        { provide: SIGNER_CONCURRENCY, useValue: config.SIGNER_CONCURRENCY },
      ],
    },
    // Started once HTTP listens, after afterStart; stopped with the runtime, before the HSM closes.
    consumers: [SignClaimConsumer, SignCheckinConsumer],
    afterStart: async () => {
      stopCertificateGauge = watchCertificateExpiry(
        () => keys.list(),
        (err) =>
          runtime.logger.warn(
            { error: err instanceof Error ? err.name : 'error' },
            'certificate expiry sampling failed',
          ),
      );
    },
    beforeStop: async () => {
      stopCertificateGauge();
      supervisor.stop();
      // The runtime stops the consumers after this; the HSM closes at exit, after in-flight signatures finish.
    },
  });
  process.once('exit', () => void hsm.close());
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
