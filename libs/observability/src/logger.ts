import pino, { Logger } from 'pino';
import { trace } from '@opentelemetry/api';

/**
 * Structured JSON logs (pino) with trace and span ids, and a redaction layer for personal
 * data: any field whose name is a known personal-data field is replaced, wherever it sits in
 * the logged object, and free-text messages are scrubbed of identifier-shaped numbers.
 */
export const PERSONAL_DATA_KEYS = [
  'fullName', 'hoTen', 'HO_TEN', 'name', 'patientName',
  'citizenId', 'cccd', 'soCccd', 'SO_CCCD', 'personalId', 'identifier', 'identifierValue',
  'insuranceCard', 'cardNumber', 'maThe', 'MA_THE_BHYT', 'maTheBhyt',
  'birthDate', 'ngaySinh', 'NGAY_SINH', 'dob',
  'address', 'diaChi', 'DIA_CHI', 'phone', 'DIEN_THOAI',
  'patient', 'qr', 'qrText', 'password', 'pin', 'token', 'accessToken', 'passwordHash',
];

const REDACTED = '[redacted]';
const KEY_SET = new Set(PERSONAL_DATA_KEYS.map((k) => k.toLowerCase()));

/** 12-digit CCCD, 9-digit old ID, 15-character BHYT card numbers inside free text. */
const IDENTIFIER_PATTERNS: RegExp[] = [/\b\d{12}\b/g, /\b\d{9}\b/g, /\b[A-Z]{2}[1-5]\d{12}\b/g];

export function scrubText(text: string): string {
  return IDENTIFIER_PATTERNS.reduce((acc, re) => acc.replace(re, REDACTED), text);
}

export function redact(value: unknown, depth = 0): unknown {
  if (depth > 8 || value === null || value === undefined) return value;
  if (typeof value === 'string') return scrubText(value);
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  if (value instanceof Error) return { type: value.name, message: scrubText(value.message) };
  if (typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      out[k] = KEY_SET.has(k.toLowerCase()) ? REDACTED : redact(v, depth + 1);
    }
    return out;
  }
  return value;
}

export function createLogger(service: string, level = process.env['LOG_LEVEL'] ?? 'info'): Logger {
  return pino({
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
        const scrubbed = args.map((a) => (typeof a === 'string' ? scrubText(a) : a)) as typeof args;
        method.apply(this, scrubbed);
      },
    },
    mixin() {
      const span = trace.getActiveSpan();
      if (!span) return {};
      const ctx = span.spanContext();
      return { trace_id: ctx.traceId, span_id: ctx.spanId };
    },
  });
}
export type { Logger };
