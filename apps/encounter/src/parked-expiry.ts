import { Headers, Topics } from '@bhyt/contracts';
import { deadLetterMessage, type OutgoingMessage } from '@bhyt/messaging';

/** Dead-letter reason code of a parked ward event whose encounter did not open in time. */
export const ENCOUNTER_NEVER_OPENED = 'ENCOUNTER_NEVER_OPENED';

/** Where a ward event parked from Kafka came from: enough to dead-letter it as it was received. */
export interface ParkedOrigin {
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  headers: Record<string, string>;
}

export interface ParkedEvent {
  eventId: string;
  facilityCode: string;
  maLk: string;
  receivedAt: Date;
  /** The message value exactly as received; null for events parked before it was kept. */
  raw: string | null;
  origin: ParkedOrigin | null;
  /** The parsed event: the dead letter's value only when raw is null. */
  event: unknown;
}

const maxAgeMs = (maxAgeMinutes: number) => Math.round(maxAgeMinutes * 60_000);

/**
 * A parked event is expired when it has waited MORE than the maximum age: it is expired iff it
 * was received strictly before this cutoff. The sweeper selects by it; {@link expiresAt} is the
 * same rule seen from the event (expired iff expiresAt < now).
 */
export function expiryCutoff(now: Date, maxAgeMinutes: number): Date {
  return new Date(now.getTime() - maxAgeMs(maxAgeMinutes));
}

export function expiresAt(receivedAt: Date, maxAgeMinutes: number): Date {
  return new Date(receivedAt.getTime() + maxAgeMs(maxAgeMinutes));
}

export function isExpired(receivedAt: Date, now: Date, maxAgeMinutes: number): boolean {
  return receivedAt.getTime() < expiryCutoff(now, maxAgeMinutes).getTime();
}

/** A duration for people: "1d 2h 5m", "3h 0m", "42s". */
export function formatAge(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  if (s < 60) return `${s}s`;
  const d = Math.floor(s / 86_400);
  const h = Math.floor((s % 86_400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  return d > 0 ? `${d}d ${h}h ${m}m` : h > 0 ? `${h}h ${m}m` : `${m}m`;
}

/**
 * The dead letter of an expired parked event: the original value and headers, plus the
 * dead-letter headers the consumers set (EventConsumer.deadLetter), so that the existing
 * tooling reads and re-drives it like any other. The reason names facility, MA_LK and age —
 * never anything from the payload.
 */
export function neverOpenedDeadLetter(
  p: ParkedEvent,
  now: Date,
  maxAgeMinutes: number,
  consumerGroup: string,
): OutgoingMessage {
  const age = (now.getTime() - p.receivedAt.getTime()) / 1000;
  const reason =
    `no encounter ${p.maLk} opened at facility ${p.facilityCode}: the event waited ${formatAge(age)} ` +
    `(limit ${formatAge(maxAgeMinutes * 60)}) for intake.registered; register the visit or correct the MA_LK or facility, then re-drive`;
  const o = p.origin;
  return deadLetterMessage(
    Topics.deadLetter.name,
    o
      ? {
          topic: o.topic,
          partition: o.partition,
          offset: o.offset,
          key: o.key,
          headers: o.headers,
          value: p.raw ?? JSON.stringify(p.event),
        }
      : {
          topic: Topics.wardEvents.name,
          key: p.maLk,
          headers: { [Headers.facility]: p.facilityCode },
          value: p.raw ?? JSON.stringify(p.event),
        },
    { code: ENCOUNTER_NEVER_OPENED, reason, consumerGroup, failedAt: now },
  );
}

export interface ParkedSample {
  facilityCode: string;
  count: number;
  oldestSeconds: number;
}

/**
 * Gauge values per facility from one full sample: every served facility reads 0 when it has
 * nothing parked, so that a facility that drained reads 0 (not its last value) and the alert
 * has a series from the start.
 */
export function parkedGaugeValues(
  samples: ParkedSample[],
  facilities: string[],
): Map<string, { count: number; oldestSeconds: number }> {
  const out = new Map<string, { count: number; oldestSeconds: number }>();
  for (const f of facilities) out.set(f, { count: 0, oldestSeconds: 0 });
  for (const s of samples)
    out.set(s.facilityCode, { count: s.count, oldestSeconds: Math.max(0, Math.round(s.oldestSeconds)) });
  return out;
}
