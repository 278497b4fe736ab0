import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { CheckinReady, EncounterClosed, Topics, VisitRegistered } from '@bhyt/contracts';
import { applyWardEvent, buildCheckin, checkCompleteness, checkinDue, EncounterDraft, materialize, openDraft, WardEvent } from '@bhyt/encounter-domain';
import { toHealthBookEntry } from '@bhyt/health-book';
import { createEvent } from '@bhyt/messaging';
import { claimAttributes, inSpan, linkToActiveSpan } from '@bhyt/observability';
import { claimTraceContext, enqueueOutbox, rememberClaimTrace } from '@bhyt/persistence';
import { DomainError, ServiceRuntime, ValidationFailed } from '@bhyt/service-kit';
import { buildClaimTables, serializeClaimTables, validateClaim, type ClaimTables, type EncounterRecord } from '@bhyt/xml130';
import type { ParkedOrigin } from './parked-expiry';

export type WardEventOutcome = 'applied' | 'duplicate' | 'held-after-close' | 'parked';

/** A ward event that may be parked: the message as received, kept for its dead letter should its encounter never open. */
export interface ParkableMessage {
  raw: string;
  origin: ParkedOrigin;
}

interface LockedEncounter {
  status: string;
  version: number;
  care_type: EncounterClosed['careType'];
  draft: EncounterDraft;
  checkins_sent: number;
}

@Injectable()
export class EncounterService {
  constructor(private readonly runtime: ServiceRuntime) {}

  private requireFacility(facilityCode: string): void {
    if (!this.runtime.facilities.has(facilityCode)) {
      throw new DomainError(404, 'FACILITY_UNKNOWN', `facility ${facilityCode} is not registered on this platform`);
    }
  }

  /**
   * intake.registered → an open encounter (idempotent: the primary key absorbs redeliveries).
   * Ward events parked before it opened are applied now, in the order they happened.
   */
  async open(v: VisitRegistered): Promise<void> {
    const draft = openDraft({ facilityCode: v.facilityCode, maLk: v.maLk, careType: v.careType, registeredAt: v.registeredAt, patient: v.patient });
    await this.runtime.ds.transaction(async (m) => {
      await this.lockKey(m, v.facilityCode, v.maLk);
      const inserted = await m.query(
        `INSERT INTO encounters (facility_code, ma_lk, care_type, status, draft, patient_ref) VALUES ($1,$2,$3,'OPEN',$4,$5) ON CONFLICT DO NOTHING RETURNING 1`,
        [v.facilityCode, v.maLk, v.careType, JSON.stringify(draft), v.patient.patientRef],
      );
      if (inserted.length === 0) return;
      // The close comes later in its own request: it continues this trace (one claim, one trace).
      await rememberClaimTrace(m, v.facilityCode, v.maLk);
      const parked: Array<{ event: WardEvent }> = await m.query(
        `SELECT event FROM parked_ward_events WHERE facility_code = $1 AND ma_lk = $2 ORDER BY occurred_at, received_at FOR UPDATE`,
        [v.facilityCode, v.maLk],
      );
      if (parked.length === 0) return;
      await m.query(`DELETE FROM parked_ward_events WHERE event_id = ANY($1::uuid[])`, [parked.map((p) => p.event.eventId)]);
      for (const p of parked) {
        const enc = await this.lock(m, v.facilityCode, v.maLk);
        await this.apply(m, enc!, p.event);
      }
    });
  }

  /**
   * Serializes opening an encounter with parking an event for it: without this, an event
   * parked while the encounter opens (and drains the parked events) would stay parked.
   */
  private async lockKey(m: EntityManager, facilityCode: string, maLk: string): Promise<void> {
    await m.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [`encounter:${facilityCode}:${maLk}`]);
  }

  private async lock(m: EntityManager, facilityCode: string, maLk: string): Promise<LockedEncounter | undefined> {
    const rows = await m.query(`SELECT status, version, care_type, draft, checkins_sent FROM encounters WHERE facility_code = $1 AND ma_lk = $2 FOR UPDATE`, [facilityCode, maLk]);
    return rows[0] as LockedEncounter | undefined;
  }

  /**
   * Records a ward event and applies it. An event for a closed encounter is kept and marks
   * the encounter CORRECTION_PENDING: closing again sends version + 1 under the same MA_LK.
   * With `park` (the Kafka message it came in), an event for an encounter not yet opened (Kafka
   * may deliver it before intake.registered) is parked and applied when it opens, or
   * dead-lettered by ParkedWardEvents if it never does; otherwise it is a 404.
   */
  async record(event: WardEvent, options: { park?: ParkableMessage } = {}): Promise<WardEventOutcome> {
    this.requireFacility(event.facilityCode);
    return this.runtime.ds.transaction(async (m) => {
      let enc = await this.lock(m, event.facilityCode, event.maLk);
      if (!enc && options.park) {
        await this.lockKey(m, event.facilityCode, event.maLk);
        enc = await this.lock(m, event.facilityCode, event.maLk);
      }
      if (!enc) {
        if (!options.park) throw new DomainError(404, 'ENCOUNTER_UNKNOWN', `no encounter ${event.maLk} at facility ${event.facilityCode} (register the visit at intake first)`);
        const known = await m.query(`SELECT 1 FROM ward_events WHERE event_id = $1`, [event.eventId]);
        if (known.length) return 'duplicate';
        await m.query(
          `INSERT INTO parked_ward_events (event_id, facility_code, ma_lk, occurred_at, event, raw, origin) VALUES ($1,$2,$3,$4,$5,$6,$7) ON CONFLICT DO NOTHING`,
          [event.eventId, event.facilityCode, event.maLk, event.occurredAt, JSON.stringify(event), options.park.raw, JSON.stringify(options.park.origin)],
        );
        return 'parked';
      }
      return this.apply(m, enc, event);
    });
  }

  private async apply(m: EntityManager, enc: LockedEncounter, event: WardEvent): Promise<WardEventOutcome> {
    const closed = enc.status !== 'OPEN';
    const inserted = await m.query(
      `INSERT INTO ward_events (event_id, facility_code, ma_lk, type, source, occurred_at, data, after_close_of_version)
       VALUES ($1,$2,$3,$4,$5,$6,$7,$8) ON CONFLICT DO NOTHING RETURNING 1`,
      [event.eventId, event.facilityCode, event.maLk, event.type, event.source, event.occurredAt, JSON.stringify(event.data), closed ? enc.version : null],
    );
    if (inserted.length === 0) return 'duplicate';
    const draft = applyWardEvent(enc.draft, event);
    const sent = closed ? enc.checkins_sent : await this.sendDueCheckins(m, draft, enc.checkins_sent);
    await m.query(
      `UPDATE encounters SET draft = $3, checkins_sent = $4, status = CASE WHEN status = 'OPEN' THEN 'OPEN' ELSE 'CORRECTION_PENDING' END, updated_at = now() WHERE facility_code = $1 AND ma_lk = $2`,
      [event.facilityCode, event.maLk, JSON.stringify(draft), sent],
    );
    enc.draft = draft;
    enc.checkins_sent = sent;
    if (closed) enc.status = 'CORRECTION_PENDING';
    return closed ? 'held-after-close' : 'applied';
  }

  /**
   * Check-ins due after this change (first billable item; first item at the treating
   * department) go to the outbox as checkin.ready in the same transaction. One that the XML
   * library refuses is kept as INVALID with its violations and tried again on the next event.
   * @returns how many check-ins have been sent for the encounter.
   */
  private async sendDueCheckins(m: EntityManager, draft: EncounterDraft, sent: number): Promise<number> {
    for (;;) {
      const due = checkinDue(draft, sent);
      if (!due) return sent;
      const doc = buildCheckin(draft, due);
      const status = doc.ok ? 'READY' : 'INVALID';
      await m.query(
        `INSERT INTO checkins (facility_code, ma_lk, sequence, status, first_billable_at, violations) VALUES ($1,$2,$3,$4,$5,$6)
         ON CONFLICT (facility_code, ma_lk, sequence) DO UPDATE SET status = EXCLUDED.status, first_billable_at = EXCLUDED.first_billable_at, violations = EXCLUDED.violations, created_at = now()`,
        [draft.facilityCode, draft.maLk, due.sequence, status, due.firstBillableAt, doc.ok ? null : JSON.stringify(doc.violations)],
      );
      if (!doc.ok) {
        this.runtime.logger.warn({ facility: draft.facilityCode, maLk: draft.maLk, sequence: due.sequence, codes: doc.violations.map((v) => v.code) }, 'check-in not sent: XML0 invalid');
        return sent;
      }
      const payload: CheckinReady = { facilityCode: draft.facilityCode, maLk: draft.maLk, sequence: due.sequence, careType: draft.careType, xml: doc.xml, firstBillableAt: due.firstBillableAt.toISOString() };
      await enqueueOutbox(m, [createEvent(Topics.checkinReady.name, { facilityCode: draft.facilityCode, key: draft.maLk, payload }).message]);
      sent = due.sequence;
    }
  }

  /**
   * Close (or re-close after a correction): completeness check, tables built and validated by
   * the XML library, then encounter.closed with version + 1 — all in one transaction, with the
   * health-book entry of the new version.
   */
  async close(facilityCode: string, maLk: string): Promise<{ maLk: string; version: number; tables: string[] }> {
    this.requireFacility(facilityCode);
    const claimTrace = await claimTraceContext(this.runtime.ds, facilityCode, maLk);
    const options = claimTrace ? { parent: claimTrace, links: linkToActiveSpan({ 'bhyt.link': 'close-request' }) } : {};
    return inSpan('encounter close', claimAttributes({ facilityCode, maLk }), (span) =>
      this.runtime.ds.transaction(async (m) => {
        const rows = await m.query(`SELECT status, version, care_type, draft, patient_ref FROM encounters WHERE facility_code = $1 AND ma_lk = $2 FOR UPDATE`, [facilityCode, maLk]);
        if (rows.length === 0) throw new DomainError(404, 'ENCOUNTER_UNKNOWN', `no encounter ${maLk} at facility ${facilityCode}`);
        const enc = rows[0] as { status: string; version: number; care_type: EncounterClosed['careType']; draft: EncounterDraft; patient_ref: string | null };
        if (enc.status === 'CLOSED') throw new DomainError(409, 'ALREADY_CLOSED', `encounter ${maLk} is closed at version ${enc.version}; send a correcting ward event first`);
        const missing = checkCompleteness(enc.draft);
        if (missing.length) throw new ValidationFailed(missing, 'the encounter is not complete');
        const { record, tables } = buildTables(enc.draft);
        const violations = validateClaim(tables);
        if (violations.length) {
          throw new ValidationFailed(
            violations.map((v) => ({ field: [v.table, v.row, v.field].filter((x) => x !== undefined).join('.'), code: v.code, message: v.message })),
            'the encounter does not produce valid XML 130 tables',
          );
        }
        const files = serializeClaimTables(tables);
        const version = enc.version + 1;
        span.setAttributes(claimAttributes({ version, careType: enc.care_type }));
        const closedAt = new Date();
        await m.query(`UPDATE encounters SET status = 'CLOSED', version = $3, closed_at = $4, updated_at = now() WHERE facility_code = $1 AND ma_lk = $2`, [facilityCode, maLk, version, closedAt]);
        await m.query(`INSERT INTO encounter_versions (facility_code, ma_lk, version, closed_at, tables) VALUES ($1,$2,$3,$4,$5)`, [facilityCode, maLk, version, closedAt, JSON.stringify(files)]);
        if (enc.patient_ref) {
          await m.query(`INSERT INTO health_book_entries (facility_code, ma_lk, version, patient_ref, admitted_at, entry) VALUES ($1,$2,$3,$4,$5,$6)`, [
            facilityCode,
            maLk,
            version,
            enc.patient_ref,
            record.admittedAt,
            JSON.stringify(toHealthBookEntry(record, version, closedAt)),
          ]);
        }
        const payload: EncounterClosed = {
          facilityCode,
          maLk,
          version,
          careType: enc.care_type,
          insured: record.cards.length > 0,
          encounterStart: record.admittedAt.toISOString(),
          encounterEnd: record.dischargedAt.toISOString(),
          closedAt: closedAt.toISOString(),
          tables: files,
        };
        await enqueueOutbox(m, [createEvent(Topics.encounterClosed.name, { facilityCode, key: maLk, payload }).message]);
        return { maLk, version, tables: files.map((f) => f.loaiHoSo) };
      }),
      options,
    );
  }

  async get(facilityCode: string, maLk: string) {
    this.requireFacility(facilityCode);
    const rows = await this.runtime.ds.query(
      `SELECT facility_code, ma_lk, care_type, status, version, checkins_sent, opened_at, closed_at, updated_at,
              (SELECT count(*)::int FROM ward_events w WHERE w.facility_code = e.facility_code AND w.ma_lk = e.ma_lk) AS ward_events,
              (SELECT count(*)::int FROM ward_events w WHERE w.facility_code = e.facility_code AND w.ma_lk = e.ma_lk AND w.after_close_of_version IS NOT NULL) AS events_after_close
       FROM encounters e WHERE facility_code = $1 AND ma_lk = $2`,
      [facilityCode, maLk],
    );
    if (rows.length === 0) throw new DomainError(404, 'ENCOUNTER_UNKNOWN', `no encounter ${maLk} at facility ${facilityCode}`);
    return rows[0];
  }
}

/**
 * The draft as XML 130 tables. Ward systems may have sent data of the wrong shape that only
 * the builder trips over: that is the caller's data (422 naming the error kind), not a 500.
 */
function buildTables(draft: EncounterDraft): { record: EncounterRecord; tables: ClaimTables } {
  try {
    const record = materialize(draft);
    return { record, tables: buildClaimTables(record) };
  } catch (err) {
    const message = `the recorded ward events do not form a buildable record (${err instanceof Error ? err.name : 'error'})`;
    throw new ValidationFailed([{ field: '(record)', code: 'RECORD_UNBUILDABLE', message }], 'the encounter cannot be built into XML 130 tables');
  }
}
