import { startTracing } from '@bhyt/service-kit';
startTracing('reporting');

import { z } from 'zod';
import { baseServiceEnv, env, loadConfig } from '@bhyt/config';
import { Services } from '@bhyt/contracts';
import { bootstrapService, ServiceRuntime } from '@bhyt/service-kit';
import { Projections1700000000500 } from './migrations/1700000000500-projections';
import { PROJECTED_TOPICS, projectionHandler } from './projector';
import { ReportsController } from './reports.controller';

async function main() {
  const config = loadConfig('reporting', baseServiceEnv.extend({ HTTP_PORT: env.port(Services.reporting.port), REPORT_TIMEZONE: z.string().default('Asia/Ho_Chi_Minh') }));
  const runtime = new ServiceRuntime({ service: 'reporting', migrations: [Projections1700000000500], databaseUrl: config.DATABASE_URL, database: config.DATABASE_NAME, poolSize: config.DB_POOL_SIZE });
  await bootstrapService({
    runtime,
    port: config.HTTP_PORT,
    host: config.HTTP_HOST,
    module: { controllers: [ReportsController] },
    openApi: { title: 'Reporting', description: 'Health-book interconnection compliance figures' },
    afterStart: async () => {
      await runtime.consume({ name: 'projections', topics: [...PROJECTED_TOPICS], handler: projectionHandler(runtime), concurrency: 6 });
    },
  });
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
