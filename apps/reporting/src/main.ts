import { startTracing } from '@bhyt/service-kit';
startTracing('reporting');

import { join } from 'node:path';
import { z } from 'zod';
import { baseServiceEnv, env, loadConfig } from '@bhyt/config';
import { Services } from '@bhyt/contracts';
import { bootstrapService, ServiceRuntime } from '@bhyt/service-kit';
import { REPORTING_MIGRATIONS } from './migrations';
import { PROJECTED_TOPICS, PROJECTION_GROUP, projectionHandler } from './projector';
import { projectionLag } from './projection-lag';
import { ReportScheduler } from './report-scheduler';
import { ReportService } from './report.service';
import { PROJECTION_LAG, ReportsController } from './reports.controller';
import { bootstrapPassword, WebAuth } from './web/web-auth';
import { WebController } from './web/web.controller';

async function main() {
  const config = loadConfig(
    'reporting',
    baseServiceEnv.extend({
      HTTP_PORT: env.port(Services.reporting.port),
      REPORT_SCHEDULER: z.enum(['on', 'off']).default('on'),
      /** The web page's first user; its password is read from (or, in development, created in) a file. */
      REPORTING_WEB_USER: z
        .string()
        .regex(/^[a-z0-9._-]{3,64}$/)
        .default('soyte'),
      REPORTING_WEB_PASSWORD_FILE: z.string().optional(),
      STATE_DIR: z.string().optional(),
    }),
  );
  const runtime = new ServiceRuntime({
    service: 'reporting',
    migrations: REPORTING_MIGRATIONS,
    databaseUrl: config.DATABASE_URL,
    database: config.DATABASE_NAME,
    poolSize: config.DB_POOL_SIZE,
  });
  const reports = new ReportService(runtime);
  const lag = () => projectionLag(runtime.kafka);
  const scheduler = new ReportScheduler(runtime, reports, lag);
  let auth: WebAuth | undefined;
  await bootstrapService({
    runtime,
    port: config.HTTP_PORT,
    host: config.HTTP_HOST,
    module: {
      controllers: [ReportsController, WebController],
      providers: [
        { provide: ReportService, useValue: reports },
        { provide: PROJECTION_LAG, useValue: lag },
        { provide: WebAuth, useFactory: () => (auth = new WebAuth(runtime.ds)) },
      ],
    },
    openApi: {
      title: 'Reporting',
      description: 'Health-book interconnection compliance figures and the reports of QĐ 2733 and Project 06',
    },
    afterStart: async () => {
      // Production provisions the password file from a secret; a development machine gets one in .state/secrets.
      const passwordFile =
        config.REPORTING_WEB_PASSWORD_FILE ??
        (config.STATE_DIR ? join(config.STATE_DIR, 'secrets', 'reporting-web-password') : undefined);
      if (passwordFile && auth)
        await auth.setUser(config.REPORTING_WEB_USER, bootstrapPassword(passwordFile));
      await runtime.consume({
        name: 'projections',
        topics: [...PROJECTED_TOPICS],
        handler: projectionHandler(runtime),
        concurrency: 6,
        inFlightPerPartition: 32,
      });
      if (config.REPORT_SCHEDULER === 'on') void scheduler.start();
      runtime.logger.info({ group: PROJECTION_GROUP }, 'projections consuming');
    },
    beforeStop: () => scheduler.stop(),
  });
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
