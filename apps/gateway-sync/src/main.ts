import { startTracing } from '@bhyt/service-kit';
startTracing('gateway-sync');

import { Topics } from '@bhyt/contracts';
import { GatewayClient, secretSourceAccountResolver } from '@bhyt/gateway-client';
import { bootstrapService, ServiceRuntime } from '@bhyt/service-kit';
import { deadlinePolicy } from '@bhyt/submission-policy';
import { readSecret } from '@bhyt/config';
import { loadGatewaySyncConfig, shutdownTimeoutMs } from './config';
import { DeadlineMonitor } from './deadline-monitor';
import { GATEWAY_SYNC_MIGRATIONS } from './migrations';
import { ExactlyOnceController, OperatorController } from './operator.controller';
import { ResultPoller } from './result-poller';
import { SubmissionScheduler } from './scheduler';
import { SubmissionStore } from './submission.store';
import { checkinSignedHandler, claimSignedHandler } from './submission-intake';
import { GATEWAY_SYNC_CONFIG, LOGGER, SCHEDULER, SUBMISSION_STORE } from './tokens';

async function main() {
  const config = loadGatewaySyncConfig();
  const runtime = new ServiceRuntime({ service: 'gatewaySync', migrations: GATEWAY_SYNC_MIGRATIONS, databaseUrl: config.DATABASE_URL, database: config.DATABASE_NAME, poolSize: config.DB_POOL_SIZE });
  const policy = deadlinePolicy(config.GATEWAY_WINDOW_HOURS, config.GATEWAY_AT_RISK_FRACTION);
  const client = new GatewayClient({
    baseUrl: config.GATEWAY_URL,
    endpointFamily: config.GATEWAY_ENDPOINT_FAMILY,
    totalTimeoutMs: config.GATEWAY_TIMEOUT_MS,
    // Per-facility accounts from secrets (BHYT_GATEWAY_<facility>_USERNAME / _PASSWORD_MD5); no default account.
    accounts: secretSourceAccountResolver({ get: (name) => readSecret(name) }),
    logger: { info: (o, m) => runtime.logger.info(o, m), warn: (o, m) => runtime.logger.warn(o, m) },
    ...(config.GATEWAY_SIMULATOR_ADMIN_URL ? { simulatorAdminBaseUrl: config.GATEWAY_SIMULATOR_ADMIN_URL } : {}),
  });
  // Built once the runtime has its database (bootstrap starts it before the module).
  let store: SubmissionStore | undefined;
  const storeOf = () => (store ??= new SubmissionStore(runtime.ds));
  let scheduler: SubmissionScheduler | undefined;
  const schedulerOf = () => (scheduler ??= new SubmissionScheduler({ store: storeOf(), tx: (work) => runtime.tx(work), logger: runtime.logger, client, config }));
  const monitor = new DeadlineMonitor({ get ds() { return runtime.ds; }, get store() { return storeOf(); }, logger: runtime.logger, facilities: () => runtime.facilities.list().map((f) => f.code) }, policy);
  let poller: ResultPoller | undefined;
  await bootstrapService({
    runtime,
    port: config.HTTP_PORT,
    host: config.HTTP_HOST,
    module: {
      controllers: [OperatorController, ExactlyOnceController],
      providers: [
        { provide: SUBMISSION_STORE, useFactory: storeOf },
        { provide: SCHEDULER, useFactory: schedulerOf },
        { provide: LOGGER, useValue: runtime.logger },
        { provide: GATEWAY_SYNC_CONFIG, useValue: config },
      ],
    },
    openApi: { title: 'Gateway sync — operator API', description: 'Claims on their way to the BHYT gateway' },
    // A stop waits for gateway calls in flight (the scheduler's grace), then the runtime's own stop.
    shutdownTimeoutMs: shutdownTimeoutMs(config),
    afterStart: async () => {
      const s = schedulerOf();
      await s.sweep();
      s.start();
      monitor.start();
      if (config.GATEWAY_SIMULATOR_ADMIN_URL) {
        poller = new ResultPoller(storeOf(), (work) => runtime.tx(work), config.GATEWAY_SIMULATOR_ADMIN_URL, config.GATEWAY_RESULT_POLL_MS);
        poller.start();
      }
      const intake = { store: storeOf(), tx: runtime.tx, logger: runtime.logger, policy, onDue: () => s.notify() };
      await runtime.consume({ name: 'claims', topics: [Topics.claimSigned.name], handler: claimSignedHandler(intake), concurrency: 6, inFlightPerPartition: 32 });
      await runtime.consume({ name: 'checkins', topics: [Topics.checkinSigned.name], handler: checkinSignedHandler(intake), concurrency: 3 });
    },
    beforeStop: async () => {
      monitor.stop();
      poller?.stop();
      await scheduler?.stop();
    },
  });
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
