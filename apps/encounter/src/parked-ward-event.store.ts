import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { WardEvent } from '@bhyt/encounter-domain';
import type { OutgoingMessage } from '@bhyt/messaging';
import { enqueueOutbox } from '@bhyt/persistence';
import { DATA_SOURCE, type DataSource } from '@bhyt/service-kit';
import { expiryCutoff, type ParkedEvent, type ParkedOrigin, type ParkedSample } from './parked-expiry';

/** A parked event as operators list it: metadata only, never the payload. */
export interface ParkedListing {
  readonly eventId: string;
  readonly maLk: string;
  readonly type: string;
  readonly occurredAt: Date;
  readonly receivedAt: Date;
  readonly ageSeconds: number;
}

export interface ParkedPage {
  /** Every parked event of the facility, not only those on the page. */
  readonly total: number;
  readonly events: ParkedListing[];
}

interface ExpiredRow {
  event_id: string;
  facility_code: string;
  ma_lk: string;
  received_at: Date;
  raw: string | null;
  origin: ParkedOrigin | null;
  event: unknown;
}

/** Owns the SQL on parked_ward_events: parking, draining on open, the sweeper and the operators' list. */
@Injectable()
export class ParkedWardEventStore {
  constructor(@Inject(DATA_SOURCE) private readonly ds: DataSource) {}

  /** Parks a ward event whose encounter is not open yet (a redelivery of a parked event is a no-op). */
  async park(m: EntityManager, event: WardEvent, raw: string, origin: ParkedOrigin): Promise<void> {
    await m.query(
      `INSERT INTO parked_ward_events (event_id, facility_code, ma_lk, occurred_at, event, raw, origin) VALUES ($1,$2,$3,$4,$5,$6,$7) ON CONFLICT DO NOTHING`,
      [
        event.eventId,
        event.facilityCode,
        event.maLk,
        event.occurredAt,
        JSON.stringify(event),
        raw,
        JSON.stringify(origin),
      ],
    );
  }

  /** The parked event with this eventId, if any. */
  async find(m: EntityManager, eventId: string): Promise<WardEvent | undefined> {
    const rows = (await m.query(`SELECT event FROM parked_ward_events WHERE event_id = $1`, [
      eventId,
    ])) as Array<{ event: WardEvent }>;
    return rows[0]?.event;
  }

  /**
   * The events parked for an encounter that is opening, in the order they happened: locked and
   * removed in the caller's transaction, which applies them.
   */
  async takeForEncounter(m: EntityManager, facilityCode: string, maLk: string): Promise<WardEvent[]> {
    const rows = (await m.query(
      `SELECT event FROM parked_ward_events WHERE facility_code = $1 AND ma_lk = $2 ORDER BY occurred_at, received_at FOR UPDATE`,
      [facilityCode, maLk],
    )) as Array<{ event: WardEvent }>;
    if (rows.length === 0) return [];
    await m.query(`DELETE FROM parked_ward_events WHERE event_id = ANY($1::uuid[])`, [
      rows.map((r) => r.event.eventId),
    ]);
    return rows.map((r) => r.event);
  }

  /**
   * One batch of expired events: locked (SKIP LOCKED: another replica, or an encounter opening
   * right now, has the others), deleted and their dead letters written to the outbox in one
   * transaction, so a crash neither loses nor duplicates a dead letter. `now` is the database
   * clock, the one received_at was stamped with.
   */
  async moveExpired(
    maxAgeMinutes: number,
    limit: number,
    deadLetter: (event: ParkedEvent, now: Date) => OutgoingMessage,
  ): Promise<{ now: Date; moved: ParkedEvent[] }> {
    return this.ds.transaction(async (m) => {
      const [{ now }] = (await m.query(`SELECT now() AS now`)) as [{ now: Date }];
      const rows = (await m.query(
        `SELECT event_id, facility_code, ma_lk, received_at, raw, origin, CASE WHEN raw IS NULL THEN event END AS event
           FROM parked_ward_events WHERE received_at < $1 ORDER BY received_at LIMIT $2 FOR UPDATE SKIP LOCKED`,
        [expiryCutoff(now, maxAgeMinutes), limit],
      )) as ExpiredRow[];
      if (rows.length === 0) return { now, moved: [] };
      await m.query(`DELETE FROM parked_ward_events WHERE event_id = ANY($1::uuid[])`, [
        rows.map((r) => r.event_id),
      ]);
      const moved = rows.map((r): ParkedEvent => ({
        eventId: r.event_id,
        facilityCode: r.facility_code,
        maLk: r.ma_lk,
        receivedAt: r.received_at,
        raw: r.raw,
        origin: r.origin,
        event: r.event,
      }));
      await enqueueOutbox(
        m,
        moved.map((p) => deadLetter(p, now)),
      );
      return { now, moved };
    });
  }

  /** Count and age of the oldest per facility that has anything parked. */
  async samplePerFacility(): Promise<ParkedSample[]> {
    const rows = (await this.ds.query(
      `SELECT facility_code, count(*)::int AS n, EXTRACT(EPOCH FROM now() - min(received_at))::float8 AS oldest FROM parked_ward_events GROUP BY facility_code`,
    )) as Array<{ facility_code: string; n: number; oldest: number }>;
    return rows.map((r) => ({ facilityCode: r.facility_code, count: r.n, oldestSeconds: Number(r.oldest) }));
  }

  /** A facility's parked events, newest first, with the facility's total. */
  async listByFacility(facilityCode: string, limit: number): Promise<ParkedPage> {
    const rows = (await this.ds.query(
      `SELECT event_id, ma_lk, event->>'type' AS type, occurred_at, received_at,
              EXTRACT(EPOCH FROM now() - received_at)::float8 AS age_seconds, count(*) OVER ()::int AS total
         FROM parked_ward_events WHERE facility_code = $1 ORDER BY received_at DESC, event_id LIMIT $2`,
      [facilityCode, limit],
    )) as Array<{
      event_id: string;
      ma_lk: string;
      type: string;
      occurred_at: Date;
      received_at: Date;
      age_seconds: number;
      total: number;
    }>;
    return {
      total: rows[0]?.total ?? 0,
      events: rows.map((r) => ({
        eventId: r.event_id,
        maLk: r.ma_lk,
        type: r.type,
        occurredAt: r.occurred_at,
        receivedAt: r.received_at,
        ageSeconds: Number(r.age_seconds),
      })),
    };
  }
}
