import { CheckinSigned, ClaimSigned, parseEvent, Topics } from '@bhyt/contracts';
import { ReceivedMessage } from '@bhyt/messaging';
import { enqueueOutbox, traceHeadersToStore } from '@bhyt/persistence';
import { deadlineFor, DeadlinePolicy, deadlineState } from '@bhyt/submission-policy';
import type { Logger } from 'pino';
import { deadlineEvent } from './deadline-events';
import type { RerunnableTx } from './scheduler';
import type { SubmissionStore } from './submission.store';

export interface IntakeDeps {
  readonly store: SubmissionStore;
  readonly tx: RerunnableTx;
  readonly logger: Pick<Logger, 'error'>;
  readonly policy: DeadlinePolicy;
  readonly onDue: () => void;
}

/**
 * The Kafka handlers only record that a submission is due — no HTTP call inside them, so a
 * slow gateway never stalls consumption and a redelivery never sends twice: the row's unique
 * key (facility, kind, MA_LK, version) absorbs duplicates. That key is the idempotency check,
 * so these handlers need no inbox row (one statement less per claim on the hot path).
 */
export function claimSignedHandler(d: IntakeDeps) {
  return async (message: ReceivedMessage): Promise<void> => {
    const event = parseEvent(Topics.claimSigned.name, message.value);
    const p: ClaimSigned = event.payload;
    await d.tx(async (m) => {
      const end = new Date(p.encounterEnd);
      const deadline = deadlineFor(end, d.policy);
      // A claim can arrive already at risk or past its deadline (a backlog, a long outage, a
      // short window). Report it now, in the same transaction: the scheduler may send it within
      // the next second, before the deadline monitor would ever see it unsent.
      const now = new Date();
      const state = deadlineState(now, end, deadline, d.policy);
      const { inserted } = await d.store.recordClaimDue(m, {
        facilityCode: p.facilityCode,
        maLk: p.maLk,
        version: p.version,
        careType: p.careType,
        documentSha256: p.documentSha256,
        signedXmlB64: p.signedXmlBase64,
        encounterEnd: end,
        deadline,
        atRiskNotified: state !== 'ok',
        missedNotified: state === 'missed',
        // The scheduler submits later, outside this message, and continues the claim's trace from these.
        traceHeaders: traceHeadersToStore(),
      });
      if (!inserted || state === 'ok') return;
      await enqueueOutbox(m, [deadlineEvent(state, { facility_code: p.facilityCode, ma_lk: p.maLk, version: p.version, encounter_end: end, deadline }, now)]);
      if (state === 'missed') d.logger.error({ facility: p.facilityCode, maLk: p.maLk, version: p.version }, 'claim arrived after its submission deadline');
    });
    d.onDue();
  };
}

/**
 * Check-ins (XML0) are sent "immediately" after the first billable service: they go into the
 * same persisted queue as their own kind, served by their own slots (see the scheduler). Their
 * deadline column only orders them among themselves; no deadline events are emitted for them.
 */
export function checkinSignedHandler(d: IntakeDeps) {
  return async (message: ReceivedMessage): Promise<void> => {
    const event = parseEvent(Topics.checkinSigned.name, message.value);
    const p: CheckinSigned = event.payload;
    const first = new Date(p.firstBillableAt);
    // Check-ins are their own trace (started by the first billable ward event), kept apart from the claim's.
    await d.tx((m) =>
      d.store.recordCheckinDue(m, { facilityCode: p.facilityCode, maLk: p.maLk, sequence: p.sequence, careType: p.careType, documentSha256: p.documentSha256, signedXmlB64: p.signedXmlBase64, firstBillableAt: first, deadline: deadlineFor(first, d.policy), traceHeaders: traceHeadersToStore() }),
    );
    d.onDue();
  };
}
