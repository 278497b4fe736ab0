/**
 * How a KQNhanLichSuKCB2024 answer decides the visit's card check (bhyt-gateway.md §5.4).
 * 000/001/002/004 are usable cards (001/002: check the papers; 004: a newer card exists);
 * card errors (expired, unknown, wrong name or birth date, withdrawn, reduced…) are INVALID;
 * caller errors (054/055 staff not registered, 205 format) say nothing about the card: the
 * check stays PENDING and is retried (an operator fixes the staff registration).
 */
export type CardVerdict = 'VALID' | 'INVALID' | 'PENDING';

const VALID = new Set(['000', '001', '002', '004']);
const CALLER_ERRORS = new Set(['054', '055', '205']);

export function cardVerdict(maKetQua: string): CardVerdict {
  if (VALID.has(maKetQua)) return 'VALID';
  if (CALLER_ERRORS.has(maKetQua) || !/^\d{3}$/.test(maKetQua)) return 'PENDING';
  if (maKetQua === '100' || maKetQua === '101' || maKetQua === '500' || maKetQua === '401') return 'PENDING';
  return 'INVALID';
}

/** yyyyMMdd[HHmm] → dd/MM/yyyy as the lookup wants it. */
export function lookupBirthDate(birthDate: string): string {
  return `${birthDate.slice(6, 8)}/${birthDate.slice(4, 6)}/${birthDate.slice(0, 4)}`;
}

/** Delay before re-check attempt n (1-based): doubling from the base, at most 5 minutes. */
export function recheckDelayMs(attempt: number, baseMs: number): number {
  return Math.min(5 * 60_000, baseMs * 2 ** Math.max(0, Math.min(attempt - 1, 12)));
}
