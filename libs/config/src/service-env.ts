import { z } from 'zod';
import { env } from './env';

/** Variables every service reads. Each service extends this schema with its own. */
export const baseServiceEnv = z.object({
  DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL'),
  /** Overrides the service's database name (tests use their own databases). */
  DATABASE_NAME: z.string().regex(/^[a-z0-9_]+$/).optional(),
  KAFKA_BROKERS: z.string().min(1),
  LOG_LEVEL: env.logLevel(),
  HTTP_HOST: z.string().default('127.0.0.1'),
  DB_POOL_SIZE: env.int(10, 1),
});
