import { randomUUID } from 'node:crypto';
import type { EncounterRecord } from '@bhyt/xml130';
import { ADMISSION_FIELDS, DISCHARGE_FIELDS, WardEvent } from './ward-events';

const json = <T>(v: T): Record<string, unknown> => JSON.parse(JSON.stringify(v)) as Record<string, unknown>;
const pick = (r: EncounterRecord, keys: readonly string[]) =>
  json(Object.fromEntries(Object.entries(r).filter(([k]) => keys.includes(k))));

/**
 * What a ward system would send over an encounter, derived from a complete record: the
 * admission, diagnoses, every order and result, notes, papers and the discharge, in the order
 * they happen. Used by the demo, the e2e tests and the benchmarks to play a ward system.
 */
export function wardEventsFromRecord(record: EncounterRecord, at: Date = new Date()): WardEvent[] {
  const base = {
    facilityCode: record.facilityCode,
    maLk: record.maLk,
    occurredAt: at.toISOString(),
    source: 'HIS',
  };
  const ev = (type: WardEvent['type'], data: Record<string, unknown>, source = 'HIS'): WardEvent => ({
    ...base,
    eventId: randomUUID(),
    type,
    data,
    source,
  });
  const events: WardEvent[] = [
    ev('admission', {
      ...pick(record, ADMISSION_FIELDS),
      patient: json(record.patient),
      cards: json(record.cards),
    }),
    ev('diagnosis', json(record.diagnoses)),
  ];
  for (const s of record.services) events.push(ev('service.ordered', json(s)));
  for (const d of record.drugs) events.push(ev('drug.ordered', json(d), 'PHARMACY'));
  for (const s of record.supplies) events.push(ev('supply.used', json(s)));
  for (const r of record.results) events.push(ev('result.reported', json(r), 'LIS'));
  for (const n of record.clinicalNotes) events.push(ev('note.recorded', json(n)));
  if (record.referral) events.push(ev('referral', json(record.referral)));
  if (record.followUp) events.push(ev('follow-up', json(record.followUp)));
  if (record.sickLeave) events.push(ev('sick-leave', json(record.sickLeave)));
  for (const b of record.birthCertificates ?? []) events.push(ev('birth-certificate', json(b)));
  if (record.tbTreatment) events.push(ev('tb-treatment', json(record.tbTreatment)));
  events.push(ev('discharge', pick(record, DISCHARGE_FIELDS)));
  return events;
}
