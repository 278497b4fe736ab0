import { type EncounterRecord } from '@bhyt/xml130';
import { listScenarios } from '@bhyt/xml130/testing';
import { assembleHealthBook } from './book';
import { toHealthBookEntry } from './entry';
import { decideAccess, HealthBookReadRequest } from './access';

const build = (name: string, facilityCode: string, maLk: string, start: string): EncounterRecord =>
  listScenarios()
    .find((s) => s.name === name)!
    .build({ facilityCode, maLk, patientSeed: 42, start: new Date(start) });

const patientRef = '6f1c2a4e-1b7e-4a57-9a43-2f3d6c1e9b10';

describe('health book assembly', () => {
  const visit = build('outpatientVisit', '79001', 'A', '2026-01-05T02:00:00Z');
  const referral = build('referral', '79002', 'B', '2026-02-10T02:00:00Z');
  const followUp = build('followUpAppointment', '01001', 'C', '2026-03-15T02:00:00Z');
  const entries = [
    toHealthBookEntry(visit, 1, new Date()),
    toHealthBookEntry(referral, 1, new Date()),
    toHealthBookEntry(followUp, 1, new Date()),
  ];

  it('lists every episode across facilities, newest first, with diagnoses and treatment', () => {
    const book = assembleHealthBook(patientRef, entries);
    expect(book.encounters.map((e) => `${e.facilityCode}/${e.maLk}`)).toEqual([
      '01001/C',
      '79002/B',
      '79001/A',
    ]);
    expect(book.encounters[2]!.diagnoses.main).toBe(visit.diagnoses.main);
    expect(book.encounters[2]!.treatment.drugs.map((d) => d.code)).toEqual(visit.drugs.map((d) => d.code));
  });

  it('collects follow-up appointments and referrals with the facility that issued them', () => {
    const book = assembleHealthBook(patientRef, entries);
    expect(book.followUps).toEqual([
      expect.objectContaining({
        facilityCode: '01001',
        maLk: 'C',
        appointmentNumber: followUp.followUp!.appointmentNumber,
      }),
    ]);
    expect(book.referrals).toEqual([
      expect.objectContaining({
        fromFacility: '79002',
        maLk: 'B',
        toFacility: referral.referral!.toFacility,
      }),
    ]);
  });

  it('shows administrative data and insurance as last recorded', () => {
    const book = assembleHealthBook(patientRef, entries);
    expect(book.administrative.fullName).toBe(followUp.patient.fullName);
    expect(book.insurance.cards[0]!.cardNumber).toBe(followUp.cards[0]!.cardNumber);
  });

  it('shows only the latest version of a corrected episode', () => {
    const corrected = { ...toHealthBookEntry(visit, 2, new Date()), reasonForVisit: 'corrected reason' };
    const book = assembleHealthBook(patientRef, [...entries, corrected]);
    expect(book.encounters.filter((e) => e.maLk === 'A')).toEqual([
      expect.objectContaining({ version: 2, reasonForVisit: 'corrected reason' }),
    ]);
  });

  it('falls back to the registration when no episode is closed yet', () => {
    const book = assembleHealthBook(patientRef, [], {
      patient: { fullName: 'X', birthDate: '199001010000', sex: 1 },
      cards: [],
      registeredAt: '2026-03-01T00:00:00.000Z',
    });
    expect(book.encounters).toEqual([]);
    expect(book.administrative.fullName).toBe('X');
  });
});

describe('health book access', () => {
  it('grants a doctor of a facility that has an encounter with the patient', () => {
    expect(decideAccess({ facilityCode: '79001', actorRole: 'DOCTOR' }, new Set(['79001', '01001']))).toEqual(
      { granted: true },
    );
  });

  it('refuses a facility without a care relationship, even for a doctor', () => {
    expect(decideAccess({ facilityCode: '48001', actorRole: 'DOCTOR' }, new Set(['79001']))).toMatchObject({
      granted: false,
      status: 403,
      code: 'NO_CARE_RELATIONSHIP',
    });
  });

  it('refuses roles other than doctor (ward systems read no health books)', () => {
    expect(
      decideAccess({ facilityCode: '79001', actorRole: 'WARD_SYSTEM' }, new Set(['79001'])),
    ).toMatchObject({ granted: false, code: 'ROLE_NOT_ALLOWED' });
  });

  it('refuses a read without a purpose, naming every missing field', () => {
    const r = HealthBookReadRequest.safeParse({ facilityCode: '79001', patientRef });
    expect(r.success).toBe(false);
    expect(r.error!.issues.map((i) => i.path.join('.')).sort()).toEqual(['actor', 'actorRole', 'purpose']);
  });

  it('accepts only opaque actor ids (no names with spaces in the audit trail)', () => {
    const base = { facilityCode: '79001', patientRef, purpose: 'TREATMENT', actorRole: 'DOCTOR' };
    expect(HealthBookReadRequest.safeParse({ ...base, actor: 'doctor-79001' }).success).toBe(true);
    expect(HealthBookReadRequest.safeParse({ ...base, actor: 'Nguyễn Văn An' }).success).toBe(false);
  });
});
