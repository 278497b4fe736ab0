import { Inject, Injectable } from '@nestjs/common';
import { Topics } from '@bhyt/contracts';
import { BackgroundJob, type RunResult } from '@bhyt/jobs';
import { Metrics, type Logger } from '@bhyt/observability';
import { FACILITY_REGISTRY, LOGGER } from '@bhyt/service-kit';
import { EncounterErrors } from './encounter-errors';
import { ENCOUNTER_NEVER_OPENED, expiresAt, neverOpenedDeadLetter, parkedGaugeValues } from './parked-expiry';
import { ParkedWardEventStore } from './parked-ward-event.store';

export interface ParkedWardEventsOptions {
  maxAgeMinutes: number;
  sweepIntervalMs: number;
  /** The consumer group that parked the events (x-dlq-consumer-group of their dead letters). */
  consumerGroup: string;
  /** Rows moved per transaction. */
  batchSize?: number;
}

/** What the sweeper reads of the facility registry. */
export interface ServedFacilities {
  has(code: string): boolean;
  list(): ReadonlyArray<{ code: string }>;
}

export const PARKED_WARD_EVENTS_OPTIONS = Symbol('ParkedWardEventsOptions');

/** Batches per sweep: a large backlog drains over a few sweeps instead of one long run. */
const MAX_BATCHES_PER_SWEEP = 20;

/**
 * Parked ward events are never left waiting unseen: every sweep moves the ones older than the
 * maximum age to the dead-letter topic (ENCOUNTER_NEVER_OPENED) and samples the per-facility
 * gauges; operators list them per facility. Metadata only: the clinical payload is never
 * listed or logged.
 */
@Injectable()
export class ParkedWardEvents extends BackgroundJob {
  constructor(
    @Inject(ParkedWardEventStore) private readonly store: ParkedWardEventStore,
    @Inject(FACILITY_REGISTRY) private readonly facilities: ServedFacilities,
    @Inject(LOGGER) private readonly logger: Pick<Logger, 'warn'>,
    @Inject(PARKED_WARD_EVENTS_OPTIONS) readonly options: ParkedWardEventsOptions,
  ) {
    super({
      name: 'parked-ward-event-sweeper',
      intervalMs: options.sweepIntervalMs,
      onError: (err) =>
        logger.warn(
          { error: err instanceof Error ? err.name : 'error' },
          'parked ward event sweep failed; the next sweep retries',
        ),
    });
  }

  protected async runOnce(signal: AbortSignal): Promise<RunResult> {
    await this.sweep(signal);
    return 'idle';
  }

  /** Moves the expired events (stopping between batches once `signal` aborts), then samples the gauges. */
  async sweep(signal?: AbortSignal): Promise<{ moved: number }> {
    const batch = this.options.batchSize ?? 200;
    let moved = 0;
    for (let i = 0; i < MAX_BATCHES_PER_SWEEP && !signal?.aborted; i++) {
      const n = await this.moveExpired(batch);
      moved += n;
      if (n < batch) break;
    }
    await this.sample();
    return { moved };
  }

  private async moveExpired(batch: number): Promise<number> {
    const { maxAgeMinutes, consumerGroup } = this.options;
    const { now, moved } = await this.store.moveExpired(maxAgeMinutes, batch, (p, at) =>
      neverOpenedDeadLetter(p, at, maxAgeMinutes, consumerGroup),
    );
    // After the commit: metrics and logs count what was moved, once.
    if (moved.length)
      Metrics.deadLettered().inc(
        { topic: Topics.wardEvents.name, reason: ENCOUNTER_NEVER_OPENED },
        moved.length,
      );
    for (const p of moved) {
      const ageSeconds = Math.round((now.getTime() - p.receivedAt.getTime()) / 1000);
      this.logger.warn(
        {
          facility: p.facilityCode,
          maLk: p.maLk,
          eventId: p.eventId,
          ageSeconds,
          code: ENCOUNTER_NEVER_OPENED,
        },
        'parked ward event dead-lettered: its encounter never opened',
      );
    }
    return moved.length;
  }

  /** bhyt_parked_ward_events and bhyt_parked_ward_event_oldest_seconds, per facility. */
  private async sample(): Promise<void> {
    const values = parkedGaugeValues(
      await this.store.samplePerFacility(),
      this.facilities.list().map((f) => f.code),
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
    if (!this.facilities.has(facilityCode)) {
      throw EncounterErrors.raise(
        'FACILITY_UNKNOWN',
        `facility ${facilityCode} is not registered on this platform`,
      );
    }
    const page = await this.store.listByFacility(facilityCode, limit);
    return {
      facilityCode,
      maxAgeMinutes: this.options.maxAgeMinutes,
      total: page.total,
      events: page.events.map((e) => ({
        eventId: e.eventId,
        maLk: e.maLk,
        type: e.type,
        occurredAt: e.occurredAt.toISOString(),
        receivedAt: e.receivedAt.toISOString(),
        ageSeconds: Math.max(0, Math.floor(e.ageSeconds)),
        expiresAt: expiresAt(e.receivedAt, this.options.maxAgeMinutes).toISOString(),
      })),
    };
  }
}
