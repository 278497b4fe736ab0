import { listScenarios } from '@bhyt/xml130/testing';
// The demo's own generator on purpose: what it sends must pass the checks at the door (issue 23).
// eslint-disable-next-line @nx/enforce-module-boundaries
import { registrationFor } from '../../../tools/platform/demo';
import { checkIdentifier, checkRegistrationDates } from './identifier-check';
import { RegisterVisitRequest } from './registration.schema';

const record = listScenarios()[0]!.build({
  facilityCode: '79001',
  maLk: 'LK',
  patientSeed: 42,
  start: new Date('2026-11-02T01:30:00Z'),
});
const byQr = RegisterVisitRequest.parse(registrationFor(record, 'VNEID_QR', 'r-1'));
const now = new Date('2026-11-02T03:00:00Z');
const codes = (r: { errors: Array<{ code: string }>; warnings?: Array<{ code: string }> }) => ({
  errors: r.errors.map((e) => e.code),
  warnings: (r.warnings ?? []).map((e) => e.code),
});

describe('a VNeID QR against the typed patient data', () => {
  it('accepts a QR that matches the typed name, birth date, sex and address', () => {
    expect(codes(checkIdentifier(byQr))).toEqual({ errors: [], warnings: [] });
  });

  it('refuses a QR whose name is another person’s', () => {
    expect(
      codes(checkIdentifier({ ...byQr, patient: { ...byQr.patient, fullName: 'Trần Văn Khác' } })),
    ).toEqual({ errors: ['QR_NAME_MISMATCH'], warnings: [] });
  });

  it('warns, without refusing, about a name typed without diacritics and a moved address', () => {
    const bare = record.patient.fullName
      .normalize('NFD')
      .replace(/\p{M}/gu, '')
      .replace(/[đĐ]/g, 'd')
      .toUpperCase();
    expect(
      codes(
        checkIdentifier({ ...byQr, patient: { ...byQr.patient, fullName: bare, address: 'somewhere else' } }),
      ),
    ).toEqual({ errors: [], warnings: ['QR_NAME_DIACRITICS', 'QR_ADDRESS_DIFFERS'] });
  });

  it('refuses a birth date or sex that differs from the QR', () => {
    const other = {
      ...byQr,
      patient: {
        ...byQr.patient,
        birthDate: `${Number(byQr.patient.birthDate.slice(0, 4))}0101`,
        sex: byQr.patient.sex === '1' ? ('2' as const) : ('1' as const),
      },
    };
    expect(checkIdentifier(other).errors.map((e) => e.code)).toEqual(
      expect.arrayContaining(['QR_BIRTH_DATE_MISMATCH', 'QR_SEX_MISMATCH']),
    );
  });
});

describe('registration dates', () => {
  const byCccd = RegisterVisitRequest.parse(registrationFor(record, 'CCCD', 'r-2'));
  it('refuses an impossible birth date and a visit registered in the future', () => {
    const bad = {
      ...byCccd,
      patient: { ...byCccd.patient, birthDate: '19851345' },
      registeredAt: '2030-01-01T00:00:00Z',
    };
    expect(checkRegistrationDates(bad, now, 5 * 60_000).map((e) => [e.field, e.code])).toEqual([
      ['patient.birthDate', 'DATE_INVALID'],
      ['registeredAt', 'DATE_IN_FUTURE'],
    ]);
  });
  it('accepts a visit a few minutes ahead of the clock (tolerance) and unknown birth day/month', () => {
    const ok = {
      ...byCccd,
      patient: { ...byCccd.patient, birthDate: '198500000000' },
      registeredAt: '2026-11-02T03:04:00Z',
    };
    expect(checkRegistrationDates(ok, now, 5 * 60_000)).toEqual([]);
  });
});
