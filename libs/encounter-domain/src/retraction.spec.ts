import { randomUUID } from 'node:crypto';
import { buildClaimTables, validateClaim } from '@bhyt/xml130';
import { listScenarios } from '@bhyt/xml130/testing';
import { wardEventsFromRecord } from './decompose';
import { materialize, openDraft } from './draft';
import { eventsInForce, eventsToFix, rebuildDraft, type RecordedEvent } from './retraction';

const start = new Date('2026-11-02T01:30:00Z');
const record = listScenarios()
  .find((s) => s.name === 'outpatientVisit')!
  .build({ facilityCode: '79001', maLk: 'LK1', patientSeed: 7, start });
const opening = openDraft({
  facilityCode: '79001',
  maLk: 'LK1',
  careType: record.careType,
  registeredAt: start.toISOString(),
  patient: {
    maBn: record.patient.patientId,
    fullName: record.patient.fullName,
    birthDate: record.patient.birthDateTime,
    sex: String(record.patient.sex) as '1',
  },
});
const recorded: RecordedEvent[] = wardEventsFromRecord(record).map((e) => ({
  eventId: e.eventId,
  type: e.type,
  data: e.data,
}));
const service = recorded.find((e) => e.type === 'service.ordered')!;
const badService: RecordedEvent = {
  eventId: randomUUID(),
  type: 'service.ordered',
  data: { ...service.data, name: 'x'.repeat(5000) },
};

describe('retracting and replacing ward events', () => {
  it('rebuilds the encounter without a retracted event, as if it had never been sent', () => {
    const withBad = [...recorded, badService];
    const retracted = [
      ...withBad,
      { eventId: randomUUID(), type: 'retraction' as const, data: { eventId: badService.eventId } },
    ];
    expect(rebuildDraft(opening, retracted)).toEqual(rebuildDraft(opening, recorded));
    expect(eventsInForce(retracted).map((e) => e.eventId)).not.toContain(badService.eventId);
  });

  it('replaces an event by a corrected one in the same step', () => {
    const fixed: RecordedEvent = {
      eventId: randomUUID(),
      type: 'service.ordered',
      data: { ...service.data, name: 'Khám bệnh' },
      replaces: badService.eventId,
    };
    const draft = rebuildDraft(opening, [...recorded, badService, fixed]);
    expect((draft.services as Array<{ name: string }>).map((s) => s.name)).toEqual([
      ...record.services.map((s) => s.name),
      'Khám bệnh',
    ]);
  });

  it('names the event behind a table violation found at close, and the encounter closes once it is retracted', () => {
    const events = [...recorded, badService];
    const violations = validateClaim(buildClaimTables(materialize(rebuildDraft(opening, events))));
    expect(eventsToFix(violations, events).map((e) => e.eventId)).toEqual([badService.eventId]);
    const fixed = [
      ...events,
      { eventId: randomUUID(), type: 'retraction' as const, data: { eventId: badService.eventId } },
    ];
    expect(validateClaim(buildClaimTables(materialize(rebuildDraft(opening, fixed))))).toEqual([]);
  });
});
