import pino, { Logger } from 'pino';
import { trace } from '@opentelemetry/api';

/**
 * Structured JSON logs (pino) with trace and span ids, and a redaction layer for personal
 * data: any field whose name is a known personal-data field is replaced, wherever it sits in
 * the logged object, and free-text messages are scrubbed of identifier-shaped numbers.
 */
export const PERSONAL_DATA_KEYS = [
  'fullName',
  'hoTen',
  'HO_TEN',
  'name',
  'patientName',
  'citizenId',
  'cccd',
  'soCccd',
  'SO_CCCD',
  'personalId',
  'identifier',
  'identifierValue',
  'insuranceCard',
  'cardNumber',
  'maThe',
  'MA_THE_BHYT',
  'maTheBhyt',
  'birthDate',
  'ngaySinh',
  'NGAY_SINH',
  'dob',
  'address',
  'diaChi',
  'DIA_CHI',
  'phone',
  'DIEN_THOAI',
  'patient',
  'qr',
  'qrText',
  'password',
  'pin',
  'token',
  'accessToken',
  'passwordHash',
];

const REDACTED = '[redacted]';
const KEY_SET = new Set(PERSONAL_DATA_KEYS.map((k) => k.toLowerCase()));

/**
 * Personal-data shapes inside free text, most specific first: a VNeID QR payload (CCCD|old
 * ID|name|birth date|sex|address|issue date — everything from its first field to the end of
 * the line goes, since the name and address have no shape of their own), 12-digit CCCD (and
 * yyyyMMddHHmm birth date-times), 9-digit old ID, 15-character BHYT card numbers (any case),
 * and birth dates written dd/mm/yyyy, dd-mm-yyyy or ddmmyyyy. Facility codes (5 digits),
 * MA_LK values (79001_2026_01_0000123) and ISO timestamps are left readable.
 */
const IDENTIFIER_PATTERNS: RegExp[] = [
  /\b\d{9,12}\|[^\n]*/g,
  /\b\d{12}\b/g,
  /\b\d{9}\b/g,
  /\b[A-Za-z]{2}[1-5]\d{12}\b/g,
  /\b(?:0[1-9]|[12]\d|3[01])[/-](?:0[1-9]|1[0-2])[/-](?:19|20)\d{2}\b/g,
  /\b(?:0[1-9]|[12]\d|3[01])(?:0[1-9]|1[0-2])(?:19|20)\d{2}\b/g,
];

export function scrubText(text: string): string {
  return IDENTIFIER_PATTERNS.reduce((acc, re) => acc.replace(re, REDACTED), text);
}

/** Objects nested deeper than this are not walked: they are replaced, never passed through. */
const MAX_DEPTH = 10;

export function redact(value: unknown, depth = 0): unknown {
  if (value === null || value === undefined) return value;
  if (typeof value === 'string') return scrubText(value);
  if (typeof value !== 'object') return value;
  if (depth > MAX_DEPTH) return '[redacted: too deep]';
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  if (value instanceof Error) return { type: value.name, message: scrubText(value.message) };
  if (value instanceof Date) return value;
  if (Buffer.isBuffer(value)) return '[redacted: binary]';
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    out[k] = KEY_SET.has(k.toLowerCase()) && !isErrorTypeName(k, v) ? REDACTED : redact(v, depth + 1);
  }
  return out;
}

/** `{ name: 'TypeError', message }` describes an error, not a person: its type name stays readable. */
function isErrorTypeName(key: string, value: unknown): boolean {
  return key === 'name' && typeof value === 'string' && /^[A-Za-z]{0,60}(Error|Exception)$/.test(value);
}

/** Span attributes through the same text scrub (defence in depth: instrumentations record URLs and statements). */
export function scrubAttributes(attributes: Record<string, unknown>): void {
  for (const [k, v] of Object.entries(attributes)) {
    if (KEY_SET.has(k.toLowerCase())) attributes[k] = REDACTED;
    else if (typeof v === 'string') attributes[k] = scrubText(v);
    else if (Array.isArray(v)) attributes[k] = v.map((x) => (typeof x === 'string' ? scrubText(x) : x));
  }
}

export function createLogger(
  service: string,
  level = process.env['LOG_LEVEL'] ?? 'info',
  destination?: pino.DestinationStream,
): Logger {
  const options: pino.LoggerOptions = {
    level,
    base: { service },
    messageKey: 'msg',
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: {
      level: (label) => ({ level: label }),
      log: (obj) => redact(obj) as Record<string, unknown>,
    },
    hooks: {
      logMethod(args, method) {
        // The merging object (first argument) goes through formatters.log; interpolation
        // arguments (logger.info('… %o', obj)) do not, so they are redacted here.
        const scrubbed = args.map((a, i) =>
          typeof a === 'string' ? scrubText(a) : i > 0 && typeof a === 'object' ? redact(a) : a,
        ) as typeof args;
        method.apply(this, scrubbed);
      },
    },
    mixin() {
      const span = trace.getActiveSpan();
      if (!span) return {};
      const ctx = span.spanContext();
      return { trace_id: ctx.traceId, span_id: ctx.spanId };
    },
  };
  return destination ? pino(options, destination) : pino(options);
}
export type { Logger };
