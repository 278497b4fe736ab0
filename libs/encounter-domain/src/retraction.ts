import type { WardEvent } from '@bhyt/contracts';
import { applyWardEvent, type EncounterDraft } from './draft';

/** A recorded ward event as the encounter keeps it (in the order it was applied). */
export interface RecordedEvent {
  eventId: string;
  type: WardEvent['type'];
  data: Record<string, unknown>;
  replaces?: string | null;
}

/**
 * The events still in force: retractions and replacements take the events they name out (a
 * retraction itself is never applied). Order is kept.
 */
export function eventsInForce<E extends RecordedEvent>(events: readonly E[]): E[] {
  const out = new Set<string>();
  for (const e of events) {
    if (e.type === 'retraction') out.add(String(e.data['eventId']));
    if (e.replaces) out.add(e.replaces);
  }
  return events.filter((e) => e.type !== 'retraction' && !out.has(e.eventId));
}

/**
 * The draft rebuilt from the registration (the draft as opened) and the events in force, in
 * their order — what the encounter is after a retraction or a replacement (pure).
 */
export function rebuildDraft(opening: EncounterDraft, events: readonly RecordedEvent[]): EncounterDraft {
  return eventsInForce(events).reduce<EncounterDraft>(
    (draft, e) => applyWardEvent(draft, e as unknown as WardEvent),
    opening,
  );
}

/** Where a table's rows come from: each row of these tables is one event of these types, in order. */
const ROW_SOURCES: Record<string, ReadonlyArray<WardEvent['type']>> = {
  XML2: ['drug.ordered'],
  XML3: ['service.ordered', 'supply.used'],
  XML4: ['result.reported'],
  XML5: ['note.recorded'],
};
/** Tables of one record built from record-level events (the latest of each type sets the fields). */
const RECORD_SOURCES: Record<string, ReadonlyArray<WardEvent['type']>> = {
  XML1: ['admission', 'diagnosis', 'discharge', 'department.transferred'],
  XML7: ['discharge'],
  XML8: ['discharge'],
  XML9: ['birth-certificate'],
  XML11: ['sick-leave'],
  XML13: ['referral'],
  XML14: ['follow-up'],
  XML15: ['tb-treatment'],
};

export interface EventToFix {
  eventId: string;
  type: WardEvent['type'];
  /** The table fields (or codes) that fail because of this event. */
  problems: string[];
}

/**
 * Which events to fix for the violations the XML library found at close: a row of XML2–XML5 is
 * the n-th event of its type; a record-level table names the events that set it. Violations
 * that no event explains (the registration's own data) are left out.
 */
export function eventsToFix(
  violations: ReadonlyArray<{ table: string; row?: number; field?: string; code: string }>,
  events: readonly RecordedEvent[],
): EventToFix[] {
  const inForce = eventsInForce(events);
  const found = new Map<string, EventToFix>();
  const add = (e: RecordedEvent, problem: string) => {
    const entry = found.get(e.eventId) ?? { eventId: e.eventId, type: e.type, problems: [] };
    if (!entry.problems.includes(problem)) entry.problems.push(problem);
    found.set(e.eventId, entry);
  };
  for (const v of violations) {
    const problem = [v.table, v.field, v.code].filter(Boolean).join(' ');
    const rowTypes = ROW_SOURCES[v.table];
    if (rowTypes && v.row !== undefined) {
      // XML3 lists services first, then supplies (the builder's order).
      const rows = rowTypes.flatMap((t) => inForce.filter((e) => e.type === t));
      const e = rows[v.row - 1];
      if (e) add(e, problem);
      continue;
    }
    for (const t of RECORD_SOURCES[v.table] ?? []) {
      const latest = inForce.filter((e) => e.type === t).at(-1);
      if (latest) add(latest, problem);
    }
  }
  return [...found.values()];
}

/**
 * For a draft the builder cannot even turn into tables: the events without which it can (each
 * left out in turn). `builds` is the caller's attempt to build a draft.
 */
export function unbuildableEvents(
  opening: EncounterDraft,
  events: readonly RecordedEvent[],
  builds: (draft: EncounterDraft) => boolean,
): EventToFix[] {
  const inForce = eventsInForce(events);
  return inForce
    .filter((e) =>
      builds(
        rebuildDraft(
          opening,
          inForce.filter((x) => x !== e),
        ),
      ),
    )
    .map((e) => ({ eventId: e.eventId, type: e.type, problems: ['RECORD_UNBUILDABLE'] }));
}
