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
  trace: Record<string, string> | null;
}

interface AsyncResult {
  status: string;
  errors?: Array<{ code?: string; message?: string; table?: string; field?: string; row?: number }>;
}

/**
 * Turns the gateway's asynchronous validation results into claim.accepted / claim.rejected.
 * The real gateway shows these results only on its portal (no API is confirmed, spec §4.4);
 * the simulator exposes them at /admin/results (a page of ids per request). Without GATEWAY_SIMULATOR_ADMIN_URL
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
        `SELECT s.id, s.kind, s.facility_code, s.ma_lk, s.version, s.ma_giao_dich, COALESCE(s.trace_headers, ${storedTraceHeadersSql('s')}) AS trace FROM submissions s
         WHERE status = 'SUBMITTED' AND (result_checked_at IS NULL OR result_checked_at < now() - interval '1 second')
         ORDER BY received_at LIMIT 200`,
      );
      if (rows.length === 0) return 0;
      // One request for the whole page; the verdicts then share the service's group commit.
      const res = await fetch(`${this.adminUrl}/admin/results?ids=${rows.map((r) => encodeURIComponent(r.ma_giao_dich)).join(',')}`, { signal: AbortSignal.timeout(10000) }).catch(() => undefined);
      if (!res?.ok) return 0;
      const page = ((await res.json()) as { results?: Record<string, AsyncResult> }).results ?? {};
      const pending = rows.filter((r) => page[r.ma_giao_dich]?.status !== 'processed');
      if (pending.length) await this.runtime.ds.query(`UPDATE submissions SET result_checked_at = now() WHERE id = ANY($1::bigint[])`, [pending.map((r) => r.id)]);
      const processed = rows.filter((r) => page[r.ma_giao_dich]?.status === 'processed');
      await Promise.all(processed.map((r) => this.recordVerdict(r, page[r.ma_giao_dich]!)));
      return processed.length;
    } finally {
      this.busy = false;
    }
  }

  /** Turns one processed result into the submission's final status and claim event. */
  private async recordVerdict(r: SubmittedRow, body: AsyncResult): Promise<void> {
    const errors = body.errors ?? [];
    // The verdict joins the claim's trace (claim.accepted / claim.rejected are its last events).
    const parent = r.kind === 'claim' ? storedTraceContext(r.trace) : undefined;
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
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }
}
