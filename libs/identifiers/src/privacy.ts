import { createHmac } from 'node:crypto';

/** Minimum key length accepted by {@link pseudonymize}, in bytes. */
export const PSEUDONYM_MIN_KEY_BYTES = 16;

/**
 * Keyed pseudonym of an identifier: HMAC-SHA256, lower-case hex (64 characters). Use it as a
 * lookup key or in logs/metrics instead of the identifier. The same value and key always give
 * the same pseudonym, so callers must pass the CANONICAL form (e.g. `parseCitizenId(x).value.number`)
 * to get matches across inputs. The key is a secret; rotating it changes every pseudonym.
 *
 * Throws (without echoing the value) when the key is shorter than 16 bytes.
 */
export const pseudonymize = (value: string, key: string | Uint8Array): string => {
  const keyBytes = typeof key === 'string' ? Buffer.from(key, 'utf8') : key;
  if (keyBytes.length < PSEUDONYM_MIN_KEY_BYTES) {
    throw new RangeError(`pseudonymization key must be at least ${PSEUDONYM_MIN_KEY_BYTES} bytes`);
  }
  return createHmac('sha256', keyBytes).update(value.normalize('NFC'), 'utf8').digest('hex');
};

/**
 * Masks an identifier FOR UI DISPLAY ONLY (it still reveals part of the value, so it is not a
 * substitute for {@link pseudonymize} in logs). Whitespace is removed first; then at least half
 * of the characters are hidden: 12+ characters keep the first 4 and last 2
 * (`079085000123` → `0790******23`), 10–11 keep the first 3 and last 1, 6–9 keep the first 2 and
 * last 1, shorter values are fully masked.
 */
export const maskIdentifier = (value: string): string => {
  const chars = Array.from(typeof value === 'string' ? value.replace(/\s+/gu, '') : '');
  const n = chars.length;
  const [head, tail] = n >= 12 ? [4, 2] : n >= 10 ? [3, 1] : n >= 6 ? [2, 1] : [0, 0];
  return chars.slice(0, head).join('') + '*'.repeat(n - head - tail) + chars.slice(n - tail).join('');
};
