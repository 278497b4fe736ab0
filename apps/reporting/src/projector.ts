import { EntityManager } from 'typeorm';
import { parseEvent, Topics } from '@bhyt/contracts';
import { ReceivedMessage } from '@bhyt/messaging';
import { claimInbox, Transact } from '@bhyt/persistence';
import { ServiceRuntime } from '@bhyt/service-kit';

export const PROJECTED_TOPICS = [
  Topics.intakeRegistered.name,
  Topics.encounterClosed.name,
  Topics.claimSigned.name,
  Topics.claimSubmitted.name,
  Topics.claimAccepted.name,
  Topics.claimRejected.name,
  Topics.claimDeadlineAtRisk.name,
  Topics.claimDeadlineMissed.name,
  Topics.healthBookRead.name,
] as const;

/** Columns that keep the earliest value whatever the order of delivery (a re-emitted claim.submitted records its acceptance later). */
const FIRST_WINS = new Set(['submission_recorded_at']);

/**
 * Upserts the columns an event owns, keyed by (facility, MA_LK, version): one statement, no
 * inbox row (the hot path of every claim event). A repeated delivery writes the values it wrote
 * the first time, so no inbox is needed to make it harmless.
 */
const upsertFact = (
  m: EntityManager,
  facility: string,
  maLk: string,
  version: number,
  set: Record<string, unknown>,
) => {
  const cols = Object.keys(set);
  const params = [facility, maLk, version, ...Object.values(set)];
  return m.query(
    `INSERT INTO claim_facts (facility_code, ma_lk, version, ${cols.join(', ')}) VALUES ($1, $2, $3, ${cols.map((_, i) => `$${i + 4}`).join(', ')})
     ON CONFLICT (facility_code, ma_lk, version) DO UPDATE SET ${cols.map((c) => (FIRST_WINS.has(c) ? `${c} = LEAST(claim_facts.${c}, EXCLUDED.${c})` : `${c} = EXCLUDED.${c}`)).join(', ')}`,
    params,
  );
};

/**
 * The consumer group of the projections (`bhyt-<service>-<name>` of ServiceRuntime.consume) and
 * the inbox key of their processed events. Rebuilding = resetting this group to the earliest
 * offsets and truncating the tables and these inbox rows: see replay.ts.
 */
export const PROJECTION_GROUP = 'bhyt-reporting-projections';

/** Folds every platform event into the reporting projections (idempotent: upserts, and the inbox for counts). */
export function projectionHandler(runtime: ServiceRuntime) {
  return (message: ReceivedMessage): Promise<void> =>
    projectMessage(runtime.tx, message.topic, message.value);
}

/**
 * Applies one message in one transaction (`transact`: the service's group commit, or a
 * transaction of its own, see ownTransaction). Inserts that count (registrations, health-book
 * reads) go through the inbox, which skips a repeated delivery; every other write is an upsert
 * of the columns the event owns, keyed by (facility, MA_LK, version), so the
 * order of arrival does not matter (a late encounter.closed fills in what a claim.accepted
 * before it could not) and no figure is a counter that could be incremented twice.
 */
export async function projectMessage(
  transact: Transact,
  rawTopic: string,
  value: Buffer | string | null,
): Promise<void> {
  const topic = rawTopic as (typeof PROJECTED_TOPICS)[number];
  const event = parseEvent(topic, value);
  await transact(async (m) => {
    const p = event.payload as unknown as Record<string, never>;
    switch (topic) {
      case Topics.intakeRegistered.name: {
        if (!(await claimInbox(m, PROJECTION_GROUP, event.eventId, topic))) return;
        const e = parseEvent(topic, value).payload;
        await m.query(
          `INSERT INTO registrations (visit_id, facility_code, ma_lk, identifier_type, care_type, insured, registered_at) VALUES ($1,$2,$3,$4,$5,$6,$7) ON CONFLICT DO NOTHING`,
          [e.visitId, e.facilityCode, e.maLk, e.identifierType, e.careType, e.insured, e.registeredAt],
        );
        break;
      }
      case Topics.encounterClosed.name:
        await upsertFact(m, p['facilityCode'], p['maLk'], p['version'], {
          care_type: p['careType'],
          insured: p['insured'],
          encounter_end: p['encounterEnd'],
          closed_at: p['closedAt'],
        });
        break;
      case Topics.claimSigned.name:
        await upsertFact(m, p['facilityCode'], p['maLk'], p['version'], {
          signed_at: p['signedAt'],
          encounter_end: p['encounterEnd'],
        });
        break;
      case Topics.claimSubmitted.name:
        await upsertFact(m, p['facilityCode'], p['maLk'], p['version'], {
          submitted_at: p['receivedAt'],
          submission_recorded_at: event.occurredAt,
          deadline: p['deadline'],
          on_time: p['onTime'],
          ma_giao_dich: p['maGiaoDich'],
        });
        break;
      case Topics.claimAccepted.name:
        await upsertFact(m, p['facilityCode'], p['maLk'], p['version'], { accepted_at: p['acceptedAt'] });
        break;
      case Topics.claimRejected.name:
        await upsertFact(m, p['facilityCode'], p['maLk'], p['version'], {
          rejected_at: p['rejectedAt'],
          reject_codes: (p['codes'] as unknown as Array<{ code: string }>).map((c) => c.code),
        });
        break;
      case Topics.claimDeadlineAtRisk.name:
        await upsertFact(m, p['facilityCode'], p['maLk'], p['version'], {
          at_risk_at: p['observedAt'],
          deadline: p['deadline'],
        });
        break;
      case Topics.claimDeadlineMissed.name:
        await upsertFact(m, p['facilityCode'], p['maLk'], p['version'], {
          missed_at: p['observedAt'],
          deadline: p['deadline'],
        });
        break;
      case Topics.healthBookRead.name:
        // An insert per read (a count): the inbox keeps a redelivered read from counting twice.
        if (!(await claimInbox(m, PROJECTION_GROUP, event.eventId, topic))) return;
        await m.query(
          `INSERT INTO health_book_reads (facility_code, reader_role, purpose, read_at) VALUES ($1,$2,$3,$4)`,
          [p['facilityCode'], p['readerRole'], p['purpose'], p['readAt']],
        );
        break;
    }
  });
}
