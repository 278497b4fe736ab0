import { context, type Context } from '@opentelemetry/api';
import type { DataSource, EntityManager } from 'typeorm';

/** Runs a unit of work in a database transaction and resolves after it committed. */
export type Transact = <T>(work: (m: EntityManager) => Promise<T>) => Promise<T>;

/** A transaction of its own for every unit of work: the behaviour of `DataSource.transaction`. */
export const ownTransaction =
  (ds: DataSource): Transact =>
  (work) =>
    ds.transaction(work);

interface Pending {
  work: (m: EntityManager) => Promise<unknown>;
  /** The caller's trace context: its queries belong to its span, not to the first caller's. */
  context: Context;
  resolve: (value: unknown) => void;
  reject: (reason: unknown) => void;
}

export interface GroupCommitOptions {
  /** Units of work per transaction at most. */
  maxBatch?: number;
}

/**
 * Group commit: units of work submitted while a transaction is being written join the next one,
 * so N concurrent consumers pay one commit (one WAL flush, one BEGIN/COMMIT round trip) instead
 * of N. A unit resolves only after COMMIT succeeded.
 *
 * No savepoint per unit: a savepoint and its release are two more round trips per unit, as many
 * as the BEGIN/COMMIT they were meant to save. Instead, if anything in a shared transaction
 * fails (one unit's error, or the commit), the whole transaction rolls back and each of its
 * units runs again in a transaction of its own, so that only the failing unit rejects. Hence
 * the contract of a unit: its work must be safe to run again after a rollback — database
 * effects, plus in-memory work that is pure or idempotent; decide anything stateful (a circuit
 * breaker's transition, a metric, a log line) before or after `run`, not inside it.
 *
 * Units run one after the other on one connection: a unit must not wait for another unit.
 */
export class GroupCommit {
  private readonly queue: Pending[] = [];
  private flushing = false;
  private readonly maxBatch: number;

  constructor(
    private readonly ds: DataSource,
    options: GroupCommitOptions = {},
  ) {
    this.maxBatch = Math.max(1, options.maxBatch ?? 64);
  }

  /** The `Transact` function of this group commit, for handlers that take one. */
  readonly run: Transact = <T>(work: (m: EntityManager) => Promise<T>): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      this.queue.push({ work, context: context.active(), resolve: resolve as (v: unknown) => void, reject });
      if (!this.flushing) {
        this.flushing = true;
        // Let the units submitted in the same turn of the event loop join this transaction.
        setImmediate(() => void this.drain());
      }
    });

  private async drain(): Promise<void> {
    try {
      while (this.queue.length > 0) await this.flush(this.queue.splice(0, this.maxBatch));
    } finally {
      this.flushing = false;
    }
  }

  private alone(unit: Pending): Promise<void> {
    return context.with(unit.context, () => this.ds.transaction(unit.work)).then(unit.resolve, unit.reject);
  }

  private async flush(batch: Pending[]): Promise<void> {
    if (batch.length === 1) return this.alone(batch[0]!);
    let values: unknown[];
    try {
      values = await this.ds.transaction(async (m) => {
        const out: unknown[] = [];
        for (const unit of batch) out.push(await context.with(unit.context, () => unit.work(m)));
        return out;
      });
    } catch {
      // Which unit failed, or was it the commit? Run each alone: only the failing one rejects.
      for (const unit of batch) await this.alone(unit);
      return;
    }
    values.forEach((v, i) => batch[i]!.resolve(v));
  }
}
