import { EntityManager } from 'typeorm';
import { ClaimRejected, ClaimSubmitted, Topics } from '@bhyt/contracts';
import { GatewayClient, GatewayOutcome } from '@bhyt/gateway-client';
import { createEvent } from '@bhyt/messaging';
import { inSpan, Metrics, scrubText } from '@bhyt/observability';
import { enqueueOutbox } from '@bhyt/persistence';
import { ServiceRuntime } from '@bhyt/service-kit';
import { CircuitBreaker, nextAttemptDelay } from '@bhyt/submission-policy';
import type { GatewaySyncConfig } from './config';

export interface SubmissionRow {
  id: string;
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
}

/**
 * Sends due claims to the gateway, earliest deadline first, with bounded concurrency overall
 * and per facility account, exponential backoff with jitter and a circuit breaker. Every
 * attempt is recorded with the gateway's answer. After an ambiguous failure (the request left,
 * no answer came back) the claim is reconciled with the gateway before it is sent again.
 */
export class SubmissionScheduler {
  private running = false;
  private loop?: Promise<void>;
  private wake?: () => void;
  private readonly inFlight = new Map<string, number>();
  private inFlightTotal = 0;
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
    const rows = await this.runtime.ds.query(`UPDATE submissions SET status = 'RECONCILE', updated_at = now() WHERE status IN ('IN_FLIGHT', 'IN_FLIGHT_RECONCILE') RETURNING id`);
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

  /** Claims up to the free concurrency, earliest deadline first. @returns attempts started. */
  async dispatch(): Promise<number> {
    const free = this.config.GATEWAY_CONCURRENCY - this.inFlightTotal;
    if (free <= 0) return 0;
    if (!this.breaker.tryAcquire()) return 0;
    const perFacility = this.config.GATEWAY_CONCURRENCY_PER_FACILITY;
    const full = [...this.inFlight.entries()].filter(([, n]) => n >= perFacility).map(([f]) => f);
    const breakerProbe = this.breaker.state === 'half-open';
    const rows: SubmissionRow[] = await this.runtime.ds.transaction(async (m) => {
      const result = await m.query(
        `WITH candidates AS (
           SELECT id, facility_code, row_number() OVER (PARTITION BY facility_code ORDER BY deadline, id) AS rn
           FROM submissions
           WHERE status IN ('DUE', 'RECONCILE') AND next_attempt_at <= now() AND NOT (facility_code = ANY($2::text[]))
           ORDER BY deadline, id
           LIMIT $1 * 4
         )
         UPDATE submissions s SET status = CASE WHEN s.status = 'RECONCILE' THEN 'IN_FLIGHT_RECONCILE' ELSE 'IN_FLIGHT' END,
                attempts = s.attempts + 1, updated_at = now()
         WHERE s.id IN (
           SELECT c.id FROM candidates c JOIN submissions x ON x.id = c.id
           WHERE c.rn <= $3 ORDER BY x.deadline, x.id LIMIT $1 FOR UPDATE OF x SKIP LOCKED)
         RETURNING s.*`,
        [breakerProbe ? 1 : free, full, perFacility],
      );
      return result[0] as SubmissionRow[];
    });
    if (rows.length === 0) {
      if (breakerProbe) this.breaker.success(); // nothing to probe with: do not stay half-open
      return 0;
    }
    for (const row of rows) {
      this.inFlightTotal++;
      this.inFlight.set(row.facility_code, (this.inFlight.get(row.facility_code) ?? 0) + 1);
      const task = this.attempt(row).finally(() => {
        this.inFlightTotal--;
        this.inFlight.set(row.facility_code, (this.inFlight.get(row.facility_code) ?? 1) - 1);
        this.tasks.delete(task);
        this.notify();
      });
      this.tasks.add(task);
    }
    return rows.length;
  }

  private async attempt(row: SubmissionRow): Promise<void> {
    const startedAt = new Date();
    const reconciling = row.status === 'IN_FLIGHT_RECONCILE';
    await inSpan(
      'gateway submit',
      { 'bhyt.facility': row.facility_code, 'bhyt.ma_lk': row.ma_lk, 'bhyt.version': row.version, 'bhyt.care_type': row.care_type, 'bhyt.attempt': row.attempts, 'bhyt.reconcile': reconciling },
      async (span) => {
        let outcome: GatewayOutcome | undefined;
        if (reconciling) outcome = await this.reconcile(row);
        if (!outcome) {
          const timer = Metrics.gatewaySeconds().startTimer({ operation: 'submit' });
          outcome = await this.client
            .submitClaim({ facilityCode: row.facility_code, signedXml: Buffer.from(row.signed_xml_b64, 'base64') })
            .catch((err: unknown): GatewayOutcome => ({ kind: 'needs-operator', code: 'CLIENT_ERROR', reason: err instanceof Error ? err.message : String(err) }));
          timer({ code: outcome.kind === 'accepted' ? '200' : 'code' in outcome ? outcome.code : 'ambiguous' });
        }
        span.setAttribute('bhyt.gateway.outcome', outcome.kind);
        if ('code' in outcome) span.setAttribute('bhyt.gateway.code', outcome.code);
        await this.record(row, outcome, startedAt);
      },
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
    const ds = this.runtime.ds;
    const detail = 'reason' in outcome ? scrubText(outcome.reason).slice(0, 1000) : (outcome.thongDiep ?? null);
    const code = outcome.kind === 'accepted' ? '200' : 'code' in outcome ? outcome.code : null;
    await ds.transaction(async (m: EntityManager) => {
      await m.query(
        `INSERT INTO submission_attempts (submission_id, attempt, started_at, outcome, code, detail, ma_giao_dich) VALUES ($1,$2,$3,$4,$5,$6,$7)`,
        [row.id, row.attempts, startedAt, outcome.kind, code, detail, outcome.kind === 'accepted' ? outcome.maGiaoDich : null],
      );
      switch (outcome.kind) {
        case 'accepted': {
          this.breaker.success();
          const receivedAt = parseGatewayTime(outcome.thoiGianTiepNhan) ?? new Date();
          await m.query(
            `UPDATE submissions SET status = 'SUBMITTED', ma_giao_dich = $2, received_at = $3, last_code = '200', last_error = NULL, signed_xml_b64 = NULL, updated_at = now() WHERE id = $1`,
            [row.id, outcome.maGiaoDich, receivedAt],
          );
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
          Metrics.timeToSubmitSeconds().observe({ facility: row.facility_code }, Math.max(0, (receivedAt.getTime() - new Date(row.encounter_end).getTime()) / 1000));
          await enqueueOutbox(m, [createEvent(Topics.claimSubmitted.name, { facilityCode: row.facility_code, key: row.ma_lk, payload }).message]);
          break;
        }
        case 'retryable':
        case 'ambiguous': {
          this.breaker.failure();
          const msToDeadline = new Date(row.deadline).getTime() - Date.now();
          const delay = nextAttemptDelay(row.attempts, { baseMs: this.config.GATEWAY_BACKOFF_BASE_MS, maxMs: this.config.GATEWAY_BACKOFF_MAX_MS }, Math.random, msToDeadline);
          await m.query(
            `UPDATE submissions SET status = $2, next_attempt_at = now() + ($3::int * interval '1 millisecond'), last_code = $4, last_error = $5, updated_at = now() WHERE id = $1`,
            [row.id, outcome.kind === 'ambiguous' ? 'RECONCILE' : 'DUE', delay, code ?? 'AMBIGUOUS', detail],
          );
          break;
        }
        case 'permanent': {
          this.breaker.success();
          await m.query(`UPDATE submissions SET status = 'REJECTED', last_code = $2, last_error = $3, updated_at = now() WHERE id = $1`, [row.id, code, detail]);
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
          // Not the claim's fault (account locked, wrong facility binding…): wait for an operator.
          await m.query(`UPDATE submissions SET status = 'NEEDS_OPERATOR', last_code = $2, last_error = $3, updated_at = now() WHERE id = $1`, [row.id, code, detail]);
          this.runtime.logger.error({ facility: row.facility_code, code }, 'gateway submission needs an operator');
          break;
        }
      }
    });
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
