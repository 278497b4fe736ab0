import { CheckinSigned, ClaimSigned, parseEvent, Topics } from '@bhyt/contracts';
import { ReceivedMessage } from '@bhyt/messaging';
import { enqueueOutbox, traceHeadersToStore } from '@bhyt/persistence';
import { ServiceRuntime } from '@bhyt/service-kit';
import { deadlineFor, DeadlinePolicy, deadlineState } from '@bhyt/submission-policy';
import { deadlineEvent } from './deadline-events';

/**
 * The Kafka handlers only record that a submission is due — no HTTP call inside them, so a
 * slow gateway never stalls consumption and a redelivery never sends twice: the row's unique
 * key (facility, kind, MA_LK, version) absorbs duplicates. That key is the idempotency check,
 * so these handlers need no inbox row (one statement less per claim on the hot path).
 */
export function claimSignedHandler(runtime: ServiceRuntime, policy: DeadlinePolicy, onDue: () => void) {
  return async (message: ReceivedMessage): Promise<void> => {
    const event = parseEvent(Topics.claimSigned.name, message.value);
    const p: ClaimSigned = event.payload;
    await runtime.tx(async (m) => {
      const end = new Date(p.encounterEnd);
      const deadline = deadlineFor(end, policy);
      // A claim can arrive already at risk or past its deadline (a backlog, a long outage, a
      // short window). Report it now, in the same transaction: the scheduler may send it within
      // the next second, before the deadline monitor would ever see it unsent.
      const now = new Date();
      const state = deadlineState(now, end, deadline, policy);
      const inserted: unknown[] = await m.query(
        `INSERT INTO submissions (facility_code, kind, ma_lk, version, care_type, document_sha256, signed_xml_b64, encounter_end, deadline, status, at_risk_notified, missed_notified, trace_headers)
         VALUES ($1,'claim',$2,$3,$4,$5,$6,$7,$8,'DUE',$9,$10,$11::jsonb) ON CONFLICT (facility_code, kind, ma_lk, version) DO NOTHING RETURNING id`,
        // trace_headers: the scheduler submits later, outside this message, and continues the claim's trace from them.
        [p.facilityCode, p.maLk, p.version, p.careType, p.documentSha256, p.signedXmlBase64, end, deadline, state !== 'ok', state === 'missed', traceHeadersToStore()],
      );
      if (inserted.length === 0 || state === 'ok') return;
      const row = { facility_code: p.facilityCode, ma_lk: p.maLk, version: p.version, encounter_end: end, deadline };
      await enqueueOutbox(m, [deadlineEvent(state, row, now)]);
      if (state === 'missed') runtime.logger.error({ facility: p.facilityCode, maLk: p.maLk, version: p.version }, 'claim arrived after its submission deadline');
    });
    onDue();
  };
}

/**
 * Where submissions created before they carried their own trace (migration 1700000000403) find
 * it in claim_trace_context: the claim's MA_LK, or `${maLk}#checkin-${sequence}` for a check-in
 * (its version is the sequence), for a submissions row aliased `alias`.
 */
export const submissionTraceKeySql = (alias: string): string =>
  `CASE WHEN ${alias}.kind = 'claim' THEN ${alias}.ma_lk ELSE ${alias}.ma_lk || '#checkin-' || ${alias}.version END`;

/**
 * Check-ins (XML0) are sent "immediately" after the first billable service: they go into the
 * same persisted queue as their own kind, served by their own slots (see the scheduler). Their
 * deadline column only orders them among themselves; no deadline events are emitted for them.
 */
export function checkinSignedHandler(runtime: ServiceRuntime, policy: DeadlinePolicy, onDue: () => void) {
  return async (message: ReceivedMessage): Promise<void> => {
    const event = parseEvent(Topics.checkinSigned.name, message.value);
    const p: CheckinSigned = event.payload;
    await runtime.tx(async (m) => {
      const first = new Date(p.firstBillableAt);
      // Check-ins are their own trace (started by the first billable ward event), kept apart from the claim's.
      await m.query(
        `INSERT INTO submissions (facility_code, kind, ma_lk, version, care_type, document_sha256, signed_xml_b64, encounter_end, deadline, status, trace_headers)
         VALUES ($1,'checkin',$2,$3,$4,$5,$6,$7,$8,'DUE',$9::jsonb) ON CONFLICT (facility_code, kind, ma_lk, version) DO NOTHING`,
        [p.facilityCode, p.maLk, p.sequence, p.careType, p.documentSha256, p.signedXmlBase64, first, deadlineFor(first, policy), traceHeadersToStore()],
      );
    });
    onDue();
  };
}
