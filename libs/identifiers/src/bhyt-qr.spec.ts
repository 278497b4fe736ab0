import fc from 'fast-check';
import { decodeHexText, encodeHexText, parseBhytQr } from './bhyt-qr';
import { bhytCardArb, dateArb, ddSlash, iso, nameArb } from './test-arbitraries';

const NAME_HEX = encodeHexText('Nguyễn Văn An');
const ADDRESS_HEX = encodeHexText('Quận 1, TP Hồ Chí Minh');
const SAMPLE = `GD4797912345678|${NAME_HEX}|15/06/1985|1|${ADDRESS_HEX}|79 - 001|01/01/2025|31/12/2025|01/01/2025|79123456|-|4|01/06/2026|abcd|$`;
const codes = (r: ReturnType<typeof parseBhytQr>): string[] => (r.ok ? [] : r.errors.map((e) => e.code));

describe('parseBhytQr (unconfirmed layout)', () => {
  it('reads the card, hex-encoded name and address, dates and registered facility', () => {
    const r = parseBhytQr(SAMPLE);
    expect(r.ok && r.value).toEqual({
      card: expect.objectContaining({ number: 'GD4797912345678', benefitLevel: 4 }),
      fullName: 'Nguyễn Văn An',
      birthDate: '1985-06-15',
      sex: 'MALE',
      address: 'Quận 1, TP Hồ Chí Minh',
      registeredFacility: '79001',
      validFrom: '2025-01-01',
      validTo: '2025-12-31',
      issueDate: '2025-01-01',
      extraFields: ['79123456', '-', '4', '01/06/2026', 'abcd'],
    });
  });

  it('accepts a minimal QR, a birth year alone, an open-ended validity and a plain-text name', () => {
    expect(parseBhytQr('TE1790123456789|Bé Na|2024').ok).toBe(true);
    const r = parseBhytQr(`TE1790123456789|${NAME_HEX}|2024|2||79001|01/01/2024|-`);
    expect(r.ok && r.value).toMatchObject({ birthDate: '2024', sex: 'FEMALE', validTo: null, address: null });
  });

  it('reports card errors with the gateway codes under the card field', () => {
    const r = parseBhytQr(`GD6037912345678|${NAME_HEX}|15/06/1985`);
    expect(r.ok ? [] : r.errors.map((e) => [e.code, e.field, e.gatewayCode])).toEqual([
      ['BHYT_BENEFIT_LEVEL', 'bhytQr.card', '053'],
      ['BHYT_PROVINCE', 'bhytQr.card', '052'],
    ]);
  });

  it('reports each malformed field with its own code', () => {
    expect(codes(parseBhytQr(''))).toEqual(['BHYT_QR_EMPTY']);
    expect(codes(parseBhytQr('GD4797912345678|x|$'))).toEqual(['BHYT_QR_FIELD_COUNT']);
    expect(codes(parseBhytQr('GD4797912345678||15/06/1985'))).toEqual(['BHYT_QR_NAME_EMPTY']);
    expect(codes(parseBhytQr('GD4797912345678|A|1985-06-15'))).toEqual(['BHYT_QR_BIRTH_DATE']);
    expect(codes(parseBhytQr('GD4797912345678|A|1985|3'))).toEqual(['BHYT_QR_SEX']);
    expect(codes(parseBhytQr('GD4797912345678|A|1985|1||7900'))).toEqual(['BHYT_QR_REGISTERED_FACILITY']);
    expect(codes(parseBhytQr('GD4797912345678|A|1985|1||79001|32/01/2025|31/12/2024|x'))).toEqual([
      'BHYT_QR_VALID_FROM',
      'BHYT_QR_ISSUE_DATE',
    ]);
    expect(codes(parseBhytQr('GD4797912345678|A|1985|1||79001|01/01/2025|31/12/2024'))).toEqual([
      'BHYT_QR_VALIDITY_ORDER',
    ]);
  });

  it('never puts personal data into errors', () => {
    const text = JSON.stringify(parseBhytQr(`GD6037912345678|${NAME_HEX}|1985-06-15|9|${ADDRESS_HEX}|7900`));
    for (const piece of ['7912345678', NAME_HEX, 'Nguyễn', '1985', ADDRESS_HEX])
      expect(text).not.toContain(piece);
  });

  it('round-trips generated card QR texts', () => {
    fc.assert(
      fc.property(
        bhytCardArb,
        nameArb,
        dateArb(1900, 2025),
        fc.constantFrom('1', '2'),
        (card, name, birth, sex) => {
          const text = [
            card.number,
            encodeHexText(name),
            ddSlash(birth),
            sex,
            encodeHexText('Địa chỉ'),
            '$',
          ].join('|');
          const r = parseBhytQr(text);
          expect(r.ok && r.value).toMatchObject({
            fullName: name,
            birthDate: iso(birth),
            address: 'Địa chỉ',
          });
        },
      ),
    );
  });
});

describe('decodeHexText', () => {
  it('decodes hex UTF-8 and leaves non-hex or invalid UTF-8 as plain text', () => {
    expect(decodeHexText('4e677579e1bb856e')).toBe('Nguyễn');
    expect(decodeHexText('Nguyen')).toBe('Nguyen');
    expect(decodeHexText('abc')).toBe('abc');
    expect(decodeHexText('ff')).toBe('ff');
  });

  it('inverts encodeHexText for any string', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'grapheme', minLength: 1 }),
        (s) => decodeHexText(encodeHexText(s)) === s.normalize('NFC'),
      ),
    );
  });
});
