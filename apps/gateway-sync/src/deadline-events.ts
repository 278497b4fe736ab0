import { ClaimDeadline, Topics } from '@bhyt/contracts';
import { createEvent, OutgoingMessage } from '@bhyt/messaging';
import { Metrics } from '@bhyt/observability';
import type { DeadlineRow } from './submission.store';

export type { DeadlineRow };

/** claim.deadline-at-risk / claim.deadline-missed for one claim, counted in the deadline metric. */
export function deadlineEvent(kind: 'at-risk' | 'missed', r: DeadlineRow, observedAt: Date): OutgoingMessage {
  const topic = kind === 'missed' ? Topics.claimDeadlineMissed.name : Topics.claimDeadlineAtRisk.name;
  const payload: ClaimDeadline = {
    facilityCode: r.facility_code,
    maLk: r.ma_lk,
    version: r.version,
    encounterEnd: new Date(r.encounter_end).toISOString(),
    deadline: new Date(r.deadline).toISOString(),
    observedAt: observedAt.toISOString(),
  };
  Metrics.deadlines().inc({ facility: r.facility_code, kind });
  return createEvent(topic, { facilityCode: r.facility_code, key: r.ma_lk, payload }).message;
}
