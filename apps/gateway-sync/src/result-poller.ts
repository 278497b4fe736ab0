import { ClaimAccepted, ClaimRejected, Topics } from '@bhyt/contracts';
import { createEvent } from '@bhyt/messaging';
import { claimAttributes, ClaimAttr, inSpan } from '@bhyt/observability';
import { enqueueOutbox, storedTraceContext, storedTraceHeadersSql } from '@bhyt/persistence';
import { ServiceRuntime } from '@bhyt/service-kit';

interface SubmittedRow {
  id: string;
  kind: string;
  facility_code: string;
  ma_lk: string;
  version: number;
  ma_giao_dich: string;
  trace_headers: Record<string, string> | null;
}

const RESULT_CONCURRENCY = 8;

interface AsyncResult {
  status: string;
  errors?: Array<{ code?: string; message?: string; table?: string; field?: string; row?: number }>;
}

/**
 * Turns the gateway's asynchronous validation results into claim.accepted / claim.rejected.
 * The real gateway shows these results only on its portal (no API is confirmed, spec §4.4);
 * the simulator exposes them at /admin/results/:maGiaoDich. Without GATEWAY_SIMULATOR_ADMIN_URL
 * this poller is off and claims stay SUBMITTED (received) — documented in the runbook.
 */
export class ResultPoller {
  private timer?: NodeJS.Timeout;
  private busy = false;

  constructor(
    private readonly runtime: ServiceRuntime,
    private readonly adminUrl: string,
    private readonly intervalMs: number,
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.tick().catch(() => undefined), this.intervalMs);
  }

  async tick(): Promise<number> {
    if (this.busy) return 0;
    this.busy = true;
    try {
      const rows: SubmittedRow[] = await this.runtime.ds.query(
        `SELECT s.id, s.kind, s.facility_code, s.ma_lk, s.version, s.ma_giao_dich, ${storedTraceHeadersSql('s')} AS trace_headers FROM submissions s
         WHERE status = 'SUBMITTED' AND (result_checked_at IS NULL OR result_checked_at < now() - interval '1 second')
         ORDER BY received_at LIMIT 200`,
      );
      // A few rows at a time: the HTTP lookups overlap and their verdicts share a commit.
      let done = 0;
      for (let i = 0; i < rows.length; i += RESULT_CONCURRENCY) {
        const settled = await Promise.all(rows.slice(i, i + RESULT_CONCURRENCY).map((r) => this.checkOne(r)));
        done += settled.filter(Boolean).length;
      }
      return done;
    } finally {
      this.busy = false;
    }
  }

  /** @returns true when the gateway had a verdict for this submission. */
  private async checkOne(r: SubmittedRow): Promise<boolean> {
    const res = await fetch(`${this.adminUrl}/admin/results/${encodeURIComponent(r.ma_giao_dich)}`, { signal: AbortSignal.timeout(5000) }).catch(() => undefined);
    if (!res?.ok) return false;
    const body = (await res.json()) as AsyncResult;
    if (body.status !== 'processed') {
      await this.runtime.ds.query(`UPDATE submissions SET result_checked_at = now() WHERE id = $1`, [r.id]);
      return false;
    }
    const errors = body.errors ?? [];
    // The verdict joins the claim's trace (claim.accepted / claim.rejected are its last events).
    const parent = r.kind === 'claim' ? storedTraceContext(r.trace_headers) : undefined;
    const attributes = { ...claimAttributes({ facilityCode: r.facility_code, maLk: r.ma_lk, version: r.version }), 'bhyt.kind': r.kind, [ClaimAttr.gatewayOutcome]: errors.length ? 'rejected' : 'accepted' };
    await inSpan('gateway result', attributes, () => this.runtime.tx(async (m) => {
      const updated = await m.query(`UPDATE submissions SET status = $2, result_checked_at = now(), updated_at = now() WHERE id = $1 AND status = 'SUBMITTED' RETURNING id`, [r.id, errors.length ? 'REJECTED' : 'ACCEPTED']);
      if ((updated[0] as unknown[]).length === 0) return;
      if (r.kind === 'checkin') {
        // A check-in's verdict is kept for the operator API; there are no claim events for it.
        if (errors.length) await m.query(`UPDATE submissions SET last_code = $2, last_error = $3 WHERE id = $1`, [r.id, errors[0]!.code ?? 'VALIDATION', errors.map((e) => e.message ?? 'validation error').join('; ').slice(0, 1000)]);
        return;
      }
      if (errors.length === 0) {
        const payload: ClaimAccepted = { facilityCode: r.facility_code, maLk: r.ma_lk, version: r.version, maGiaoDich: r.ma_giao_dich, acceptedAt: new Date().toISOString() };
        await enqueueOutbox(m, [createEvent(Topics.claimAccepted.name, { facilityCode: r.facility_code, key: r.ma_lk, payload }).message]);
      } else {
        const payload: ClaimRejected = {
          facilityCode: r.facility_code,
          maLk: r.ma_lk,
          version: r.version,
          stage: 'gateway',
          maGiaoDich: r.ma_giao_dich,
          codes: errors.map((e) => ({ code: e.code ?? 'VALIDATION', message: e.message ?? 'validation error', ...(e.table || e.field ? { path: [e.table, e.row, e.field].filter((x) => x !== undefined).join('/') } : {}) })),
          rejectedAt: new Date().toISOString(),
        };
        await m.query(`UPDATE submissions SET last_code = $2, last_error = $3 WHERE id = $1`, [r.id, payload.codes[0]!.code, payload.codes.map((c) => c.message).join('; ').slice(0, 1000)]);
        await enqueueOutbox(m, [createEvent(Topics.claimRejected.name, { facilityCode: r.facility_code, key: r.ma_lk, payload }).message]);
      }
    }), parent ? { parent } : {});
    return true;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }
}
