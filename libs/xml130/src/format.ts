import Decimal from 'decimal.js';
import { MONEY_ROUNDING, VIETNAM_UTC_OFFSET_MINUTES } from './unconfirmed';

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

function shifted(d: Date): Date {
  return new Date(d.getTime() + VIETNAM_UTC_OFFSET_MINUTES * 60_000);
}

const recent = new Map<number, string>();
/** yyyyMMddHHmm in Vietnam time (recent values cached: a claim repeats the same few times). */
export function formatDateTime(d: Date): string {
  const key = d.getTime();
  const hit = recent.get(key);
  if (hit !== undefined) return hit;
  const out = formatDateTimeUncached(d);
  if (recent.size >= 4096) recent.clear();
  recent.set(key, out);
  return out;
}

function formatDateTimeUncached(d: Date): string {
  const s = shifted(d);
  return `${s.getUTCFullYear()}${pad(s.getUTCMonth() + 1)}${pad(s.getUTCDate())}${pad(s.getUTCHours())}${pad(s.getUTCMinutes())}`;
}

/** yyyyMMdd in Vietnam time. */
export function formatDate(d: Date): string {
  return formatDateTime(d).slice(0, 8);
}

/** Instant for a yyyyMMddHHmm (or yyyyMMdd) value read as Vietnam time; undefined if invalid. */
export function parseStdDateTime(v: string): Date | undefined {
  if (!/^\d{8}(\d{4})?$/.test(v)) return undefined;
  const y = +v.slice(0, 4);
  const mo = +v.slice(4, 6);
  const d = +v.slice(6, 8);
  const h = v.length === 12 ? +v.slice(8, 10) : 0;
  const mi = v.length === 12 ? +v.slice(10, 12) : 0;
  if (mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59) return undefined;
  const t = Date.UTC(y, mo - 1, d, h, mi) - VIETNAM_UTC_OFFSET_MINUTES * 60_000;
  const back = new Date(t);
  if (formatDateTime(back).slice(0, 8) !== v.slice(0, 8)) return undefined; // 31 February etc.
  return back;
}

/** Calendar days from a to b (yyyyMMdd prefixes), b − a. */
export function dayDiff(a: string, b: string): number {
  const da = Date.UTC(+a.slice(0, 4), +a.slice(4, 6) - 1, +a.slice(6, 8));
  const db = Date.UTC(+b.slice(0, 4), +b.slice(4, 6) - 1, +b.slice(6, 8));
  return Math.round((db - da) / 86_400_000);
}

/** Decimal constructor with enough precision for 15-digit amounts times 10-digit quantities. */
export const Dec = Decimal.clone({ precision: 50, rounding: MONEY_ROUNDING });
export type DecimalInput = Decimal | string | number;

/** Money: rounded to 2 decimals, written in the shortest form (no exponent). */
export function money(v: Decimal): string {
  return plain(v.decimalPlaces() <= 2 ? v : v.toDecimalPlaces(2, MONEY_ROUNDING));
}
/** Unit prices and quantities: 3 decimals. */
const SHORT_DEC3 = /^(0|[1-9]\d*)(\.\d{0,2}[1-9])?$/;
export function dec3(v: DecimalInput): string {
  if (typeof v === 'string' && SHORT_DEC3.test(v)) return v; // already in its shortest 3-decimal form
  return plain(new Dec(v).toDecimalPlaces(3, MONEY_ROUNDING));
}
/** Shortest plain decimal string: `150000`, `0.5`, `12345.67`. */
export function plain(v: Decimal): string {
  const s = v.toFixed(); // decimal.js keeps no trailing zeros, so this is already the shortest form
  return s === '-0' ? '0' : s;
}

/** Decimal from a table value ('' → 0). Callers validate the syntax first. */
export function d(v: string | undefined): Decimal {
  return new Dec(v === undefined || v === '' ? 0 : v);
}

export function joinList(values: readonly string[] | undefined): string {
  return (values ?? []).join(';');
}
export function splitList(v: string): string[] {
  return v === '' ? [] : v.split(';');
}
