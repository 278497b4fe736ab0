import { Topics } from '@bhyt/contracts';
import { Metrics } from '@bhyt/observability';
import { enqueueOutbox } from '@bhyt/persistence';
import { DomainError, ServiceRuntime } from '@bhyt/service-kit';
import { ENCOUNTER_NEVER_OPENED, expiresAt, expiryCutoff, neverOpenedDeadLetter, ParkedOrigin, parkedGaugeValues } from './parked-expiry';

export interface ParkedWardEventsOptions {
  maxAgeMinutes: number;
  sweepIntervalMs: number;
  /** The consumer group that parked the events (x-dlq-consumer-group of their dead letters). */
  consumerGroup: string;
  /** Rows moved per transaction. */
  batchSize?: number;
}

/** Batches per sweep: a large backlog drains over a few sweeps instead of one long run. */
const MAX_BATCHES_PER_SWEEP = 20;

interface ExpiredRow {
  event_id: string;
  facility_code: string;
  ma_lk: string;
  received_at: Date;
  raw: string | null;
  origin: ParkedOrigin | null;
  event: unknown;
}

/**
 * Parked ward events are never left waiting unseen: every sweep moves the ones older than the
 * maximum age to the dead-letter topic (ENCOUNTER_NEVER_OPENED) and samples the per-facility
 * gauges; operators list them per facility. Metadata only: the clinical payload is never
 * listed or logged.
 */
export class ParkedWardEvents {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private stopping = false;

  constructor(
    private readonly runtime: ServiceRuntime,
    readonly options: ParkedWardEventsOptions,
  ) {}

  /** Sweeps (and samples the gauges) now, then every interval; one sweep at a time. */
  start(): void {
    this.stopping = false;
    const run = () => {
      if (this.running || this.stopping) return;
      this.running = this.sweep()
        .then(() => undefined)
        .catch((err: unknown) => this.runtime.logger.warn({ error: err instanceof Error ? err.name : 'error' }, 'parked ward event sweep failed; the next sweep retries'))
        .finally(() => {
          this.running = undefined;
        });
    };
    run();
    this.timer = setInterval(run, this.options.sweepIntervalMs);
  }

  /** Stops the timer and waits for a sweep in progress (its transaction commits or rolls back). */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  async sweep(): Promise<{ moved: number }> {
    const batch = this.options.batchSize ?? 200;
    let moved = 0;
    for (let i = 0; i < MAX_BATCHES_PER_SWEEP && !this.stopping; i++) {
      const n = await this.moveExpired(batch);
      moved += n;
      if (n < batch) break;
    }
    await this.sample();
    return { moved };
  }

  /**
   * One batch: the expired rows are locked (SKIP LOCKED: another replica, or an encounter
   * opening right now, has the others), deleted and written to the outbox in one transaction,
   * so a crash neither loses nor duplicates a dead letter.
   */
  private async moveExpired(batch: number): Promise<number> {
    const moved = await this.runtime.ds.transaction(async (m) => {
      // The database clock, the one received_at was stamped with.
      const [{ now }] = (await m.query(`SELECT now() AS now`)) as Array<{ now: Date }>;
      const rows: ExpiredRow[] = await m.query(
        `SELECT event_id, facility_code, ma_lk, received_at, raw, origin, CASE WHEN raw IS NULL THEN event END AS event
           FROM parked_ward_events WHERE received_at < $1 ORDER BY received_at LIMIT $2 FOR UPDATE SKIP LOCKED`,
        [expiryCutoff(now, this.options.maxAgeMinutes), batch],
      );
      if (rows.length === 0) return [];
      await m.query(`DELETE FROM parked_ward_events WHERE event_id = ANY($1::uuid[])`, [rows.map((r) => r.event_id)]);
      await enqueueOutbox(
        m,
        rows.map((r) =>
          neverOpenedDeadLetter(
            { eventId: r.event_id, facilityCode: r.facility_code, maLk: r.ma_lk, receivedAt: r.received_at, raw: r.raw, origin: r.origin, event: r.event },
            now,
            this.options.maxAgeMinutes,
            this.options.consumerGroup,
          ),
        ),
      );
      return rows.map((r) => ({ facility: r.facility_code, maLk: r.ma_lk, eventId: r.event_id, ageSeconds: Math.round((now.getTime() - r.received_at.getTime()) / 1000) }));
    });
    if (moved.length) Metrics.deadLettered().inc({ topic: Topics.wardEvents.name, reason: ENCOUNTER_NEVER_OPENED }, moved.length);
    for (const e of moved) this.runtime.logger.warn({ ...e, code: ENCOUNTER_NEVER_OPENED }, 'parked ward event dead-lettered: its encounter never opened');
    return moved.length;
  }

  /** bhyt_parked_ward_events and bhyt_parked_ward_event_oldest_seconds, per facility. */
  private async sample(): Promise<void> {
    const rows: Array<{ facility_code: string; n: number; oldest: number }> = await this.runtime.ds.query(
      `SELECT facility_code, count(*)::int AS n, EXTRACT(EPOCH FROM now() - min(received_at))::float8 AS oldest FROM parked_ward_events GROUP BY facility_code`,
    );
    const values = parkedGaugeValues(
      rows.map((r) => ({ facilityCode: r.facility_code, count: r.n, oldestSeconds: Number(r.oldest) })),
      this.runtime.facilities.list().map((f) => f.code),
    );
    const count = Metrics.parkedWardEvents();
    const oldest = Metrics.parkedWardEventOldestSeconds();
    count.reset();
    oldest.reset();
    for (const [facility, v] of values) {
      count.set({ facility }, v.count);
      oldest.set({ facility }, v.oldestSeconds);
    }
  }

  /** The parked events of a facility, newest first: metadata only, never the payload. */
  async list(facilityCode: string, limit: number) {
    if (!this.runtime.facilities.has(facilityCode)) {
      throw new DomainError(404, 'FACILITY_UNKNOWN', `facility ${facilityCode} is not registered on this platform`);
    }
    const rows: Array<{ event_id: string; ma_lk: string; type: string; occurred_at: Date; received_at: Date; age_seconds: number; total: number }> = await this.runtime.ds.query(
      `SELECT event_id, ma_lk, event->>'type' AS type, occurred_at, received_at,
              EXTRACT(EPOCH FROM now() - received_at)::float8 AS age_seconds, count(*) OVER ()::int AS total
         FROM parked_ward_events WHERE facility_code = $1 ORDER BY received_at DESC, event_id LIMIT $2`,
      [facilityCode, limit],
    );
    return {
      facilityCode,
      maxAgeMinutes: this.options.maxAgeMinutes,
      total: rows[0]?.total ?? 0,
      events: rows.map((r) => ({
        eventId: r.event_id,
        maLk: r.ma_lk,
        type: r.type,
        occurredAt: r.occurred_at.toISOString(),
        receivedAt: r.received_at.toISOString(),
        ageSeconds: Math.max(0, Math.floor(Number(r.age_seconds))),
        expiresAt: expiresAt(r.received_at, this.options.maxAgeMinutes).toISOString(),
      })),
    };
  }
}
