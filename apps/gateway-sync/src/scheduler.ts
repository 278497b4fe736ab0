import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { EntityManager } from 'typeorm';
import type { Logger } from 'pino';
import { ClaimRejected, ClaimSubmitted, Topics } from '@bhyt/contracts';
import { GatewayClient, GatewayOutcome, GatewayTimeError, parseGatewayTime } from '@bhyt/gateway-client';
import { createEvent } from '@bhyt/messaging';
import { ClaimAttr, inSpan, Metrics, scrubText } from '@bhyt/observability';
import { enqueueOutbox, storedTraceContext } from '@bhyt/persistence';
import {
  CircuitBreaker,
  nextSubmissionState,
  type SubmissionEvent,
  type SubmissionPolicy,
} from '@bhyt/submission-policy';
import type { GatewaySyncConfig } from './config';
import { deadlineEvent } from './deadline-events';
import type { AttemptTicket, Submission, SubmissionKind, SubmissionStore } from './submission.store';

/** A transaction runner whose unit may run more than once (group commit re-runs it alone after a shared failure). */
export type RerunnableTx = <T>(work: (m: EntityManager) => Promise<T>) => Promise<T>;

export interface SchedulerDeps {
  readonly store: SubmissionStore;
  readonly tx: RerunnableTx;
  readonly logger: Pick<Logger, 'info' | 'warn' | 'error'>;
  readonly client: GatewayClient;
  readonly config: GatewaySyncConfig;
  /** This replica's id (pod name + a random suffix, so that a restarted pod is a new owner). */
  readonly owner?: string;
}

/**
 * Sends due submissions to the gateway, earliest deadline first, with bounded concurrency
 * overall and per facility account, backoff with jitter and a circuit breaker.
 *
 * Several replicas run side by side. Each attempt is owned: taking a row gives it this
 * replica's id and a lease, renewed while the call runs; only an expired lease is recovered
 * (periodically, by any replica), and the outcome is written only if the attempt still holds
 * the row — a stale writer changes nothing and emits nothing.
 *
 * The real gateway has no lookup (spec §4.4, §7.2): a send whose outcome is unknown is
 * re-sent, same MA_LK and version, after the settle time; where a lookup exists (the
 * simulator) it is asked first. Such re-sends are counted as possible duplicates.
 *
 * Check-ins (XML0) have their own slots (GATEWAY_CHECKIN_CONCURRENCY); both lanes are taken in
 * one statement. The circuit breaker is shared: it is one gateway.
 */
export class SubmissionScheduler {
  readonly owner: string;
  readonly breaker: CircuitBreaker;
  private readonly policy: SubmissionPolicy;
  private running = false;
  private loop?: Promise<void>;
  private wake?: () => void;
  /** This replica's attempts in flight, by `${id}#${attempt}` (a row recovered and taken again is a new attempt). */
  private readonly inFlight = new Map<string, { id: string; kind: SubmissionKind }>();
  private readonly tasks = new Set<Promise<void>>();
  private lastSweep = 0;
  private lastRenewal = 0;
  /** Past this instant a stopping scheduler stops retrying to store outcomes. */
  private storeUntil = Infinity;

  constructor(private readonly deps: SchedulerDeps) {
    const c = deps.config;
    this.owner = deps.owner ?? `${process.env['HOSTNAME'] ?? hostname()}-${randomUUID().slice(0, 8)}`;
    this.breaker = new CircuitBreaker(c.GATEWAY_CIRCUIT_THRESHOLD, c.GATEWAY_CIRCUIT_OPEN_MS);
    this.policy = {
      backoff: { baseMs: c.GATEWAY_BACKOFF_BASE_MS, maxMs: c.GATEWAY_BACKOFF_MAX_MS },
      settleMs: c.GATEWAY_RECONCILE_SETTLE_MS,
    };
  }

  private get config(): GatewaySyncConfig {
    return this.deps.config;
  }

  /**
   * Recovers attempts whose lease expired and supersedes versions overtaken by a newer one.
   * Run at start-up and then every GATEWAY_LEASE_SWEEP_MS by every replica (cheap: index on
   * leases in flight), so that a row never waits for some process to restart.
   */
  async sweep(): Promise<{ recovered: number; superseded: number }> {
    this.lastSweep = Date.now();
    const { recovered, possibleDuplicates } = await this.deps.store.recoverExpiredLeases(
      this.config.GATEWAY_RECONCILE_SETTLE_MS,
    );
    const superseded = await this.deps.store.supersedeOlderVersions();
    if (recovered) {
      Metrics.uncertainSends().inc({ kind: 'lease_expired' }, recovered);
      if (possibleDuplicates)
        Metrics.uncertainSends().inc({ kind: 'possible_duplicate' }, possibleDuplicates);
      this.deps.logger.warn(
        { count: recovered, possibleDuplicates },
        'attempts with an expired lease recovered; their outcome is unknown, they will be re-sent',
      );
    }
    if (superseded)
      this.deps.logger.info(
        { count: superseded },
        'older claim versions superseded by a newer one before they were sent',
      );
    return { recovered, superseded };
  }

  start(): void {
    this.running = true;
    this.loop = this.run();
  }

  notify(): void {
    this.wake?.();
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(done, ms);
      function done() {
        clearTimeout(t);
        resolve();
      }
      this.wake = done;
    });
  }

  private async run(): Promise<void> {
    while (this.running) {
      try {
        await this.housekeeping();
        const started = await this.dispatch();
        if (started === 0) await this.sleep(this.breaker.state === 'open' ? 1000 : 200);
      } catch (err) {
        this.deps.logger.warn({ error: errorInfo(err) }, 'scheduler tick failed');
        await this.sleep(1000);
      }
    }
  }

  /** Lease renewal for this replica's attempts, and the periodic sweep. */
  private async housekeeping(): Promise<void> {
    const now = Date.now();
    if (this.inFlight.size && now - this.lastRenewal >= this.config.GATEWAY_LEASE_MS / 3)
      await this.renewLeases();
    if (now - this.lastSweep >= this.config.GATEWAY_LEASE_SWEEP_MS) await this.sweep();
  }

  private async renewLeases(): Promise<void> {
    this.lastRenewal = Date.now();
    await this.deps.store.renewLeases(
      this.owner,
      [...new Set([...this.inFlight.values()].map((a) => a.id))],
      this.config.GATEWAY_LEASE_MS,
    );
  }

  private inFlightOf(kind: SubmissionKind): number {
    let n = 0;
    for (const a of this.inFlight.values()) if (a.kind === kind) n++;
    return n;
  }

  /**
   * Free slots worth a query: with attempts in flight, wait until a quarter of the lane is free
   * (the finishing attempts wake the loop) rather than take rows one at a time as each slot
   * frees — one query per claim was the scheduler's main database cost under load.
   */
  private worthTaking(kind: SubmissionKind): number {
    const limit =
      kind === 'claim' ? this.config.GATEWAY_CONCURRENCY : this.config.GATEWAY_CHECKIN_CONCURRENCY;
    const inFlight = this.inFlightOf(kind);
    const free = limit - inFlight;
    return free >= Math.max(1, Math.floor(limit / 4)) || inFlight === 0 ? free : 0;
  }

  /** Takes due rows of both lanes up to their free slots, earliest deadline first. @returns attempts started. */
  async dispatch(): Promise<number> {
    const claims = this.worthTaking('claim');
    const checkins = this.worthTaking('checkin');
    if (claims <= 0 && checkins <= 0) return 0;
    if (!this.breaker.tryAcquire()) return 0;
    // Half-open: exactly one probe, a claim if one is due.
    const probe = this.breaker.state === 'half-open';
    let rows: Submission[] = [];
    try {
      rows = await this.deps.store.takeDue({
        owner: this.owner,
        leaseMs: this.config.GATEWAY_LEASE_MS,
        claims,
        checkins,
        total: probe ? 1 : claims + checkins,
        perFacility: {
          claim: this.config.GATEWAY_CONCURRENCY_PER_FACILITY,
          checkin: this.config.GATEWAY_CHECKIN_CONCURRENCY,
        },
      });
    } finally {
      // Nothing to probe with (or the take failed): stay half-open and probe later, never hold
      // the probe — a held probe would stop submissions for every facility until a restart.
      if (probe && rows.length === 0) this.breaker.release();
    }
    for (const row of rows) {
      const key = `${row.id}#${row.state.attempts}`;
      this.inFlight.set(key, { id: row.id, kind: row.kind });
      const task = this.attempt(row)
        // Whatever failed, the row keeps its lease until it expires and another sweep recovers it.
        .catch((err: unknown) => {
          // A probe that failed before its outcome moved the breaker must not stay taken.
          if (probe) this.breaker.release();
          this.deps.logger.error(
            { facility: row.facilityCode, maLk: row.maLk, version: row.version, error: errorInfo(err) },
            'submission attempt failed; its lease will expire and the row be recovered',
          );
        })
        .finally(() => {
          this.inFlight.delete(key);
          this.tasks.delete(task);
          this.notify();
        });
      this.tasks.add(task);
    }
    return rows.length;
  }

  private async attempt(row: Submission): Promise<void> {
    const startedAt = new Date();
    const ticket: AttemptTicket = { id: row.id, owner: this.owner, attempt: row.state.attempts };
    const parent = storedTraceContext(row.trace);
    const reconciling = row.state.outcomeUnknown && this.deps.client.canReconcile;
    await inSpan(
      'gateway submit',
      {
        'bhyt.facility': row.facilityCode,
        'bhyt.kind': row.kind,
        'bhyt.ma_lk': row.maLk,
        'bhyt.version': row.version,
        'bhyt.care_type': row.careType,
        'bhyt.attempt': row.state.attempts,
        'bhyt.reconcile': reconciling,
      },
      async (span) => {
        let outcome: GatewayOutcome | undefined;
        let found = false;
        if (reconciling) {
          outcome = await this.reconcile(row);
          found = outcome !== undefined;
        }
        if (!outcome) {
          if (row.state.outcomeUnknown)
            this.deps.logger.warn(
              { facility: row.facilityCode, maLk: row.maLk, version: row.version },
              're-sending a submission whose previous send has an unknown outcome (possible duplicate at the gateway)',
            );
          const timer = Metrics.gatewaySeconds().startTimer({
            operation: row.kind === 'claim' ? 'submit' : 'checkin',
          });
          // encounter_end (claims) / first billable item (check-ins) picks the 4750 or 3176 endpoints.
          const request = {
            facilityCode: row.facilityCode,
            signedXml: Buffer.from(row.signedXmlB64 ?? '', 'base64'),
            encounterDate: row.encounterEnd,
          };
          outcome = await (
            row.kind === 'claim'
              ? this.deps.client.submitClaim(request)
              : this.deps.client.submitCheckin(request)
          ).catch((err: unknown): GatewayOutcome => ({
            kind: 'needs-operator',
            code: 'CLIENT_ERROR',
            reason: err instanceof Error ? err.message : String(err),
          }));
          timer({ code: outcomeCode(outcome) ?? 'ambiguous' });
        }
        span.setAttribute(ClaimAttr.gatewayOutcome, outcome.kind);
        span.setAttribute(ClaimAttr.gatewayCode, outcomeCode(outcome) ?? 'ambiguous');
        await this.record(row, ticket, outcome, startedAt, found);
      },
      parent ? { parent } : {},
    );
  }

  /** @returns an accepted outcome if the gateway already has this exact document, else undefined (send). */
  private async reconcile(row: Submission): Promise<GatewayOutcome | undefined> {
    try {
      const r = await this.deps.client.reconcile({
        facilityCode: row.facilityCode,
        maLk: row.maLk,
        sha256: row.documentSha256,
      });
      const found = r.submissions[0];
      if (r.found && found)
        return { kind: 'accepted', maGiaoDich: found.maGiaoDich, thoiGianTiepNhan: found.receivedAt };
      return undefined;
    } catch (err) {
      // No lookup possible (the real gateway has none): re-send the same version.
      this.deps.logger.warn(
        { facility: row.facilityCode, error: err instanceof Error ? err.name : 'error' },
        'reconciliation unavailable; re-sending the same version',
      );
      return undefined;
    }
  }

  private async record(
    row: Submission,
    ticket: AttemptTicket,
    outcome: GatewayOutcome,
    startedAt: Date,
    found: boolean,
  ): Promise<void> {
    let detail = 'reason' in outcome ? scrubText(outcome.reason).slice(0, 1000) : (outcome.thongDiep ?? null);
    const code = outcomeCode(outcome);
    // The gateway's reception time, validated: a malformed one is recorded as an error next to
    // the answer (the claim was received), and the time the answer arrived stands in for it.
    let receivedAt = new Date();
    if (outcome.kind === 'accepted') {
      try {
        receivedAt = found
          ? lookupTime(outcome.thoiGianTiepNhan)
          : parseGatewayTime(outcome.thoiGianTiepNhan);
      } catch (err) {
        if (!(err instanceof GatewayTimeError)) throw err;
        detail = `${err.code}: ${err.message}; reception time taken from this replica's clock`;
        this.deps.logger.warn(
          { facility: row.facilityCode, maLk: row.maLk, version: row.version, code: err.code },
          'gateway answered with a malformed reception time',
        );
      }
    }
    // The breaker moves once, before the transaction: the unit below may run twice (group commit).
    let circuitClosed = false;
    if (outcome.kind === 'accepted' || outcome.kind === 'permanent') circuitClosed = this.breaker.success();
    else if (outcome.kind === 'retryable' || outcome.kind === 'ambiguous') this.breaker.failure();
    // Not the claim's fault (account locked, wrong facility binding…): says nothing about the
    // gateway being down; a probe that ends there must not stay taken.
    else this.breaker.release();

    const event: SubmissionEvent = found
      ? { type: 'found-at-gateway' }
      : {
          type: 'answered',
          answer: outcome.kind,
          msToDeadline: row.deadline.getTime() - Date.now(),
          jitter: Math.random(),
          msSinceSent: Date.now() - startedAt.getTime(),
        };
    const t = nextSubmissionState(row.state, event, this.policy);
    if (!t.ok) throw new Error(`scheduler bug: ${t.reason}`);
    const effects = new Set(t.effects.map((e) => e.type));
    const retry = t.effects.find((e) => e.type === 'retry-after');

    let stored = false;
    let released: number | undefined;
    // A lookup that found the document is the gateway's acceptance of the earlier send.
    const outcomeName = outcome.kind;
    if (found) detail = detail ?? 'found at the gateway by lookup: the earlier send arrived';
    const ok = await this.untilStored(row, async () => {
      stored = await this.deps.tx(async (m) => {
        const written = await this.deps.store.recordOutcome(m, ticket, {
          next: t.state,
          code: code ?? (outcome.kind === 'ambiguous' ? 'AMBIGUOUS' : null),
          detail,
          ...(outcome.kind === 'accepted' ? { maGiaoDich: outcome.maGiaoDich, receivedAt } : {}),
          ...(retry && 'delayMs' in retry ? { retryAfterMs: retry.delayMs } : {}),
          dropDocument: effects.has('drop-document'),
          attempt: { startedAt, outcome: outcomeName },
        });
        if (!written) return false; // stale: another replica owns this row now
        if (circuitClosed) released = await this.deps.store.releaseBackoffAfterOutage(m);
        if (row.kind === 'checkin') return true; // no claim events for a check-in
        if (effects.has('emit-submitted') && outcome.kind === 'accepted') {
          const late = receivedAt.getTime() > row.deadline.getTime();
          // Sent late but never reported missed (the monitor had not run yet): report it now.
          if (late && (await this.deps.store.markLateReported(m, row.id)))
            await enqueueOutbox(m, [deadlineEvent('missed', deadlineRow(row), receivedAt)]);
          const payload: ClaimSubmitted = {
            facilityCode: row.facilityCode,
            maLk: row.maLk,
            version: row.version,
            careType: row.careType,
            maGiaoDich: outcome.maGiaoDich,
            receivedAt: receivedAt.toISOString(),
            encounterEnd: row.encounterEnd.toISOString(),
            deadline: row.deadline.toISOString(),
            onTime: !late,
            attempts: t.state.attempts,
          };
          await enqueueOutbox(m, [
            createEvent(Topics.claimSubmitted.name, {
              facilityCode: row.facilityCode,
              key: row.maLk,
              payload,
            }).message,
          ]);
        }
        if (effects.has('emit-rejected') && outcome.kind === 'permanent') {
          const payload: ClaimRejected = {
            facilityCode: row.facilityCode,
            maLk: row.maLk,
            version: row.version,
            stage: 'gateway',
            codes: [{ code: outcome.code, message: detail ?? 'rejected by the gateway' }],
            rejectedAt: new Date().toISOString(),
          };
          await enqueueOutbox(m, [
            createEvent(Topics.claimRejected.name, { facilityCode: row.facilityCode, key: row.maLk, payload })
              .message,
          ]);
        }
        return true;
      });
    });
    if (!ok) return;
    // Side effects that must happen once, after the commit.
    const ids = { facility: row.facilityCode, kind: row.kind, maLk: row.maLk, version: row.version, code };
    if (!stored) {
      this.deps.logger.warn(
        { ...ids, attempt: ticket.attempt },
        'attempt no longer owns its submission (lease expired); its outcome was not stored',
      );
      return;
    }
    if (released !== undefined)
      this.deps.logger.warn(
        { released, opened: this.breaker.opened },
        'gateway answers again; circuit closed',
      );
    if (effects.has('emit-submitted') && row.kind === 'claim') {
      Metrics.timeToSubmitSeconds().observe(
        { facility: row.facilityCode },
        Math.max(0, (receivedAt.getTime() - row.encounterEnd.getTime()) / 1000),
      );
    }
    if (outcome.kind === 'ambiguous' && !found) Metrics.uncertainSends().inc({ kind: 'ambiguous' });
    if (effects.has('possible-duplicate')) {
      Metrics.uncertainSends().inc({ kind: 'possible_duplicate' });
      this.deps.logger.warn(
        { ...ids, sends: t.state.sends },
        'submission may have reached the gateway more than once',
      );
    }
    if (outcome.kind === 'permanent') this.deps.logger.warn(ids, 'gateway rejected a submission permanently');
    if (outcome.kind === 'needs-operator')
      this.deps.logger.error(ids, 'gateway submission needs an operator');
  }

  /**
   * Runs `store` until it succeeds. An outage (connection lost, failover, serialization) is
   * retried with backoff, keeping the slot; an error that can never succeed (a data error) is
   * not: the submission becomes NEEDS_OPERATOR. A stopping scheduler gives up at its deadline
   * and leaves the row to lease recovery. @returns whether the store ran to completion.
   */
  private async untilStored(row: Submission, store: () => Promise<void>): Promise<boolean> {
    for (let failures = 0; ; failures++) {
      try {
        await store();
        return true;
      } catch (err) {
        if (!isTransientStoreError(err)) {
          this.deps.logger.error(
            { facility: row.facilityCode, maLk: row.maLk, version: row.version, error: errorInfo(err) },
            'gateway outcome cannot be stored; the submission needs an operator',
          );
          await this.markUnstorable(row, err).catch((e: unknown) =>
            this.deps.logger.error(
              { error: errorInfo(e) },
              'could not mark the submission NEEDS_OPERATOR; lease recovery will take it',
            ),
          );
          return false;
        }
        const delay = Math.min(5000, 200 * 2 ** Math.min(failures, 5));
        if (Date.now() + delay > this.storeUntil) return false; // stopping: lease recovery takes it
        this.deps.logger.warn(
          {
            facility: row.facilityCode,
            maLk: row.maLk,
            version: row.version,
            failures: failures + 1,
            delayMs: delay,
            error: errorInfo(err),
          },
          'gateway outcome not stored yet; retrying',
        );
        await new Promise((r) => setTimeout(r, delay));
      }
    }
  }

  private async markUnstorable(row: Submission, err: unknown): Promise<void> {
    const t = nextSubmissionState(row.state, { type: 'unstorable' }, this.policy);
    if (!t.ok) return;
    const code = (err as { code?: unknown }).code;
    await this.deps.tx((m) =>
      this.deps.store.recordOutcome(
        m,
        { id: row.id, owner: this.owner, attempt: row.state.attempts },
        {
          next: t.state,
          code: typeof code === 'string' ? `STORE_${code}` : 'STORE_FAILED',
          detail:
            err instanceof Error ? scrubText(err.message).slice(0, 1000) : 'outcome could not be stored',
          dropDocument: false,
          attempt: { startedAt: new Date(), outcome: 'unstorable' },
        },
      ),
    );
  }

  /**
   * Stops taking rows, then waits for the calls in flight — up to the gateway timeout plus a
   * margin (GATEWAY_STOP_GRACE_MS), so that their outcomes are stored rather than recovered as
   * unknown by another replica. What is still running after that keeps its lease and is
   * recovered once the lease expires.
   */
  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
    const graceEnds = Date.now() + this.config.GATEWAY_STOP_GRACE_MS;
    this.storeUntil = graceEnds;
    const renew = setInterval(
      () => void this.renewLeases().catch(() => undefined),
      Math.max(100, this.config.GATEWAY_LEASE_MS / 3),
    );
    try {
      let timer: NodeJS.Timeout | undefined;
      const waited = await Promise.race([
        Promise.allSettled([...this.tasks]).then(() => true),
        new Promise<boolean>(
          (r) => (timer = setTimeout(() => r(false), Math.max(0, graceEnds - Date.now()))),
        ),
      ]);
      clearTimeout(timer);
      if (!waited)
        this.deps.logger.warn(
          { inFlight: this.inFlight.size },
          'stop grace over with gateway calls in flight; their leases will expire and another replica recovers them',
        );
    } finally {
      clearInterval(renew);
    }
  }
}

const outcomeCode = (o: GatewayOutcome): string | null =>
  o.kind === 'accepted' ? '200' : 'code' in o ? o.code : null;

/** The simulator's lookup answers ISO times; anything unreadable falls back to the gateway format rules. */
function lookupTime(value: string): Date {
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? parseGatewayTime(value) : d;
}

const deadlineRow = (row: Submission) => ({
  facility_code: row.facilityCode,
  ma_lk: row.maLk,
  version: row.version,
  encounter_end: row.encounterEnd,
  deadline: row.deadline,
});

const errorInfo = (err: unknown) =>
  err instanceof Error ? { name: err.name, message: scrubText(err.message) } : String(err);

/**
 * Whether storing may succeed later: connection-level failures (no SQLSTATE, class 08), lack of
 * resources (53), operator intervention such as a restart (57), serialization / deadlock (40),
 * lock not available (55P03). Data errors (class 22, 23…) and programming errors never will.
 */
export function isTransientStoreError(err: unknown): boolean {
  if (err instanceof RangeError || err instanceof TypeError) return false;
  // PostgreSQL's own errors carry a severity and a SQLSTATE (TypeORM keeps them on driverError).
  const pg = ((err as { driverError?: unknown } | null)?.driverError ?? err) as {
    severity?: unknown;
    code?: unknown;
  } | null;
  if (typeof pg?.severity !== 'string' || typeof pg.code !== 'string') return true; // socket-level: an outage
  return ['08', '53', '57', '40', '58'].includes(pg.code.slice(0, 2)) || pg.code === '55P03';
}
