import { randomUUID } from 'node:crypto';
import {
  buildClaimTables,
  parseClaimTables,
  serializeClaimTables,
  standardOfTables,
  tableSpec,
  validateClaim,
  type EncounterRecord,
} from '@bhyt/xml130';
import { listScenarios } from '@bhyt/xml130/testing';
import { applyWardEvent, materialize, openDraft, type EncounterDraft } from './draft';
import { wardEventsFromRecord } from './decompose';

/**
 * Migration from the 4750 shape: versions closed before the platform wrote 3176 are stored as
 * 4750 files (encounter_versions.tables). A correcting ward event re-opens the draft and the
 * close step rebuilds the claim from the draft (materialize → buildClaimTables, as
 * EncounterService.close does) — under the rules of the day the encounter ended, whatever shape
 * the stored version has.
 */
const record = (name: string, start: Date): EncounterRecord =>
  listScenarios()
    .find((s) => s.name === name)!
    .build({ facilityCode: '79001', maLk: `79001_${name}_${start.getTime()}`, patientSeed: 11, start });

function draftOf(r: EncounterRecord): EncounterDraft {
  const p = r.patient;
  let draft = openDraft({
    facilityCode: r.facilityCode,
    maLk: r.maLk,
    careType: r.careType,
    registeredAt: r.admittedAt.toISOString(),
    patient: {
      maBn: p.patientId,
      fullName: p.fullName,
      birthDate: p.birthDateTime,
      sex: String(p.sex) as '1' | '2',
    },
  });
  for (const event of wardEventsFromRecord(r)) draft = applyWardEvent(draft, event);
  return draft;
}

/** A correcting ward event after the close: the discharge diagnosis text is amended. */
function correct(draft: EncounterDraft): EncounterDraft {
  const diagnoses = {
    ...(draft.diagnoses as Record<string, unknown>),
    dischargeText: 'Cơn đau thắt ngực không ổn định',
  };
  return applyWardEvent(draft, {
    eventId: randomUUID(),
    facilityCode: draft.facilityCode,
    maLk: draft.maLk,
    type: 'diagnosis',
    occurredAt: new Date().toISOString(),
    source: 'HIS',
    data: diagnoses,
  });
}

describe('correcting a claim stored in the 4750 shape', () => {
  it('rebuilds version + 1 of an encounter ended in 2025 or later in the 3176 shape, valid and round-tripping', () => {
    const r = record('referral', new Date('2026-11-02T01:30:00Z'));
    const draft = draftOf(r);
    // Version 1 as the platform stored it before 3176: 4750 tables, 4750 XML13 elements.
    const stored = serializeClaimTables(buildClaimTables(materialize(draft), { standard: '4750' }), '4750');
    const v1 = parseClaimTables(stored, { standard: '4750' });
    expect(v1.XML13![0]).toHaveProperty('MA_NOI_DI');
    expect(v1.XML13![0]).toHaveProperty('TEN_DICH_VU');

    const v2 = buildClaimTables(materialize(correct(draft)));
    expect(standardOfTables(v2)).toBe('3176');
    expect(Object.keys(v2.XML13![0]!)).toEqual(tableSpec('XML13', '3176').fieldNames);
    expect(v2.XML1![0]!.CHAN_DOAN_RV).toBe('Cơn đau thắt ngực không ổn định');
    expect(v2.XML1![0]!.MA_TTDV).toBe(r.headOfFacility);
    expect(validateClaim(v2)).toEqual([]);
    expect(parseClaimTables(serializeClaimTables(v2))).toEqual(v2);
  });

  it('rebuilds version + 1 of an encounter ended before 2025 in the 4750 shape, as its date requires', () => {
    const r = record('followUpAppointment', new Date('2024-12-10T01:30:00Z'));
    const draft = draftOf(r);
    const v2 = buildClaimTables(materialize(correct(draft)));
    expect(standardOfTables(v2)).toBe('4750');
    expect(v2.XML14![0]!.NGAY_HEN_KL).toMatch(/^\d{12}$/);
    expect(v2.XML1![0]!.MA_TTDV).toMatch(/^\d{10}$/);
    expect(validateClaim(v2)).toEqual([]);
    expect(parseClaimTables(serializeClaimTables(v2))).toEqual(v2);
  });
});
