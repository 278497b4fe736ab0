/**
 * The platform's refusals, without any transport in them: a stable code (the catalogue a ward
 * system codes against), a kind that says what sort of refusal it is, and a message that never
 * echoes personal data. Each transport maps the kind once: HTTP in service-kit's problem+json
 * filter (kind → status), Kafka in messaging's consumer (kind → dead-letter or retry).
 */
export type ErrorKind =
  /** The input breaks a rule of its own (a field, a format): HTTP 400, Kafka dead-letter. */
  | 'invalid'
  /** The input is well-formed but the platform cannot act on it (business rule): 422, dead-letter. */
  | 'unprocessable'
  /** Something the input names does not exist: 404, dead-letter (unless the handler parks it). */
  | 'not_found'
  /** The input contradicts what is already recorded (state, idempotency key): 409, dead-letter. */
  | 'conflict'
  /** The caller may not do this: 403, dead-letter. */
  | 'forbidden'
  /** A dependency is down; the same input will succeed later: 503, retried without counting. */
  | 'unavailable';

export class PlatformError<Code extends string = string> extends Error {
  constructor(
    readonly code: Code,
    readonly kind: ErrorKind,
    message: string,
    /** Extra members of the problem (field names, keys), never personal data. */
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'PlatformError';
  }
}

export function isPlatformError(err: unknown): err is PlatformError {
  return err instanceof PlatformError;
}

/**
 * One domain's error catalogue: `codes` is the enum (code → code), `raise(code, …)` the only way
 * to build one of its errors, so a code and its kind are written once.
 *
 *   export const EncounterErrors = defineErrorCodes({ ENCOUNTER_UNKNOWN: 'not_found', … });
 *   throw EncounterErrors.raise('ENCOUNTER_UNKNOWN', `no encounter ${maLk}`);
 */
export function defineErrorCodes<const T extends Record<string, ErrorKind>>(kinds: T) {
  type Code = keyof T & string;
  const codes = Object.fromEntries(Object.keys(kinds).map((k) => [k, k])) as { readonly [K in Code]: K };
  return {
    codes,
    kinds: kinds as Readonly<T>,
    raise: (code: Code, message: string, details?: Record<string, unknown>): PlatformError<Code> =>
      new PlatformError(code, kinds[code]!, message, details),
    /** Whether `err` is one of this catalogue's errors (optionally: with this code). */
    is: (err: unknown, code?: Code): err is PlatformError<Code> =>
      err instanceof PlatformError && err.code in kinds && (code === undefined || err.code === code),
  };
}

/** The HTTP status of each kind: the one place where a kind meets HTTP. */
export const HTTP_STATUS_OF_KIND: Readonly<Record<ErrorKind, number>> = {
  invalid: 400,
  unprocessable: 422,
  not_found: 404,
  conflict: 409,
  forbidden: 403,
  unavailable: 503,
};
