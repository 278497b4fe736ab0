import { CheckedWardEvent, fromVietnamWallClock, type WardEvent } from '@bhyt/contracts';
import type { EncounterDraft } from './draft';

/** A refusal of a ward event on arrival: the event's own field path, a stable code, no value. */
export interface ReceiptError {
  field: string;
  code: ReceiptErrorCode;
  message: string;
}

export type ReceiptErrorCode =
  | 'SCHEMA'
  | 'DATE_IN_FUTURE'
  | 'AFTER_DISCHARGE'
  | 'BEFORE_ADMISSION'
  | 'EXECUTED_BEFORE_ORDERED'
  | 'DISCHARGE_BEFORE_RECORDED_CARE'
  | 'RETRACTED_EVENT_UNKNOWN'
  | 'RETRACTION_NOT_RETRACTABLE';

export interface ClockPolicy {
  now: Date;
  /** How far ahead of `now` a ward system's clock may be (WARD_EVENT_CLOCK_TOLERANCE_MINUTES). */
  toleranceMs: number;
}

/** Dates that are in the future by nature (an appointment, the next visit), exempt from the clock check. */
const FUTURE_BY_NATURE = new Set(['appointmentAt', 'nextVisitDates', 'validTo', 'restTo', 'to', 'endedOn']);
const ISO = /^\d{4}-\d{2}-\d{2}T/;
const YMD = /^\d{8}(\d{4})?$/;

function* datesIn(value: unknown, path: string[]): Generator<{ path: string[]; at: number }> {
  if (typeof value === 'string') {
    if (ISO.test(value)) yield { path, at: Date.parse(value) };
    else if (YMD.test(value) && /birth|issuedOn$/i.test(path[path.length - 1] ?? '')) {
      const y = value.slice(0, 4);
      const m = value.slice(4, 6) === '00' ? '01' : value.slice(4, 6);
      const d = value.slice(6, 8) === '00' ? '01' : value.slice(6, 8);
      yield { path, at: fromVietnamWallClock(`${y}-${m}-${d}`) };
    }
  } else if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) yield* datesIn(v, [...path, String(i)]);
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) if (!FUTURE_BY_NATURE.has(k)) yield* datesIn(v, [...path, k]);
  }
}

/**
 * The checks that need no encounter: the envelope and the `data` schema of its type (see
 * @bhyt/contracts ward-events.ts), and every date against the clock (none later than now plus
 * the tolerance; appointments and validity ends excepted).
 */
export function checkWardEventOnReceipt(
  raw: unknown,
  clock: ClockPolicy,
): { event?: WardEvent; errors: ReceiptError[] } {
  const parsed = CheckedWardEvent.safeParse(raw);
  if (!parsed.success) {
    const seen = new Set<string>();
    const errors: ReceiptError[] = [];
    for (const i of parsed.error.issues) {
      const field = i.path.length ? i.path.join('.') : '(body)';
      if (seen.has(field)) continue;
      seen.add(field);
      errors.push({ field, code: 'SCHEMA', message: i.message });
    }
    return { errors };
  }
  const event = parsed.data;
  const limit = clock.now.getTime() + clock.toleranceMs;
  const errors: ReceiptError[] = [];
  const minutes = Math.round(clock.toleranceMs / 60_000);
  for (const d of datesIn({ occurredAt: event.occurredAt, data: event.data }, [])) {
    if (d.at > limit)
      errors.push({
        field: d.path.join('.'),
        code: 'DATE_IN_FUTURE',
        message: `is later than now (clock tolerance ${minutes} min)`,
      });
  }
  return errors.length ? { errors } : { event, errors };
}

/**
 * The times of each kind of care that must fall within the encounter (not after its discharge).
 * Exempt: a drug's executedAt (a prescription may be dispensed after the visit ends — the
 * telemedicine scenario's is 10 minutes after), a result's resultAt (a lab may report after the
 * patient left) and a note's time (the record is often completed after the discharge); the XML
 * library accepts all three.
 */
const CARE_TIMES: Record<string, readonly string[]> = {
  'drug.ordered': ['orderedAt'],
  'service.ordered': ['orderedAt', 'executedAt', 'resultAt'],
  'supply.used': ['orderedAt', 'executedAt'],
  'result.reported': [],
  'note.recorded': [],
};
const LIST_TIMES: Array<[keyof EncounterDraft, readonly string[]]> = [
  ['drugs', CARE_TIMES['drug.ordered']!],
  ['services', CARE_TIMES['service.ordered']!],
  ['supplies', CARE_TIMES['supply.used']!],
];
/** A time at the standard's precision (yyyyMMddHHmm: the minute), so that order is judged as the tables will show it. */
const time = (v: unknown): number | undefined => {
  const t = typeof v === 'string' && ISO.test(v) ? Date.parse(v) : NaN;
  return Number.isFinite(t) ? Math.floor(t / 60_000) * 60_000 : undefined;
};

/** The latest time of recorded care (orders, executions, results, notes) in the draft. */
function latestCare(draft: EncounterDraft): number | undefined {
  let latest: number | undefined;
  for (const [list, keys] of LIST_TIMES) {
    for (const line of (draft[list] ?? []) as Array<Record<string, unknown>>) {
      for (const k of keys) {
        const t = time(line?.[k]);
        if (t !== undefined && (latest === undefined || t > latest)) latest = t;
      }
    }
  }
  return latest;
}

/**
 * The checks against the encounter the event is for: its own order of dates (no care after the
 * discharge, no discharge before recorded care or before the admission, no execution before
 * the order) and, for a retraction, that the retracted event is one of this encounter's.
 */
export function checkWardEventAgainstEncounter(
  draft: EncounterDraft,
  event: WardEvent,
  known: { eventIds: ReadonlySet<string>; retractions: ReadonlySet<string> },
): ReceiptError[] {
  const errors: ReceiptError[] = [];
  const d = event.data;
  const admitted = time(draft.admittedAt);
  const discharged = time(draft.dischargedAt);
  const careTimes = CARE_TIMES[event.type];
  if (careTimes) {
    for (const k of careTimes) {
      const t = time(d[k]);
      if (t === undefined) continue;
      if (discharged !== undefined && t > discharged)
        errors.push({
          field: `data.${k}`,
          code: 'AFTER_DISCHARGE',
          message: 'is after the encounter’s recorded discharge',
        });
    }
    const ordered = time(d['orderedAt']);
    const executed = time(d['executedAt']);
    if (ordered !== undefined && executed !== undefined && executed < ordered) {
      errors.push({
        field: 'data.executedAt',
        code: 'EXECUTED_BEFORE_ORDERED',
        message: 'is before orderedAt',
      });
    }
  }
  if (event.type === 'discharge') {
    const t = time(d['dischargedAt']);
    if (t !== undefined && admitted !== undefined && t < admitted)
      errors.push({
        field: 'data.dischargedAt',
        code: 'BEFORE_ADMISSION',
        message: 'is before the encounter’s admission',
      });
    const care = latestCare(draft);
    if (t !== undefined && care !== undefined && t < care) {
      errors.push({
        field: 'data.dischargedAt',
        code: 'DISCHARGE_BEFORE_RECORDED_CARE',
        message: 'is before care already recorded for this encounter (retract or replace those events first)',
      });
    }
  }
  if (event.type === 'retraction') {
    const target = String(d['eventId']);
    if (known.retractions.has(target))
      errors.push({
        field: 'data.eventId',
        code: 'RETRACTION_NOT_RETRACTABLE',
        message: 'a retraction cannot itself be retracted',
      });
    else if (!known.eventIds.has(target))
      errors.push({
        field: 'data.eventId',
        code: 'RETRACTED_EVENT_UNKNOWN',
        message: 'no event with this eventId was recorded for this encounter',
      });
  }
  if (event.replaces && !known.eventIds.has(event.replaces)) {
    errors.push({
      field: 'replaces',
      code: 'RETRACTED_EVENT_UNKNOWN',
      message: 'no event with this eventId was recorded for this encounter',
    });
  }
  return errors;
}
