import { EntityManager } from 'typeorm';
import { ClaimRejected, ClaimSubmitted, Topics } from '@bhyt/contracts';
import { GatewayClient, GatewayOutcome } from '@bhyt/gateway-client';
import { createEvent } from '@bhyt/messaging';
import { ClaimAttr, inSpan, Metrics, scrubText } from '@bhyt/observability';
import { enqueueOutbox, storedTraceContext, storedTraceHeadersSql } from '@bhyt/persistence';
import { ServiceRuntime } from '@bhyt/service-kit';
import { CircuitBreaker, nextAttemptDelay } from '@bhyt/submission-policy';
import type { GatewaySyncConfig } from './config';
import { submissionTraceKeySql } from './submission-intake';
import { deadlineEvent } from './deadline-events';

export type SubmissionKind = 'claim' | 'checkin';

export interface SubmissionRow {
  id: string;
  kind: SubmissionKind;
  facility_code: string;
  ma_lk: string;
  version: number;
  care_type: ClaimSubmitted['careType'];
  document_sha256: string;
  signed_xml_b64: string;
  encounter_end: Date;
  deadline: Date;
  status: string;
  attempts: number;
  missed_notified: boolean;
  /** The claim's trace context: the row's own, else (rows from before it had one) claim_trace_context's. */
  trace: Record<string, string> | null;
}

/**
 * Sends due claims to the gateway, earliest deadline first, with bounded concurrency overall
 * and per facility account, exponential backoff with jitter and a circuit breaker. Every
 * attempt is recorded with the gateway's answer. After an ambiguous failure (the request left,
 * no answer came back) the claim is reconciled with the gateway before it is sent again.
 *
 * Check-ins (XML0) use the same machinery in their own lane: their own slots
 * (GATEWAY_CHECKIN_CONCURRENCY), so a burst of check-ins never takes a slot from a claim with a
 * deadline, and a claim backlog never holds a check-in back. The circuit breaker is shared:
 * it is one gateway.
 */
export class SubmissionScheduler {
  private running = false;
  private loop?: Promise<void>;
  private wake?: () => void;
  /** In-flight attempts per `${kind}|${facility}` and per kind. */
  private readonly inFlight = new Map<string, number>();
  private readonly inFlightByKind: Record<SubmissionKind, number> = { claim: 0, checkin: 0 };
  private readonly tasks = new Set<Promise<void>>();
  readonly breaker: CircuitBreaker;

  constructor(
    private readonly runtime: ServiceRuntime,
    private readonly client: GatewayClient,
    private readonly config: GatewaySyncConfig,
  ) {
    this.breaker = new CircuitBreaker(config.GATEWAY_CIRCUIT_THRESHOLD, config.GATEWAY_CIRCUIT_OPEN_MS);
  }

  /** Rows left IN_FLIGHT by a crash may or may not have reached the gateway: reconcile them. */
  async recoverAfterCrash(): Promise<number> {
    // The dead process's requests may still be in the gateway's hands: look them up no sooner
    // than the settle time after they were sent (updated_at is when the row went IN_FLIGHT), or
    // a lookup could miss one that is about to be recorded.
    const rows = await this.runtime.ds.query(
      `UPDATE submissions SET status = 'RECONCILE', next_attempt_at = GREATEST(now(), updated_at + ($1::int * interval '1 millisecond')), updated_at = now()
       WHERE status IN ('IN_FLIGHT', 'IN_FLIGHT_RECONCILE') RETURNING id`,
      [this.config.GATEWAY_RECONCILE_SETTLE_MS],
    );
    const n = Array.isArray(rows[0]) ? rows[0].length : rows.length;
    if (n) this.runtime.logger.warn({ count: n }, 'in-flight submissions found at start-up; reconciling before any re-send');
    return n;
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
        const started = await this.dispatch();
        if (started === 0) await this.sleep(this.breaker.state === 'open' ? 1000 : 200);
      } catch (err) {
        this.runtime.logger.warn({ error: err instanceof Error ? { name: err.name, message: scrubText(err.message) } : String(err) }, 'scheduler tick failed');
        await this.sleep(1000);
      }
    }
  }

  private freeSlots(kind: SubmissionKind): number {
    const limit = kind === 'claim' ? this.config.GATEWAY_CONCURRENCY : this.config.GATEWAY_CHECKIN_CONCURRENCY;
    return limit - this.inFlightByKind[kind];
  }

  /**
   * Free slots worth a query: with attempts in flight, wait until a quarter of the lane is free
   * (the finishing attempts will wake the loop) rather than take rows one at a time as each
   * slot frees — one query per claim was the scheduler's main database cost under load.
   */
  private worthTaking(kind: SubmissionKind): number {
    const limit = kind === 'claim' ? this.config.GATEWAY_CONCURRENCY : this.config.GATEWAY_CHECKIN_CONCURRENCY;
    const free = this.freeSlots(kind);
    return free >= Math.max(1, Math.floor(limit / 4)) || this.inFlightByKind[kind] === 0 ? free : 0;
  }

  /** Takes due rows up to the free slots of each lane, earliest deadline first. @returns attempts started. */
  async dispatch(): Promise<number> {
    if (this.worthTaking('claim') <= 0 && this.worthTaking('checkin') <= 0) return 0;
    if (!this.breaker.tryAcquire()) return 0;
    // Half-open: exactly one probe, a claim if one is due.
    const probe = this.breaker.state === 'half-open';
    const rows: SubmissionRow[] = [];
    for (const kind of ['claim', 'checkin'] as const) {
      const free = probe ? 1 - rows.length : this.worthTaking(kind);
      if (free > 0) rows.push(...(await this.take(kind, free)));
    }
    if (rows.length === 0) {
      if (probe) this.breaker.release(); // nothing to probe with: stay half-open, probe later
      return 0;
    }
    for (const row of rows) {
      const key = `${row.kind}|${row.facility_code}`;
      this.inFlightByKind[row.kind]++;
      this.inFlight.set(key, (this.inFlight.get(key) ?? 0) + 1);
      const task = this.attempt(row).finally(() => {
        this.inFlightByKind[row.kind]--;
        this.inFlight.set(key, (this.inFlight.get(key) ?? 1) - 1);
        this.tasks.delete(task);
        this.notify();
      });
      this.tasks.add(task);
    }
    return rows.length;
  }

  /** Marks up to `free` due rows of one kind IN_FLIGHT: per-facility account limit, earliest deadline first. */
  private async take(kind: SubmissionKind, free: number): Promise<SubmissionRow[]> {
    const perFacility = kind === 'claim' ? this.config.GATEWAY_CONCURRENCY_PER_FACILITY : this.config.GATEWAY_CHECKIN_CONCURRENCY;
    const full = [...this.inFlight.entries()].filter(([k, n]) => k.startsWith(`${kind}|`) && n >= perFacility).map(([k]) => k.slice(kind.length + 1));
    // One statement, atomic on its own: no BEGIN/COMMIT round trips around it.
    const result = await this.runtime.ds.query(
      `WITH candidates AS (
         SELECT id, facility_code, row_number() OVER (PARTITION BY facility_code ORDER BY deadline, id) AS rn
         FROM submissions
         WHERE kind = $4 AND status IN ('DUE', 'RECONCILE') AND next_attempt_at <= now() AND NOT (facility_code = ANY($2::text[]))
         ORDER BY deadline, id
         LIMIT $1 * 4
       )
       UPDATE submissions s SET status = CASE WHEN s.status = 'RECONCILE' THEN 'IN_FLIGHT_RECONCILE' ELSE 'IN_FLIGHT' END,
              attempts = s.attempts + 1, updated_at = now()
       WHERE s.id IN (
         SELECT c.id FROM candidates c JOIN submissions x ON x.id = c.id
         WHERE c.rn <= $3 - COALESCE(($5::jsonb ->> c.facility_code)::int, 0) ORDER BY x.deadline, x.id LIMIT $1 FOR UPDATE OF x SKIP LOCKED)
       RETURNING s.*, COALESCE(s.trace_headers, ${storedTraceHeadersSql('s', submissionTraceKeySql('s'))}) AS trace`,
      [free, full, perFacility, kind, JSON.stringify(this.inFlightOf(kind))],
    );
    return result[0] as SubmissionRow[];
  }

  /** facility → attempts in flight, for one kind. */
  private inFlightOf(kind: SubmissionKind): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [k, n] of this.inFlight) if (k.startsWith(`${kind}|`) && n > 0) out[k.slice(kind.length + 1)] = n;
    return out;
  }

  private async attempt(row: SubmissionRow): Promise<void> {
    const startedAt = new Date();
    const reconciling = row.status === 'IN_FLIGHT_RECONCILE';
    // The claim's trace (stored with the row when claim.signed arrived), so that the submission joins it.
    const parent = storedTraceContext(row.trace);
    await inSpan(
      'gateway submit',
      { 'bhyt.facility': row.facility_code, 'bhyt.kind': row.kind, 'bhyt.ma_lk': row.ma_lk, 'bhyt.version': row.version, 'bhyt.care_type': row.care_type, 'bhyt.attempt': row.attempts, 'bhyt.reconcile': reconciling },
      async (span) => {
        let outcome: GatewayOutcome | undefined;
        if (reconciling) outcome = await this.reconcile(row);
        if (!outcome) {
          const timer = Metrics.gatewaySeconds().startTimer({ operation: row.kind === 'claim' ? 'submit' : 'checkin' });
          // encounter_end (claims) / first billable item (check-ins) picks the 4750 or 3176 endpoints.
          const request = { facilityCode: row.facility_code, signedXml: Buffer.from(row.signed_xml_b64, 'base64'), encounterDate: new Date(row.encounter_end) };
          outcome = await (row.kind === 'claim' ? this.client.submitClaim(request) : this.client.submitCheckin(request))
            .catch((err: unknown): GatewayOutcome => ({ kind: 'needs-operator', code: 'CLIENT_ERROR', reason: err instanceof Error ? err.message : String(err) }));
          timer({ code: outcome.kind === 'accepted' ? '200' : 'code' in outcome ? outcome.code : 'ambiguous' });
        }
        span.setAttribute(ClaimAttr.gatewayOutcome, outcome.kind);
        span.setAttribute(ClaimAttr.gatewayCode, outcome.kind === 'accepted' ? '200' : 'code' in outcome ? outcome.code : 'ambiguous');
        await this.record(row, outcome, startedAt);
      },
      parent ? { parent } : {},
    );
  }

  /** @returns an accepted outcome if the gateway already has this exact document, else undefined (send). */
  private async reconcile(row: SubmissionRow): Promise<GatewayOutcome | undefined> {
    try {
      const r = await this.client.reconcile({ facilityCode: row.facility_code, maLk: row.ma_lk, sha256: row.document_sha256 });
      const found = r.submissions[0];
      if (r.found && found) return { kind: 'accepted', maGiaoDich: found.maGiaoDich, thoiGianTiepNhan: found.receivedAt };
      return undefined;
    } catch (err) {
      // No reconciliation possible (production has no lookup API): re-send the same version;
      // the gateway treats it as a superseding re-send of identical content.
      this.runtime.logger.warn({ facility: row.facility_code, error: err instanceof Error ? err.name : 'error' }, 'reconciliation unavailable; re-sending the same version');
      return undefined;
    }
  }

  private async record(row: SubmissionRow, outcome: GatewayOutcome, startedAt: Date): Promise<void> {
    const detail = 'reason' in outcome ? scrubText(outcome.reason).slice(0, 1000) : (outcome.thongDiep ?? null);
    const code = outcome.kind === 'accepted' ? '200' : 'code' in outcome ? outcome.code : null;
    // The breaker moves once, before the transaction: the unit below may run twice (group commit).
    let circuitClosed = false;
    if (outcome.kind === 'accepted' || outcome.kind === 'permanent') circuitClosed = this.breaker.success();
    else if (outcome.kind === 'retryable' || outcome.kind === 'ambiguous') this.breaker.failure();
    // Not the claim's fault (account locked, wrong facility binding…): says nothing about the
    // gateway being down; a probe that ends there must not stay taken.
    else this.breaker.release();
    const msToDeadline = new Date(row.deadline).getTime() - Date.now();
    const backoff = nextAttemptDelay(row.attempts, { baseMs: this.config.GATEWAY_BACKOFF_BASE_MS, maxMs: this.config.GATEWAY_BACKOFF_MAX_MS }, Math.random, msToDeadline);
    let released: number | undefined;
    // The outcome is known; only the database may fail here (a restart, a failover). Keep the
    // slot and retry until the outcome is stored: a row left IN_FLIGHT would otherwise wait for
    // the next start-up of this service to be reconciled (found by the chaos suite).
    await this.untilStored(row, () => this.runtime.tx(async (m: EntityManager) => {
      await m.query(
        `INSERT INTO submission_attempts (submission_id, attempt, started_at, outcome, code, detail, ma_giao_dich) VALUES ($1,$2,$3,$4,$5,$6,$7)`,
        [row.id, row.attempts, startedAt, outcome.kind, code, detail, outcome.kind === 'accepted' ? outcome.maGiaoDich : null],
      );
      switch (outcome.kind) {
        case 'accepted': {
          if (circuitClosed) released = await this.releaseBackoffAfterOutage(m);
          const receivedAt = parseGatewayTime(outcome.thoiGianTiepNhan) ?? new Date();
          await m.query(
            `UPDATE submissions SET status = 'SUBMITTED', ma_giao_dich = $2, received_at = $3, last_code = '200', last_error = NULL, signed_xml_b64 = NULL, updated_at = now() WHERE id = $1`,
            [row.id, outcome.maGiaoDich, receivedAt],
          );
          if (row.kind === 'checkin') break; // no claim events for a check-in
          const late = receivedAt.getTime() > new Date(row.deadline).getTime();
          // Sent late but never reported missed (the monitor had not run yet): report it now.
          const unreported: unknown[] = late ? (await m.query(`UPDATE submissions SET missed_notified = true, at_risk_notified = true WHERE id = $1 AND NOT missed_notified RETURNING id`, [row.id]))[0] : [];
          if (unreported.length) await enqueueOutbox(m, [deadlineEvent('missed', row, receivedAt)]);
          const payload: ClaimSubmitted = {
            facilityCode: row.facility_code,
            maLk: row.ma_lk,
            version: row.version,
            careType: row.care_type,
            maGiaoDich: outcome.maGiaoDich,
            receivedAt: receivedAt.toISOString(),
            encounterEnd: new Date(row.encounter_end).toISOString(),
            deadline: new Date(row.deadline).toISOString(),
            onTime: receivedAt.getTime() <= new Date(row.deadline).getTime(),
            attempts: row.attempts,
          };
          await enqueueOutbox(m, [createEvent(Topics.claimSubmitted.name, { facilityCode: row.facility_code, key: row.ma_lk, payload }).message]);
          break;
        }
        case 'retryable':
        case 'ambiguous': {
          // Ambiguous: the gateway may still be working on the request; let it settle before the lookup.
          const settle = this.config.GATEWAY_RECONCILE_SETTLE_MS - (Date.now() - startedAt.getTime());
          const delay = outcome.kind === 'ambiguous' ? Math.max(backoff, settle) : backoff;
          await m.query(
            `UPDATE submissions SET status = $2, next_attempt_at = now() + ($3::int * interval '1 millisecond'), last_code = $4, last_error = $5, updated_at = now() WHERE id = $1`,
            [row.id, outcome.kind === 'ambiguous' ? 'RECONCILE' : 'DUE', delay, code ?? 'AMBIGUOUS', detail],
          );
          break;
        }
        case 'permanent': {
          if (circuitClosed) released = await this.releaseBackoffAfterOutage(m);
          await m.query(`UPDATE submissions SET status = 'REJECTED', last_code = $2, last_error = $3, updated_at = now() WHERE id = $1`, [row.id, code, detail]);
          if (row.kind === 'checkin') break;
          const payload: ClaimRejected = {
            facilityCode: row.facility_code,
            maLk: row.ma_lk,
            version: row.version,
            stage: 'gateway',
            codes: [{ code: outcome.code, message: detail ?? 'rejected by the gateway' }],
            rejectedAt: new Date().toISOString(),
          };
          await enqueueOutbox(m, [createEvent(Topics.claimRejected.name, { facilityCode: row.facility_code, key: row.ma_lk, payload }).message]);
          break;
        }
        case 'needs-operator': {
          // Not the claim's fault: wait for an operator.
          await m.query(`UPDATE submissions SET status = 'NEEDS_OPERATOR', last_code = $2, last_error = $3, updated_at = now() WHERE id = $1`, [row.id, code, detail]);
          break;
        }
      }
    }));
    // Side effects that must happen once, after the commit.
    if (released !== undefined) this.runtime.logger.warn({ released, opened: this.breaker.opened }, 'gateway answers again; circuit closed');
    const ids = { facility: row.facility_code, kind: row.kind, maLk: row.ma_lk, version: row.version, code };
    if (outcome.kind === 'accepted' && row.kind === 'claim') {
      const receivedAt = parseGatewayTime(outcome.thoiGianTiepNhan) ?? new Date();
      Metrics.timeToSubmitSeconds().observe({ facility: row.facility_code }, Math.max(0, (receivedAt.getTime() - new Date(row.encounter_end).getTime()) / 1000));
    }
    if (outcome.kind === 'permanent') this.runtime.logger.warn(ids, 'gateway rejected a submission permanently');
    if (outcome.kind === 'needs-operator') this.runtime.logger.error(ids, 'gateway submission needs an operator');
  }

  /** Runs `store` until it succeeds, backing off; gives up only when the scheduler stops. */
  private async untilStored(row: SubmissionRow, store: () => Promise<void>): Promise<void> {
    for (let failures = 0; ; failures++) {
      try {
        return await store();
      } catch (err) {
        if (!this.running) throw err; // stopping: the row stays IN_FLIGHT and the next start reconciles it
        const delay = Math.min(5000, 200 * 2 ** Math.min(failures, 5));
        this.runtime.logger.warn({ facility: row.facility_code, maLk: row.ma_lk, version: row.version, failures: failures + 1, delayMs: delay, error: err instanceof Error ? { name: err.name, message: scrubText(err.message) } : String(err) }, 'gateway outcome not stored yet; retrying');
        await new Promise((r) => setTimeout(r, delay));
      }
    }
  }

  /**
   * The circuit closed after an outage: the backoff delays that the outage imposed are void.
   * Make every waiting DUE row eligible now, so that the backlog goes out earliest deadline
   * first rather than in the order the jitter happened to pick. (RECONCILE rows keep their
   * settle delay.)
   */
  private async releaseBackoffAfterOutage(m: EntityManager): Promise<number> {
    const released = (await m.query(`UPDATE submissions SET next_attempt_at = now() WHERE status = 'DUE' AND next_attempt_at > now() RETURNING id`))[0] as unknown[];
    return released.length;
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
    await Promise.allSettled([...this.tasks]);
  }
}

/** thoiGianTiepNhan is yyyyMMddHHmmss, Vietnam local time (UTC+7; unconfirmed zone, spec §8.7). */
export function parseGatewayTime(value: string | undefined): Date | undefined {
  if (!value) return undefined;
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$/.exec(value);
  if (!m) {
    const d = new Date(value);
    return Number.isNaN(d.getTime()) ? undefined : d;
  }
  return new Date(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}+07:00`);
}
