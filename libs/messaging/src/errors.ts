/**
 * A message that can never be processed as it is (bad schema, unknown facility, invalid
 * data). It goes to the dead-letter topic with the code and reason, and the offset moves on.
 * Anything else thrown by a handler is treated as transient: the same message is retried
 * with backoff and its offset is not committed, so a restart loses nothing — up to a bound
 * (ConsumerOptions.retry.maxAttempts), after which it is dead-lettered too, unless the error is
 * an outage of the database or the broker (see isInfrastructureOutage).
 */
export class PoisonMessageError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'PoisonMessageError';
  }
}

/** Reason codes of the dead letters this lib writes itself (x-dlq-reason-code). */
export enum MessagingErrorCode {
  /** A handler failed maxAttempts times with an error that is neither poison nor an outage. */
  RetriesExhausted = 'HANDLER_RETRIES_EXHAUSTED',
  /** An outbox row the broker refused maxPublishAttempts times (e.g. larger than message.max.bytes). */
  Unpublishable = 'OUTBOX_UNPUBLISHABLE',
}

/** Socket errors: the database or the broker is unreachable. */
const SOCKET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);

/**
 * SQLSTATE classes of a database that is down, restarting, overloaded or contended: 08
 * connection exception, 53 insufficient resources, 57 operator intervention (57P01 admin
 * shutdown, 57014 statement timeout), 58 system error; serialization failure, deadlock, lock
 * not available. Anything else (23505, 22P02…) is a property of the message or of the code.
 */
const isOutageSqlState = (code: string): boolean =>
  /^(08|53|57|58)/.test(code) || code === '40001' || code === '40P01' || code === '55P03';

/**
 * Stable error codes of the platform's own adapters that mean "the dependency is down", not
 * "this message is bad": `*_UNAVAILABLE` and the HSM's session failures (libs/signing), so
 * that claims wait for the HSM instead of being dead-lettered (docs/runbook.md, "HSM unreachable").
 */
const isOutageCode = (code: string): boolean =>
  /(^|_)UNAVAILABLE$/.test(code) || code === 'HSM_ERROR' || code === 'HSM_CLOSED';

const OUTAGE_MESSAGES =
  /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Connection ended unexpectedly|Driver not Connected/i;

/**
 * Whether a handler's error means "a dependency is unavailable right now" rather than "this
 * message cannot be handled": such errors are retried for as long as the outage lasts (a
 * PostgreSQL restart must not dead-letter the head of every partition), never counted against
 * maxAttempts. Follows TypeORM's driverError and `cause` chains.
 */
export function isInfrastructureOutage(err: unknown): boolean {
  let current: unknown = err;
  for (let depth = 0; current && depth < 5; depth++) {
    const e = current as {
      code?: unknown;
      name?: unknown;
      message?: unknown;
      driverError?: unknown;
      cause?: unknown;
    };
    if (
      typeof e.code === 'string' &&
      (SOCKET_CODES.has(e.code) ||
        isOutageCode(e.code) ||
        (/^[0-9A-Z]{5}$/.test(e.code) && isOutageSqlState(e.code)))
    )
      return true;
    if (typeof e.name === 'string' && e.name.startsWith('KafkaJS')) return true;
    if ((current as { kind?: unknown }).kind === 'unavailable' && e.name === 'PlatformError') return true;
    if (typeof e.message === 'string' && OUTAGE_MESSAGES.test(e.message)) return true;
    current = e.driverError ?? e.cause;
  }
  return false;
}
