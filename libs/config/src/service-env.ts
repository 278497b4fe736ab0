import { z } from 'zod';
import { env } from './env';

/** Variables every service reads. Each service extends this schema with its own. */
export const baseServiceEnv = z.object({
  DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL'),
  /** Overrides the service's database name (tests use their own databases). */
  DATABASE_NAME: z
    .string()
    .regex(/^[a-z0-9_]+$/)
    .optional(),
  KAFKA_BROKERS: z.string().min(1),
  LOG_LEVEL: env.logLevel(),
  HTTP_HOST: z.string().default('127.0.0.1'),
  DB_POOL_SIZE: env.int(10, 1),
});

/**
 * How hard every service tries before it parks a message on the dead-letter topic instead of
 * letting it block the rest (read by the service runtime, so every service has them).
 */
export const deliveryEnv = z.object({
  /** Attempts of a consumed message whose handler keeps failing (outages do not count). */
  CONSUMER_MAX_ATTEMPTS: env.int(10, 1),
  CONSUMER_RETRY_INITIAL_MS: env.int(200, 1),
  CONSUMER_RETRY_MAX_MS: env.int(30000, 1),
  /** Failed publications of one outbox row the broker refuses before it is dead-lettered. */
  OUTBOX_MAX_PUBLISH_ATTEMPTS: env.int(5, 1),
});
