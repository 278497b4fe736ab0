/**
 * Parses `APIKey.expires_in`. The official form is an absolute UTC timestamp with 7 fractional
 * digits (`2025-03-04T02:25:07.1234567Z`). Defensive, like working clients: a bare number is
 * read as epoch milliseconds (> 1e12), epoch seconds (> 1e9) or a lifetime in seconds.
 * Returns epoch milliseconds, or undefined when unreadable.
 */
export function parseExpiresIn(value: unknown, nowMs: number): number | undefined {
  if (typeof value === 'number' || (typeof value === 'string' && /^\d+(\.\d+)?$/.test(value.trim()))) {
    const n = Number(value);
    if (!Number.isFinite(n) || n <= 0) return undefined;
    if (n > 1e12) return n;
    if (n > 1e9) return n * 1000;
    return nowMs + n * 1000;
  }
  if (typeof value !== 'string') return undefined;
  const m = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:?\d{2})?$/.exec(
    value.trim(),
  );
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, frac = '', zone = 'Z'] = m;
  const ms = Number((frac + '000').slice(0, 3));
  const base = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), ms);
  if (!Number.isFinite(base)) return undefined;
  if (zone === 'Z') return base;
  const sign = zone.startsWith('-') ? -1 : 1;
  const digits = zone.slice(1).replace(':', '');
  const offsetMin = Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2));
  return base - sign * offsetMin * 60_000;
}
