import type { EntityManager } from 'typeorm';
import { ClaimAccepted, ClaimRejected, Topics } from '@bhyt/contracts';
import { createEvent } from '@bhyt/messaging';
import { enqueueOutbox } from '@bhyt/persistence';
import type { PortalError, SubmissionKind, SubmissionStore } from './submission.store';

export interface Verdict {
  readonly id: string;
  readonly kind: SubmissionKind;
  readonly facilityCode: string;
  readonly maLk: string;
  readonly version: number;
  readonly maGiaoDich: string | null;
  /** Empty: accepted. */
  readonly errors: readonly PortalError[];
}

/**
 * The gateway's verdict on a received submission (transition `verdict`), from the simulator's
 * result route or from the portal's feedback brought in by an operator: SUBMITTED becomes
 * ACCEPTED or REJECTED and a claim gets claim.accepted / claim.rejected, so that a rejected
 * claim can be corrected (a new version of the same MA_LK). @returns false if it was no
 * longer SUBMITTED (a verdict already applied).
 */
export async function applyVerdict(m: EntityManager, store: SubmissionStore, v: Verdict): Promise<boolean> {
  const rejected = v.errors.length > 0;
  const codes = v.errors.map((e) => ({
    code: e.code ?? 'VALIDATION',
    message: e.message || 'validation error',
    ...(e.table || e.field
      ? { path: [e.table, e.row, e.field].filter((x) => x !== undefined).join('/') }
      : {}),
  }));
  const summary = rejected
    ? { code: codes[0]!.code, message: codes.map((c) => c.message).join('; ') }
    : undefined;
  if (!(await store.recordVerdict(m, v.id, !rejected, summary))) return false;
  if (v.kind === 'checkin') return true; // kept for the operator API; no claim events for a check-in
  if (!rejected) {
    const payload: ClaimAccepted = {
      facilityCode: v.facilityCode,
      maLk: v.maLk,
      version: v.version,
      maGiaoDich: v.maGiaoDich ?? '',
      acceptedAt: new Date().toISOString(),
    };
    await enqueueOutbox(m, [
      createEvent(Topics.claimAccepted.name, { facilityCode: v.facilityCode, key: v.maLk, payload }).message,
    ]);
  } else {
    const payload: ClaimRejected = {
      facilityCode: v.facilityCode,
      maLk: v.maLk,
      version: v.version,
      stage: 'gateway',
      ...(v.maGiaoDich ? { maGiaoDich: v.maGiaoDich } : {}),
      codes,
      rejectedAt: new Date().toISOString(),
    };
    await enqueueOutbox(m, [
      createEvent(Topics.claimRejected.name, { facilityCode: v.facilityCode, key: v.maLk, payload }).message,
    ]);
  }
  return true;
}
