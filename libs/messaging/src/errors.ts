/**
 * A message that can never be processed as it is (bad schema, unknown facility, invalid
 * data). It goes to the dead-letter topic with the code and reason, and the offset moves on.
 * Anything else thrown by a handler is treated as transient: the same message is retried
 * with backoff and its offset is not committed, so a restart loses nothing.
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
