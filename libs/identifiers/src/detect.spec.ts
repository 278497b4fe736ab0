import fc from 'fast-check';
import { encodeHexText } from './bhyt-qr';
import { detectIdentifier, isCitizenIdKind } from './detect';
import { bhytCardArb, citizenIdArb } from './test-arbitraries';

describe('detectIdentifier', () => {
  it.each([
    ['079085000123', 'CCCD'],
    [' 079 085 000 123 ', 'CCCD'],
    ['025123456', 'OLD_ID'],
    ['7912345678', 'SOCIAL_INSURANCE_NUMBER'],
    ['GD4797912345678', 'BHYT_CARD'],
    ['gd4 79 7912345678', 'BHYT_CARD'],
    ['C1234567', 'PASSPORT'],
    ['079085000123|025123456|Nguyễn Văn An|15061985|Nam|Quận 1|20042021', 'CCCD_QR'],
    [`GD4797912345678|${encodeHexText('Nguyễn Văn An')}|15/06/1985|1|$`, 'BHYT_QR'],
    ['', 'UNKNOWN'],
    ['hello', 'UNKNOWN'],
    ['12345', 'UNKNOWN'],
    ['AB1234567', 'UNKNOWN'],
    ['x|y|z', 'UNKNOWN'],
  ])('classifies %j as %s', (raw, kind) => {
    expect(detectIdentifier(raw).kind).toBe(kind);
  });

  it('classifies by shape and still reports whether the value is valid', () => {
    const d = detectIdentifier('003085000123');
    expect(d.kind).toBe('CCCD');
    expect(d.kind === 'CCCD' && !d.result.ok && d.result.errors.map((e) => e.code)).toEqual([
      'CCCD_PLACE_CODE_UNKNOWN',
    ]);
  });

  it('returns nothing but the kind for unknown input', () => {
    expect(detectIdentifier('some personal text')).toEqual({ kind: 'UNKNOWN' });
  });

  it('treats CCCD and PERSONAL_ID as the same citizen-ID kind', () => {
    expect(isCitizenIdKind('CCCD')).toBe(true);
    expect(isCitizenIdKind('PERSONAL_ID')).toBe(true);
    expect(isCitizenIdKind('BHYT_CARD')).toBe(false);
  });

  it('classifies every generated personal ID number and card number as valid of its kind', () => {
    fc.assert(
      fc.property(citizenIdArb, bhytCardArb, (id, card) => {
        const a = detectIdentifier(id.number);
        const b = detectIdentifier(card.number);
        expect(a.kind === 'CCCD' && a.result.ok).toBe(true);
        expect(b.kind === 'BHYT_CARD' && b.result.ok).toBe(true);
      }),
    );
  });
});
