import { parseCheckinDocument, type EncounterRecord } from '@bhyt/xml130';
import { listScenarios } from '@bhyt/xml130/testing';
import { applyWardEvent, openDraft, type EncounterDraft } from './draft';
import { buildCheckin, checkinDue } from './checkin';
import { wardEventsFromRecord } from './decompose';

const start = new Date('2026-03-02T01:00:00Z');
const record = (name: string): EncounterRecord =>
  listScenarios()
    .find((s) => s.name === name)!
    .build({ facilityCode: '79001', maLk: `79001_2026_03_${name}`, patientSeed: 7, start });

/** Plays a record's ward events into a fresh draft, noting the check-ins due on the way. */
function play(r: EncounterRecord, change: (d: EncounterDraft) => EncounterDraft = (d) => d) {
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
  let sent = 0;
  const due: Array<{ sequence: number; afterEvent: string }> = [];
  for (const event of wardEventsFromRecord(r)) {
    draft = change(applyWardEvent(draft, event));
    for (let d = checkinDue(draft, sent); d; d = checkinDue(draft, sent)) {
      due.push({ sequence: d.sequence, afterEvent: event.type });
      sent = d.sequence;
    }
  }
  return { draft, due };
}

describe('check-in (XML0) trigger', () => {
  it('sends sequence 1 at the first billable item of an outpatient visit, and nothing more', () => {
    expect(play(record('outpatientVisit')).due).toEqual([{ sequence: 1, afterEvent: 'service.ordered' }]);
  });

  it('sends sequence 2 at the first item at the treating department of an inpatient stay', () => {
    const { due } = play(record('inpatient'));
    expect(due.map((d) => d.sequence)).toEqual([1, 2]);
    expect(due[0]!.afterEvent).toBe('service.ordered');
  });

  it('waits for the admission (patient category) before deciding', () => {
    const r = record('telemedicine');
    const draft = applyWardEvent(
      openDraft({
        facilityCode: r.facilityCode,
        maLk: r.maLk,
        careType: r.careType,
        registeredAt: r.admittedAt.toISOString(),
        patient: { maBn: 'BN1', fullName: 'X', birthDate: '199001010000', sex: '1' },
      }),
      wardEventsFromRecord(r).find((e) => e.type === 'drug.ordered')!,
    );
    expect(checkinDue(draft, 0)).toBeUndefined();
    expect(checkinDue({ ...draft, patientCategory: r.patientCategory }, 0)?.sequence).toBe(1);
  });

  it('never sends one for an emergency (MA_DOITUONG_KCB 2)', () => {
    expect(play(record('inpatient'), (d) => ({ ...d, patientCategory: '2' })).due).toEqual([]);
  });

  it('dates the check-in at the earliest billable item, whatever order the orders arrived in', () => {
    const { draft } = play(record('inpatient'));
    const times = [...draft.services, ...draft.drugs].map((l) =>
      Date.parse(String((l as { orderedAt: string }).orderedAt)),
    );
    expect(checkinDue(draft, 0)!.firstBillableAt.getTime()).toBe(Math.min(...times));
  });

  it('builds an XML0 document the XML library reads back, with the department admission on sequence 2', () => {
    const { draft } = play(record('inpatient'));
    const first = buildCheckin(draft, checkinDue(draft, 0)!);
    const second = buildCheckin(draft, checkinDue(draft, 1)!);
    if (!first.ok || !second.ok) throw new Error('check-in invalid');
    const [row1] = parseCheckinDocument(first.xml);
    const [row2] = parseCheckinDocument(second.xml);
    expect(row1!.MA_LK).toBe(draft.maLk);
    expect(row1!.NGAY_VAO_NOI_TRU).toBe('');
    expect(row2!.NGAY_VAO_NOI_TRU).toMatch(/^\d{12}$/);
  });

  it('reports a draft the XML library cannot read instead of throwing', () => {
    const { draft } = play(record('outpatientVisit'));
    const broken = {
      ...draft,
      patient: { ...draft.patient, birthDateTime: 12 as unknown as string },
      services: [{ orderedAt: draft.admittedAt, code: null }],
    } as EncounterDraft;
    const doc = buildCheckin(broken, checkinDue(broken, 0)!);
    expect(doc.ok).toBe(false);
  });
});
