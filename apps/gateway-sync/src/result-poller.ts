import { Inject, Injectable } from '@nestjs/common';
import { BackgroundJob } from '@bhyt/jobs';
import { claimAttributes, ClaimAttr, inSpan } from '@bhyt/observability';
import { storedTraceContext } from '@bhyt/persistence';
import { REPEATABLE_TRANSACTION } from '@bhyt/service-kit';
import type { GatewaySyncConfig } from './config';
import type { RerunnableTx } from './scheduler';
import type { SubmissionStore } from './submission.store';
import { GATEWAY_SYNC_CONFIG, SUBMISSION_STORE } from './tokens';
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
@Injectable()
export class ResultPoller extends BackgroundJob {
  private readonly adminUrl: string;

  constructor(
    @Inject(SUBMISSION_STORE) private readonly store: SubmissionStore,
    @Inject(REPEATABLE_TRANSACTION) private readonly tx: RerunnableTx,
    @Inject(GATEWAY_SYNC_CONFIG) config: GatewaySyncConfig,
  ) {
    // A failed poll is retried at the next interval; the results stay on the simulator until read.
    super({ name: 'result-poller', intervalMs: config.GATEWAY_RESULT_POLL_MS });
    if (!config.GATEWAY_SIMULATOR_ADMIN_URL)
      throw new Error('ResultPoller needs GATEWAY_SIMULATOR_ADMIN_URL');
    this.adminUrl = config.GATEWAY_SIMULATOR_ADMIN_URL;
  }

  /** A full page of processed results asks for the next page at once. */
  protected async runOnce(): Promise<'more' | 'idle'> {
    return (await this.tick()) >= 200 ? 'more' : 'idle';
  }

  async tick(): Promise<number> {
    const rows = await this.store.awaitingVerdict(200);
    if (rows.length === 0) return 0;
    // One request for the whole page; the verdicts then share the service's group commit.
    const res = await fetch(
      `${this.adminUrl}/admin/results?ids=${rows.map((r) => encodeURIComponent(r.maGiaoDich)).join(',')}`,
      { signal: AbortSignal.timeout(10000) },
    ).catch(() => undefined);
    if (!res?.ok) return 0;
    const page = ((await res.json()) as { results?: Record<string, AsyncResult> }).results ?? {};
    await this.store.markVerdictChecked(
      rows.filter((r) => page[r.maGiaoDich]?.status !== 'processed').map((r) => r.id),
    );
    const processed = rows.filter((r) => page[r.maGiaoDich]?.status === 'processed');
    await Promise.all(
      processed.map((r) => {
        const errors = (page[r.maGiaoDich]!.errors ?? []).map((e) => ({
          code: e.code,
          message: e.message ?? 'validation error',
          table: e.table,
          field: e.field,
          row: e.row,
        }));
        // The verdict joins the claim's trace (claim.accepted / claim.rejected are its last events).
        const parent = r.kind === 'claim' ? storedTraceContext(r.trace) : undefined;
        const attributes = {
          ...claimAttributes({ facilityCode: r.facilityCode, maLk: r.maLk, version: r.version }),
          'bhyt.kind': r.kind,
          [ClaimAttr.gatewayOutcome]: errors.length ? 'rejected' : 'accepted',
        };
        return inSpan(
          'gateway result',
          attributes,
          () => this.tx((m) => applyVerdict(m, this.store, { ...r, errors })),
          parent ? { parent } : {},
        );
      }),
    );
    return processed.length;
  }
}
