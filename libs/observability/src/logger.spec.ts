import { Writable } from 'node:stream';
import fc from 'fast-check';
import pino from 'pino';
import { redact, scrubText, createLogger, PERSONAL_DATA_KEYS } from './logger';

describe('personal-data redaction', () => {
  it('replaces personal-data fields at any depth', () => {
    const out = redact({
      maLk: 'LK1',
      patient: { fullName: 'NGUYEN VAN A' },
      nested: { SO_CCCD: '079085000123', ok: 1 },
    });
    expect(out).toEqual({ maLk: 'LK1', patient: '[redacted]', nested: { SO_CCCD: '[redacted]', ok: 1 } });
  });

  it('keeps the type name of a logged error but not a person named under "name"', () => {
    expect(redact({ error: { name: 'TypeError', message: 'x' }, holder: { name: 'NGUYEN VAN A' } })).toEqual({
      error: { name: 'TypeError', message: 'x' },
      holder: { name: '[redacted]' },
    });
  });

  it('scrubs citizen-ID and card-number shapes from free text', () => {
    expect(scrubText('lookup of 079085000123 and GD4797912345678 failed')).toBe(
      'lookup of [redacted] and [redacted] failed',
    );
  });

  it('keeps facility codes and MA_LK values readable', () => {
    expect(scrubText('facility 79001 claim 79001.2026.000123')).toBe(
      'facility 79001 claim 79001.2026.000123',
    );
  });

  it('never writes a CCCD into the JSON log line', () => {
    const lines: string[] = [];
    const sink = new Writable({ write: (chunk, _e, cb) => (lines.push(String(chunk)), cb()) });
    const base = createLogger('test');
    const logger = pino(
      { ...base.levels, level: 'info', formatters: { log: (o) => redact(o) as Record<string, unknown> } },
      sink,
    );
    logger.info({ citizenId: '079085000123', detail: 'card 079085000123' }, 'registered');
    expect(lines.join('')).not.toContain('079085000123');
    expect(lines.join('')).toContain('registered');
  });
});

describe('personal-data redaction, property-based', () => {
  // Generators for the personal data of the platform's patients.
  const digits = (n: number) =>
    fc.array(fc.integer({ min: 0, max: 9 }), { minLength: n, maxLength: n }).map((d) => d.join(''));
  const cccd = digits(12);
  const oldId = digits(9);
  const card = fc
    .tuple(
      fc.constantFrom('GD', 'DN', 'HN', 'TE', 'CN', 'HT', 'gd'),
      fc.integer({ min: 1, max: 5 }),
      digits(12),
    )
    .map(([prefix, level, rest]) => `${prefix}${level}${rest}`);
  const day = fc.integer({ min: 1, max: 28 }).map((d) => String(d).padStart(2, '0'));
  const month = fc.integer({ min: 1, max: 12 }).map((m) => String(m).padStart(2, '0'));
  const year = fc.integer({ min: 1930, max: 2025 }).map(String);
  const birthDate = fc.oneof(
    fc.tuple(day, month, year).map(([d, m, y]) => `${d}/${m}/${y}`),
    fc.tuple(day, month, year).map(([d, m, y]) => `${d}${m}${y}`),
    fc.tuple(year, month, day).map(([y, m, d]) => `${y}${m}${d}0830`), // yyyyMMddHHmm as in XML 130
  );
  const syllable = fc.constantFrom(
    'Nguyễn',
    'Trần',
    'Lê',
    'Phạm',
    'Hoàng',
    'Huỳnh',
    'Võ',
    'Đặng',
    'Bùi',
    'Thị',
    'Văn',
    'Minh',
    'Thu',
    'Hương',
    'Quốc',
    'Bảo',
  );
  const fullName = fc.array(syllable, { minLength: 3, maxLength: 4 }).map((w) => w.join(' ').toUpperCase());
  const qr = fc
    .tuple(cccd, oldId, fullName, birthDate)
    .map(([c, o, n, b]) => `${c}|${o}|${n}|${b}|Nam|12 Lê Lợi, Quận 1|15072021`);
  const identifierShaped = fc.oneof(cccd, oldId, card, birthDate);
  const personalKey = fc.constantFrom(...PERSONAL_DATA_KEYS);
  const harmlessKey = fc.constantFrom('detail', 'note', 'reason', 'items', 'context', 'step');

  /** A random object tree with the secrets planted at random depths: under personal-data keys (any value) or inside free text. */
  function planted(secret: fc.Arbitrary<string>, textSecret: fc.Arbitrary<string>) {
    const leaf = fc.oneof(
      fc.tuple(personalKey, secret).map(([k, v]) => ({ [k]: v })),
      fc
        .tuple(harmlessKey, textSecret, fc.lorem({ maxCount: 3 }))
        .map(([k, v, words]) => ({ [k]: `${words} ${v} ${words}` })),
      fc.tuple(harmlessKey, textSecret).map(([k, v]) => ({ [k]: [`see ${v}`] })),
      fc.tuple(harmlessKey, textSecret).map(([k, v]) => ({ [k]: new Error(`lookup of ${v} failed`) })),
    );
    return fc
      .tuple(fc.array(leaf, { minLength: 1, maxLength: 4 }), fc.array(harmlessKey, { maxLength: 14 }))
      .map(([leaves, path]) => {
        let node: Record<string, unknown> = Object.assign({}, ...leaves, {
          facility: '79001',
          maLk: '79001_2026_01_0000123',
        });
        for (const k of path) node = { [k]: node };
        return node;
      });
  }

  const captureLine = (write: (logger: ReturnType<typeof createLogger>) => void): string => {
    const lines: string[] = [];
    const sink = new Writable({ write: (chunk, _e, cb) => (lines.push(String(chunk)), cb()) });
    write(createLogger('prop-test', 'info', sink));
    return lines.join('');
  };

  it('never writes a CCCD, card number, birth date or name planted anywhere in a logged object', () => {
    const secretValue = fc.oneof(cccd, card, birthDate, fullName, qr);
    const textSecret = fc.oneof(identifierShaped, qr);
    fc.assert(
      fc.property(planted(secretValue, textSecret), (obj) => {
        const line = captureLine((l) => l.warn(obj, 'registration failed'));
        const secrets = collectStrings(obj).flatMap(extractSecrets);
        for (const s of secrets) expect(line).not.toContain(s);
        expect(line).toContain('79001_2026_01_0000123');
      }),
      { numRuns: 300 },
    );
  });

  it('never writes identifier-shaped data from messages and interpolation arguments', () => {
    fc.assert(
      fc.property(fc.oneof(identifierShaped, qr), fc.oneof(identifierShaped, qr), (inMessage, inArgument) => {
        const line = captureLine((l) =>
          l.info(`card check for ${inMessage} answered %o`, { detail: inArgument, patient: { hoTen: 'X' } }),
        );
        for (const s of [...extractSecrets(inMessage), ...extractSecrets(inArgument)])
          expect(line).not.toContain(s);
      }),
      { numRuns: 200 },
    );
  });

  it('replaces objects nested deeper than it walks instead of passing them through', () => {
    let deep: Record<string, unknown> = { note: 'holder 079085000123' };
    for (let i = 0; i < 30; i++) deep = { step: deep };
    expect(JSON.stringify(redact(deep))).not.toContain('079085000123');
  });
});

/** Every string in a value (object keys excluded). */
function collectStrings(v: unknown): string[] {
  if (typeof v === 'string') return [v];
  if (v instanceof Error) return [v.message];
  if (Array.isArray(v)) return v.flatMap(collectStrings);
  if (v && typeof v === 'object') return Object.values(v).flatMap(collectStrings);
  return [];
}

/** The personal parts of a planted string: identifier-shaped tokens and QR fields (names). */
function extractSecrets(s: string): string[] {
  const out = s.match(/\d{8,12}|\d{2}\/\d{2}\/\d{4}|[A-Za-z]{2}[1-5]\d{12}/g) ?? [];
  const names = s.match(/[A-ZĐÀ-Ỹ][A-ZĐÀ-Ỹ]+(?: [A-ZĐÀ-Ỹ][A-ZĐÀ-Ỹ]+){2,}/gu) ?? [];
  return [...out, ...names];
}
