import fc from 'fast-check';
import { parseBhytCardNumber, parseSocialInsuranceNumber } from './bhyt-card';
import { parseBhytQr } from './bhyt-qr';
import { parseCccdQr } from './cccd-qr';
import { parseCitizenId, parseOldId, parsePassport } from './citizen-id';
import { detectIdentifier } from './detect';
import { parseFacilityCode } from './facility-code';
import { maskIdentifier } from './privacy';

/** Strings biased towards identifier shapes: digits, capitals, `|`, spaces, Vietnamese text. */
const noisyString = fc.oneof(
  fc.string(),
  fc.string({ unit: 'grapheme' }),
  fc.stringMatching(/^[0-9A-Za-z| \-/]{0,40}$/),
  fc.array(fc.stringMatching(/^[0-9A-Za-zữễ/ $-]{0,16}$/), { maxLength: 12 }).map((a) => a.join('|')),
);

const parsers: Array<[string, (s: string) => unknown]> = [
  ['parseCitizenId', (s) => parseCitizenId(s, { birthYear: 1990, sex: 'FEMALE', referenceYear: 2026 })],
  ['parseOldId', parseOldId],
  ['parsePassport', parsePassport],
  ['parseBhytCardNumber', parseBhytCardNumber],
  ['parseSocialInsuranceNumber', parseSocialInsuranceNumber],
  ['parseFacilityCode', parseFacilityCode],
  ['parseCccdQr', parseCccdQr],
  ['parseBhytQr', parseBhytQr],
  ['detectIdentifier', detectIdentifier],
  ['maskIdentifier', maskIdentifier],
];

describe('robustness on arbitrary input', () => {
  it.each(parsers)('%s never throws on random strings', (_name, parse) => {
    fc.assert(
      fc.property(noisyString, (s) => void parse(s)),
      { numRuns: 500 },
    );
  });

  it.each(parsers.slice(0, 8))('%s never echoes a long input in its errors', (_name, parse) => {
    fc.assert(
      fc.property(fc.stringMatching(/^[0-9A-Z|]{8,40}$/), (s) => {
        const r = parse(s) as { ok: boolean; errors?: unknown };
        if (!r.ok) expect(JSON.stringify(r.errors)).not.toContain(s);
      }),
      { numRuns: 300 },
    );
  });

  it('returns a failed result, not an exception, for non-string input from untyped callers', () => {
    const junk = [undefined, null, 42, {}] as unknown as string[];
    for (const j of junk) {
      expect(parseCitizenId(j).ok).toBe(false);
      expect(parseBhytCardNumber(j).ok).toBe(false);
      expect(parseCccdQr(j).ok).toBe(false);
      expect(parseBhytQr(j).ok).toBe(false);
      expect(detectIdentifier(j)).toEqual({ kind: 'UNKNOWN' });
    }
  });
});
