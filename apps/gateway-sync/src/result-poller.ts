import { claimAttributes, ClaimAttr, inSpan } from '@bhyt/observability';
import { storedTraceContext } from '@bhyt/persistence';
import type { RerunnableTx } from './scheduler';
import type { SubmissionStore } from './submission.store';
import { applyVerdict } from './verdicts';

interface AsyncResult {
  status: string;
  errors?: Array<{ code?: string; message?: string; table?: string; field?: string; row?: number }>;
}

/**
 * Turns the gateway's asynchronous validation results into claim.accepted / claim.rejected.
 * The real gateway shows these results only on its portal (no API, spec §4.4): there an
 * operator brings them in (POST /v1/claims/:facility/portal-feedback). The simulator exposes
 * them at /admin/results (a page of ids per request), except in its production mode. Without
 * GATEWAY_SIMULATOR_ADMIN_URL this poller is off and claims stay SUBMITTED (received).
 */
export class ResultPoller {
  private timer?: NodeJS.Timeout;
  private busy = false;

  constructor(
    private readonly store: SubmissionStore,
    private readonly tx: RerunnableTx,
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
      const rows = await this.store.awaitingVerdict(200);
      if (rows.length === 0) return 0;
      // One request for the whole page; the verdicts then share the service's group commit.
      const res = await fetch(`${this.adminUrl}/admin/results?ids=${rows.map((r) => encodeURIComponent(r.maGiaoDich)).join(',')}`, { signal: AbortSignal.timeout(10000) }).catch(() => undefined);
      if (!res?.ok) return 0;
      const page = ((await res.json()) as { results?: Record<string, AsyncResult> }).results ?? {};
      await this.store.markVerdictChecked(rows.filter((r) => page[r.maGiaoDich]?.status !== 'processed').map((r) => r.id));
      const processed = rows.filter((r) => page[r.maGiaoDich]?.status === 'processed');
      await Promise.all(
        processed.map((r) => {
          const errors = (page[r.maGiaoDich]!.errors ?? []).map((e) => ({ code: e.code, message: e.message ?? 'validation error', table: e.table, field: e.field, row: e.row }));
          // The verdict joins the claim's trace (claim.accepted / claim.rejected are its last events).
          const parent = r.kind === 'claim' ? storedTraceContext(r.trace) : undefined;
          const attributes = { ...claimAttributes({ facilityCode: r.facilityCode, maLk: r.maLk, version: r.version }), 'bhyt.kind': r.kind, [ClaimAttr.gatewayOutcome]: errors.length ? 'rejected' : 'accepted' };
          return inSpan('gateway result', attributes, () => this.tx((m) => applyVerdict(m, this.store, { ...r, errors })), parent ? { parent } : {});
        }),
      );
      return processed.length;
    } finally {
      this.busy = false;
    }
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }
}
