import { Inject, Injectable } from '@nestjs/common';
import { CheckinSigned, ClaimSigned, parseEvent, Topics } from '@bhyt/contracts';
import { ReceivedMessage } from '@bhyt/messaging';
import { ConsumerSpec, DeclaredConsumer, REPEATABLE_TRANSACTION } from '@bhyt/service-kit';
import { enqueueOutbox, traceHeadersToStore } from '@bhyt/persistence';
import { deadlineFor, DeadlinePolicy, deadlineState } from '@bhyt/submission-policy';
import type { Logger } from 'pino';
import { deadlineEvent } from './deadline-events';
import type { RerunnableTx, SubmissionScheduler } from './scheduler';
import type { SubmissionStore } from './submission.store';
import { DEADLINE_POLICY, LOGGER, SCHEDULER, SUBMISSION_STORE } from './tokens';

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
    const arrivedMissed = await d.tx(async (m) => {
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
      if (!inserted || state === 'ok') return false;
      await enqueueOutbox(m, [
        deadlineEvent(
          state,
          { facility_code: p.facilityCode, ma_lk: p.maLk, version: p.version, encounter_end: end, deadline },
          now,
        ),
      ]);
      return state === 'missed';
    });
    // Logged after the unit of work: group commit may run it more than once.
    if (arrivedMissed)
      d.logger.error(
        { facility: p.facilityCode, maLk: p.maLk, version: p.version },
        'claim arrived after its submission deadline',
      );
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
      d.store.recordCheckinDue(m, {
        facilityCode: p.facilityCode,
        maLk: p.maLk,
        sequence: p.sequence,
        careType: p.careType,
        documentSha256: p.documentSha256,
        signedXmlB64: p.signedXmlBase64,
        firstBillableAt: first,
        deadline: deadlineFor(first, d.policy),
        traceHeaders: traceHeadersToStore(),
      }),
    );
    d.onDue();
  };
}

/** The dependencies both intake consumers take from Nest (store, unit of work, logger, policy, scheduler). */
@Injectable()
export class SubmissionIntakeDeps implements IntakeDeps {
  readonly onDue: () => void;
  constructor(
    @Inject(SUBMISSION_STORE) readonly store: SubmissionStore,
    @Inject(REPEATABLE_TRANSACTION) readonly tx: RerunnableTx,
    @Inject(LOGGER) readonly logger: Pick<Logger, 'error'>,
    @Inject(DEADLINE_POLICY) readonly policy: DeadlinePolicy,
    @Inject(SCHEDULER) scheduler: SubmissionScheduler,
  ) {
    // A new due row wakes the scheduler instead of waiting for its next interval.
    this.onDue = () => scheduler.notify();
  }
}

/** claim.signed → a due claim submission (see claimSignedHandler). */
@Injectable()
export class ClaimSignedConsumer implements DeclaredConsumer {
  constructor(private readonly deps: SubmissionIntakeDeps) {}
  consumerSpec(): ConsumerSpec {
    return {
      name: 'claims',
      topics: [Topics.claimSigned.name],
      handler: claimSignedHandler(this.deps),
      concurrency: 6,
      inFlightPerPartition: 32,
    };
  }
}

/** checkin.signed → a due check-in submission (see checkinSignedHandler). */
@Injectable()
export class CheckinSignedConsumer implements DeclaredConsumer {
  constructor(private readonly deps: SubmissionIntakeDeps) {}
  consumerSpec(): ConsumerSpec {
    return {
      name: 'checkins',
      topics: [Topics.checkinSigned.name],
      handler: checkinSignedHandler(this.deps),
      concurrency: 3,
    };
  }
}
