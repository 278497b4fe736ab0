import { randomUUID } from 'node:crypto';
import { listScenarios } from '@bhyt/xml130/testing';
import { wardEventsFromRecord } from './decompose';
import { applyWardEvent, openDraft, type EncounterDraft } from './draft';
import { checkWardEventAgainstEncounter, checkWardEventOnReceipt } from './receipt';
import type { WardEvent } from './ward-events';

const clock = (iso: string) => ({ now: new Date(iso), toleranceMs: 5 * 60_000 });
const start = new Date('2026-11-02T01:30:00Z');
const record = listScenarios()
  .find((s) => s.name === 'outpatientVisit')!
  .build({ facilityCode: '79001', maLk: 'LK1', patientSeed: 7, start });
const events = wardEventsFromRecord(record, new Date('2026-11-02T04:00:00Z'));
const draftOf = (evs: WardEvent[]): EncounterDraft =>
  evs.reduce(
    (d, e) => applyWardEvent(d, e),
    openDraft({
      facilityCode: '79001',
      maLk: 'LK1',
      careType: record.careType,
      registeredAt: start.toISOString(),
      patient: { maBn: 'BN1', fullName: 'X', birthDate: '198501010000', sex: '1' },
    }),
  );
const none = { eventIds: new Set<string>(), retractions: new Set<string>() };

describe('ward events checked on receipt', () => {
  it('accepts every event of every scenario the demo and tests play', () => {
    for (const s of listScenarios()) {
      const r = s.build({ facilityCode: '79001', maLk: 'LK1', patientSeed: 11, start });
      const evs = wardEventsFromRecord(r, r.dischargedAt);
      const refused = evs
        .map((e) =>
          checkWardEventOnReceipt(
            JSON.parse(JSON.stringify(e)),
            clock(new Date(r.dischargedAt.getTime() + 3600_000).toISOString()),
          ),
        )
        .filter((x) => x.errors.length);
      expect({ scenario: s.name, refused: refused.map((x) => x.errors) }).toEqual({
        scenario: s.name,
        refused: [],
      });
    }
  });

  it('fits every event of every scenario to its encounter, in the order a ward system sends them', () => {
    for (const s of listScenarios()) {
      const r = s.build({ facilityCode: '79001', maLk: 'LK1', patientSeed: 11, start });
      let draft = openDraft({
        facilityCode: '79001',
        maLk: 'LK1',
        careType: r.careType,
        registeredAt: r.admittedAt.toISOString(),
        patient: { maBn: 'BN1', fullName: 'X', birthDate: '198501010000', sex: '1' },
      });
      const refused: string[] = [];
      const seen = new Set<string>();
      for (const e of wardEventsFromRecord(r, r.dischargedAt).map(
        (x) => JSON.parse(JSON.stringify(x)) as WardEvent,
      )) {
        refused.push(
          ...checkWardEventAgainstEncounter(draft, e, { eventIds: seen, retractions: new Set() }).map(
            (x) => `${e.type} ${x.field} ${x.code}`,
          ),
        );
        seen.add(e.eventId);
        draft = applyWardEvent(draft, e);
      }
      expect({ scenario: s.name, refused }).toEqual({ scenario: s.name, refused: [] });
    }
  });

  it('refuses a date later than the clock plus its tolerance, naming the field', () => {
    const service = events.find((e) => e.type === 'service.ordered')!;
    const late = { ...service, data: { ...service.data, executedAt: '2099-01-01T00:00:00Z' } };
    expect(checkWardEventOnReceipt(late, clock('2026-11-02T04:00:00Z')).errors).toEqual([
      expect.objectContaining({ field: 'data.executedAt', code: 'DATE_IN_FUTURE' }),
    ]);
    expect(
      checkWardEventOnReceipt(
        { ...service, occurredAt: '2026-11-02T04:04:00Z' },
        clock('2026-11-02T04:00:00Z'),
      ).errors,
    ).toEqual([]);
  });

  it('refuses care dated after the recorded discharge, and a discharge before recorded care', () => {
    const discharge = events.find((e) => e.type === 'discharge')!;
    const service = events.find((e) => e.type === 'service.ordered')!;
    const afterDischarge = {
      ...service,
      eventId: randomUUID(),
      data: { ...service.data, executedAt: new Date(record.dischargedAt.getTime() + 3600_000).toISOString() },
    };
    expect(
      checkWardEventAgainstEncounter(draftOf(events), afterDischarge, none).map((e) => [e.field, e.code]),
    ).toEqual([['data.executedAt', 'AFTER_DISCHARGE']]);
    const early = {
      ...discharge,
      eventId: randomUUID(),
      data: { ...discharge.data, dischargedAt: new Date(start.getTime() + 60_000).toISOString() },
    };
    expect(
      checkWardEventAgainstEncounter(draftOf(events.filter((e) => e.type !== 'discharge')), early, none).map(
        (e) => e.code,
      ),
    ).toEqual(['DISCHARGE_BEFORE_RECORDED_CARE']);
  });

  it('refuses a retraction of an event this encounter never recorded', () => {
    const retraction: WardEvent = {
      ...events[0]!,
      eventId: randomUUID(),
      type: 'retraction',
      data: { eventId: randomUUID() },
    };
    expect(checkWardEventAgainstEncounter(draftOf(events), retraction, none).map((e) => e.code)).toEqual([
      'RETRACTED_EVENT_UNKNOWN',
    ]);
  });
});
