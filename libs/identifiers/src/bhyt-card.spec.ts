import fc from 'fast-check';
import { BHYT_OBJECT_GROUPS, parseBhytCardNumber, parseSocialInsuranceNumber } from './bhyt-card';
import { bhytCardArb } from './test-arbitraries';
import { UNCONFIRMED_BHYT_OBJECT_GROUPS } from './unconfirmed';

const errs = (r: ReturnType<typeof parseBhytCardNumber>): Array<[string, string | undefined]> =>
  r.ok ? [] : r.errors.map((e) => [e.code, e.gatewayCode]);

describe('parseBhytCardNumber', () => {
  it('splits the gateway example card into group, benefit level, province and social-insurance number', () => {
    expect(parseBhytCardNumber('GD4797912345678')).toEqual({
      ok: true,
      value: {
        number: 'GD4797912345678',
        objectGroup: 'GD',
        benefitLevel: 4,
        issuer: { kind: 'PROVINCE', code: '79', province: { code: '79', name: 'TP Hồ Chí Minh' } },
        socialInsuranceNumber: '7912345678',
      },
    });
  });

  it('accepts typed input in lower case and with spaces', () => {
    const r = parseBhytCardNumber('hs 4 01 0120878811');
    expect(r.ok && r.value.number).toBe('HS4010120878811');
  });

  it('rejects wrong lengths as a wrong card number (gateway 051)', () => {
    expect(errs(parseBhytCardNumber('GD479791234567'))).toEqual([['BHYT_LENGTH', '051']]);
    expect(errs(parseBhytCardNumber(''))).toEqual([['BHYT_EMPTY', '051']]);
  });

  it('maps a wrong benefit digit to gateway 053 and a wrong province part to gateway 052', () => {
    expect(errs(parseBhytCardNumber('GD6797912345678'))).toEqual([['BHYT_BENEFIT_LEVEL', '053']]);
    expect(errs(parseBhytCardNumber('GD0797912345678'))).toEqual([['BHYT_BENEFIT_LEVEL', '053']]);
    expect(errs(parseBhytCardNumber('GD4037912345678'))).toEqual([['BHYT_PROVINCE', '052']]);
    expect(errs(parseBhytCardNumber('GD4AB7912345678'))).toEqual([['BHYT_PROVINCE', '052']]);
  });

  it('maps unknown or malformed groups and a non-numeric social-insurance part to gateway 051', () => {
    expect(errs(parseBhytCardNumber('ZZ4797912345678'))).toEqual([['BHYT_GROUP_UNKNOWN', '051']]);
    expect(errs(parseBhytCardNumber('G14797912345678'))).toEqual([['BHYT_GROUP_FORMAT', '051']]);
    expect(errs(parseBhytCardNumber('GD479791234567X'))).toEqual([['BHYT_SOCIAL_INSURANCE_NUMBER', '051']]);
  });

  it('reports every wrong box of one card together', () => {
    expect(errs(parseBhytCardNumber('ZZ9007912345X78')).map(([c]) => c)).toEqual([
      'BHYT_GROUP_UNKNOWN',
      'BHYT_BENEFIT_LEVEL',
      'BHYT_PROVINCE',
      'BHYT_SOCIAL_INSURANCE_NUMBER',
    ]);
  });

  it('accepts unconfirmed groups only when the caller passes them', () => {
    for (const g of UNCONFIRMED_BHYT_OBJECT_GROUPS) {
      expect(BHYT_OBJECT_GROUPS).not.toContain(g);
      expect(errs(parseBhytCardNumber(`${g}4797912345678`))).toEqual([['BHYT_GROUP_UNKNOWN', '051']]);
      expect(
        parseBhytCardNumber(`${g}4797912345678`, { extraObjectGroups: UNCONFIRMED_BHYT_OBJECT_GROUPS }).ok,
      ).toBe(true);
    }
  });

  it('accepts the (unconfirmed) Defence/Police issuer codes 97 and 98 unless disabled', () => {
    const r = parseBhytCardNumber('QN5970123456789');
    expect(r.ok && r.value.issuer).toMatchObject({ kind: 'SPECIAL', code: '97' });
    expect(errs(parseBhytCardNumber('CA5980123456789', { allowSpecialIssuers: false }))).toEqual([
      ['BHYT_PROVINCE', '052'],
    ]);
  });

  it('contains only two-letter ASCII groups without duplicates', () => {
    expect(BHYT_OBJECT_GROUPS.every((g) => /^[A-Z]{2}$/.test(g))).toBe(true);
    expect(new Set(BHYT_OBJECT_GROUPS).size).toBe(BHYT_OBJECT_GROUPS.length);
  });

  it('never puts the card number into errors', () => {
    const r = parseBhytCardNumber('ZZ9007912345X78');
    expect(JSON.stringify(r)).not.toMatch(/7912345/);
  });

  it('always parses generated valid cards back into their boxes', () => {
    fc.assert(
      fc.property(bhytCardArb, (c) => {
        const r = parseBhytCardNumber(c.number);
        expect(r.ok).toBe(true);
        if (r.ok) {
          expect(r.value).toMatchObject({
            objectGroup: c.group,
            benefitLevel: c.level,
            socialInsuranceNumber: c.si,
          });
          expect(r.value.issuer.code).toBe(c.province);
        }
      }),
    );
  });

  it('detects any benefit digit outside 1–5 with gateway code 053 only', () => {
    fc.assert(
      fc.property(bhytCardArb, fc.constantFrom('0', '6', '7', '8', '9'), (c, digit) => {
        const mutated = `${c.number.slice(0, 2)}${digit}${c.number.slice(3)}`;
        expect(errs(parseBhytCardNumber(mutated))).toEqual([['BHYT_BENEFIT_LEVEL', '053']]);
      }),
    );
  });
});

describe('parseSocialInsuranceNumber', () => {
  it('accepts exactly 10 digits', () => {
    expect(parseSocialInsuranceNumber('79 1234 5678')).toEqual({ ok: true, value: { number: '7912345678' } });
    expect(parseSocialInsuranceNumber('791234567').ok).toBe(false);
    expect(parseSocialInsuranceNumber('').ok).toBe(false);
  });
});
