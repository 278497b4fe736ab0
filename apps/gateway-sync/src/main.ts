import { startTracing } from '@bhyt/service-kit';
startTracing('gateway-sync');

import { Topics } from '@bhyt/contracts';
import { GatewayClient, secretSourceAccountResolver } from '@bhyt/gateway-client';
import { bootstrapService, ServiceRuntime } from '@bhyt/service-kit';
import { deadlinePolicy } from '@bhyt/submission-policy';
import { readSecret } from '@bhyt/config';
import { reportCircuitState } from '@bhyt/observability';
import { loadGatewaySyncConfig } from './config';
import { DeadlineMonitor } from './deadline-monitor';
import { Submissions1700000000400 } from './migrations/1700000000400-submissions';
import { SubmissionKinds1700000000401 } from './migrations/1700000000401-submission-kinds';
import { SignedXmlLz41700000000402 } from './migrations/1700000000402-signed-xml-lz4';
import { SubmissionTrace1700000000403 } from './migrations/1700000000403-submission-trace';
import { OperatorController } from './operator.controller';
import { ResultPoller } from './result-poller';
import { SubmissionScheduler } from './scheduler';
import { checkinSignedHandler, claimSignedHandler } from './submission-intake';
import { SCHEDULER } from './tokens';

async function main() {
  const config = loadGatewaySyncConfig();
  const runtime = new ServiceRuntime({ service: 'gatewaySync', migrations: [Submissions1700000000400, SubmissionKinds1700000000401, SignedXmlLz41700000000402, SubmissionTrace1700000000403], databaseUrl: config.DATABASE_URL, database: config.DATABASE_NAME, poolSize: config.DB_POOL_SIZE });
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
  const scheduler = new SubmissionScheduler(runtime, client, config);
  reportCircuitState(() => scheduler.breaker.state !== 'closed');
  const monitor = new DeadlineMonitor(runtime, policy);
  const poller = config.GATEWAY_SIMULATOR_ADMIN_URL ? new ResultPoller(runtime, config.GATEWAY_SIMULATOR_ADMIN_URL, config.GATEWAY_RESULT_POLL_MS) : undefined;
  await bootstrapService({
    runtime,
    port: config.HTTP_PORT,
    host: config.HTTP_HOST,
    module: { controllers: [OperatorController], providers: [{ provide: SCHEDULER, useValue: scheduler }] },
    openApi: { title: 'Gateway sync — operator API', description: 'Claims on their way to the BHYT gateway' },
    afterStart: async () => {
      await scheduler.recoverAfterCrash();
      scheduler.start();
      monitor.start();
      poller?.start();
      await runtime.consume({ name: 'claims', topics: [Topics.claimSigned.name], handler: claimSignedHandler(runtime, policy, () => scheduler.notify()), concurrency: 6, inFlightPerPartition: 32 });
      await runtime.consume({ name: 'checkins', topics: [Topics.checkinSigned.name], handler: checkinSignedHandler(runtime, policy, () => scheduler.notify()), concurrency: 3 });
    },
    beforeStop: async () => {
      monitor.stop();
      poller?.stop();
      await scheduler.stop();
    },
  });
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
