import fc from 'fast-check';
import { parseCccdQr } from './cccd-qr';
import { centurySexDigitFor } from './citizen-id';
import { dateArb, ddMMyyyy, digitsArb, iso, nameArb, provinceCodeArb, sexArb } from './test-arbitraries';

const SAMPLE =
  '079085000123|025123456|Nguyễn Văn An|15061985|Nam|12 Lê Lợi, Phường Bến Nghé, Quận 1, TP Hồ Chí Minh|20042021';
const codes = (r: ReturnType<typeof parseCccdQr>): string[] => (r.ok ? [] : r.errors.map((e) => e.code));

describe('parseCccdQr', () => {
  it('reads the seven fields of a chip-card QR', () => {
    expect(parseCccdQr(SAMPLE)).toEqual({
      ok: true,
      value: expect.objectContaining({
        oldId: '025123456',
        fullName: 'Nguyễn Văn An',
        birthDate: '1985-06-15',
        sex: 'MALE',
        address: '12 Lê Lợi, Phường Bến Nghé, Quận 1, TP Hồ Chí Minh',
        issueDate: '2021-04-20',
        extraFields: [],
        citizenId: expect.objectContaining({ number: '079085000123', birthYear: 1985, sex: 'MALE' }),
      }),
    });
  });

  it('treats an empty old-number field as no old number', () => {
    const r = parseCccdQr('001305012345||Trần Thị Hương|01022005|Nữ|Hà Nội|10102022');
    expect(r.ok && r.value).toMatchObject({ oldId: null, sex: 'FEMALE', birthDate: '2005-02-01' });
  });

  it('accepts the 6-field variant without an old-number field', () => {
    const r = parseCccdQr('001305012345|Trần Thị Hương|01022005|Nữ|Hà Nội|10102022');
    expect(r.ok && r.value).toMatchObject({
      oldId: null,
      fullName: 'Trần Thị Hương',
      issueDate: '2022-10-10',
    });
  });

  it('keeps extra trailing fields of newer cards and tolerates a trailing newline', () => {
    const r = parseCccdQr(`${SAMPLE}|X|Y\r\n`);
    expect(r.ok && r.value.extraFields).toEqual(['X', 'Y']);
  });

  it('accepts a 12-digit previous number in the old-number field', () => {
    expect(parseCccdQr(SAMPLE.replace('025123456', '079085000999')).ok).toBe(true);
  });

  it('accepts sex written in decomposed Unicode or without diacritics', () => {
    const nfd = 'Nữ'.normalize('NFD');
    expect(parseCccdQr(`001305012345||Trần Thị Hương|01022005|${nfd}|Hà Nội|10102022`).ok).toBe(true);
    expect(parseCccdQr('001305012345||Tran Thi Huong|01022005|NU|Ha Noi|10102022').ok).toBe(true);
  });

  it('rejects a QR whose personal ID number disagrees with its own birth year and sex', () => {
    const r = parseCccdQr(SAMPLE.replace('|Nam|', '|Nữ|').replace('15061985', '15061986'));
    expect(r.ok ? [] : r.errors.map((e) => [e.code, e.field])).toEqual([
      ['CCCD_BIRTH_YEAR_MISMATCH', 'cccdQr.citizenId'],
      ['CCCD_SEX_MISMATCH', 'cccdQr.citizenId'],
    ]);
  });

  it('reports each malformed field with its own code', () => {
    expect(codes(parseCccdQr(''))).toEqual(['CCCD_QR_EMPTY']);
    expect(codes(parseCccdQr('079085000123|x|y'))).toEqual(['CCCD_QR_FIELD_COUNT']);
    expect(codes(parseCccdQr('079085000123||A|15061985|Nam|addr'))).toEqual(['CCCD_QR_FIELD_COUNT']);
    expect(codes(parseCccdQr('079085000123|12345|Nguyễn Văn An|15061985|Nam|a|20042021'))).toEqual([
      'CCCD_QR_OLD_ID',
    ]);
    expect(codes(parseCccdQr('079085000123|||15061985|Nam|a|20042021'))).toEqual(['CCCD_QR_NAME_EMPTY']);
    expect(codes(parseCccdQr('079085000123||A|31021985|Nam|a|20042021'))).toEqual(['CCCD_QR_BIRTH_DATE']);
    expect(codes(parseCccdQr('079085000123||A|15061985|M|a|20042021'))).toEqual(['CCCD_QR_SEX']);
    expect(codes(parseCccdQr('079085000123||A|15061985|Nam|a|2004202'))).toEqual(['CCCD_QR_ISSUE_DATE']);
    expect(codes(parseCccdQr('079085000123||A|15061985|Nam|a|01011980'))).toEqual([
      'CCCD_QR_ISSUE_BEFORE_BIRTH',
    ]);
  });

  it('never puts personal data into errors', () => {
    const r = parseCccdQr('003085000123|12345|Nguyễn Văn An|15061986|Nữ|12 Lê Lợi|2004202');
    const text = JSON.stringify(r);
    for (const piece of ['003085000123', '12345', 'Nguyễn', '1506', 'Lê Lợi'])
      expect(text).not.toContain(piece);
  });

  it('round-trips generated chip-card QR texts, with and without the old-number field', () => {
    fc.assert(
      fc.property(
        provinceCodeArb,
        dateArb(1900, 2025),
        sexArb,
        digitsArb(6),
        nameArb,
        fc.option(digitsArb(9), { nil: null }),
        fc.boolean(),
        (prov, birth, sex, serial, name, oldId, sixFields) => {
          const id = `0${prov}${centurySexDigitFor(birth.y, sex)}${String(birth.y % 100).padStart(2, '0')}${serial}`;
          const sexText = sex === 'MALE' ? 'Nam' : 'Nữ';
          const issue = ddMMyyyy({ y: 2025, m: 12, d: 31 });
          const fields = sixFields && oldId === null ? [id] : [id, oldId ?? ''];
          const text = [...fields, name, ddMMyyyy(birth), sexText, 'Địa chỉ', issue].join('|');
          const r = parseCccdQr(text);
          expect(r.ok).toBe(true);
          if (r.ok) {
            expect(r.value).toMatchObject({ oldId, fullName: name, birthDate: iso(birth), sex });
            expect(r.value.citizenId.number).toBe(id);
          }
        },
      ),
    );
  });
});
