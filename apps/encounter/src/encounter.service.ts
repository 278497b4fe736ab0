import { Inject, Injectable, Optional } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { EntityManager } from 'typeorm';
import { canonicalSha256, CheckinReady, EncounterClosed, Topics, VisitRegistered } from '@bhyt/contracts';
import {
  applyWardEvent,
  buildCheckin,
  checkCompleteness,
  checkinDue,
  checkWardEventAgainstEncounter,
  checkWardEventOnReceipt,
  EncounterDraft,
  eventsToFix,
  materialize,
  openDraft,
  rebuildDraft,
  unbuildableEvents,
  type EventToFix,
  type ReceiptError,
  type RecordedEvent,
  WardEvent,
} from '@bhyt/encounter-domain';
import { toHealthBookEntry } from '@bhyt/health-book';
import { createEvent } from '@bhyt/messaging';
import { claimAttributes, inSpan, linkToActiveSpan } from '@bhyt/observability';
import { claimTraceContext, enqueueOutbox, rememberClaimTrace } from '@bhyt/persistence';
import { DomainError, ServiceRuntime, ValidationFailed } from '@bhyt/service-kit';
import {
  buildClaimTables,
  serializeClaimTables,
  validateClaim,
  type ClaimTables,
  type EncounterRecord,
} from '@bhyt/xml130';
import type { ParkedOrigin } from './parked-expiry';
import { ParkedWardEventStore } from './parked-ward-event.store';

export type WardEventOutcome = 'applied' | 'duplicate' | 'held-after-close' | 'parked';

/** How far ahead of this service's clock a ward system's dates may be (CLOCK_TOLERANCE_MINUTES). */
export const RECEIPT_POLICY = Symbol('RECEIPT_POLICY');
export interface ReceiptPolicy {
  clockToleranceMs: number;
}
const DEFAULT_RECEIPT_POLICY: ReceiptPolicy = { clockToleranceMs: 5 * 60_000 };

/** What identifies a ward event's content: a re-used eventId with another body is a conflict. */
export const wardEventSha256 = (e: WardEvent): string =>
  canonicalSha256({
    facilityCode: e.facilityCode,
    maLk: e.maLk,
    type: e.type,
    occurredAt: e.occurredAt,
    source: e.source,
    replaces: e.replaces ?? null,
    data: e.data,
  });

const asFieldErrors = (errors: ReceiptError[]) =>
  errors.map((e) => ({ field: e.field, code: e.code, message: e.message }));

/** What the caller of a ward event is told besides the outcome: a check-in (XML0) that could not be built. */
export interface WardEventReport {
  checkin?: {
    sequence: number;
    status: 'INVALID';
    violations: Array<{ field: string; code: string; message: string }>;
  };
}

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
  private readonly policy: ReceiptPolicy;
  constructor(
    private readonly runtime: ServiceRuntime,
    @Inject(ParkedWardEventStore) private readonly parked: ParkedWardEventStore,
    @Optional() @Inject(RECEIPT_POLICY) policy?: ReceiptPolicy,
  ) {
    this.policy = policy ?? DEFAULT_RECEIPT_POLICY;
  }

  /**
   * A ward event as received (REST body with the path's facility and MA_LK, or Kafka value):
   * the envelope, its type's `data` schema and its dates against the clock. 422 naming the
   * event's own fields.
   */
  parse(raw: unknown): WardEvent {
    const { event, errors } = checkWardEventOnReceipt(raw, {
      now: new Date(),
      toleranceMs: this.policy.clockToleranceMs,
    });
    if (!event) throw new ValidationFailed(asFieldErrors(errors), 'the ward event is refused');
    return event;
  }

  private requireFacility(facilityCode: string): void {
    if (!this.runtime.facilities.has(facilityCode)) {
      throw new DomainError(
        404,
        'FACILITY_UNKNOWN',
        `facility ${facilityCode} is not registered on this platform`,
      );
    }
  }

  /**
   * intake.registered → an open encounter (idempotent: the primary key absorbs redeliveries).
   * Ward events parked before it opened are applied now, in the order they happened.
   */
  async open(v: VisitRegistered): Promise<void> {
    const draft = openDraft({
      facilityCode: v.facilityCode,
      maLk: v.maLk,
      careType: v.careType,
      registeredAt: v.registeredAt,
      patient: v.patient,
    });
    await this.runtime.ds.transaction(async (m) => {
      await this.lockKey(m, v.facilityCode, v.maLk);
      const inserted = await m.query(
        `INSERT INTO encounters (facility_code, ma_lk, care_type, status, draft, opening, patient_ref) VALUES ($1,$2,$3,'OPEN',$4,$4,$5) ON CONFLICT DO NOTHING RETURNING 1`,
        [v.facilityCode, v.maLk, v.careType, JSON.stringify(draft), v.patient.patientRef],
      );
      if (inserted.length === 0) return;
      // The close comes later in its own request: it continues this trace (one claim, one trace).
      await rememberClaimTrace(m, v.facilityCode, v.maLk);
      for (const event of await this.parked.takeForEncounter(m, v.facilityCode, v.maLk)) {
        const enc = await this.lock(m, v.facilityCode, v.maLk);
        // A parked event that does not fit the encounter (e.g. care after its discharge) is kept,
        // refused with its reasons, and shown on the operator view of blocked encounters.
        try {
          await this.apply(m, enc!, event, { refuseQuietly: true });
        } catch (err) {
          // Its eventId is another encounter's event (where it stays recorded): not applied here.
          if (!(err instanceof DomainError) || err.getStatus() !== 409) throw err;
          this.runtime.logger.warn(
            { facility: v.facilityCode, maLk: v.maLk, eventId: event.eventId, code: 'EVENT_ID_CONFLICT' },
            'parked ward event not applied: its eventId belongs to another event',
          );
        }
      }
    });
  }

  /**
   * Serializes opening an encounter with parking an event for it: without this, an event
   * parked while the encounter opens (and drains the parked events) would stay parked.
   */
  private async lockKey(m: EntityManager, facilityCode: string, maLk: string): Promise<void> {
    await m.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [
      `encounter:${facilityCode}:${maLk}`,
    ]);
  }

  private async lock(
    m: EntityManager,
    facilityCode: string,
    maLk: string,
  ): Promise<LockedEncounter | undefined> {
    const rows = await m.query(
      `SELECT status, version, care_type, draft, checkins_sent FROM encounters WHERE facility_code = $1 AND ma_lk = $2 FOR UPDATE`,
      [facilityCode, maLk],
    );
    return rows[0] as LockedEncounter | undefined;
  }

  /**
   * Records a ward event and applies it. An event for a closed encounter is kept and marks
   * the encounter CORRECTION_PENDING: closing again sends version + 1 under the same MA_LK.
   * With `park` (the Kafka message it came in), an event for an encounter not yet opened (Kafka
   * may deliver it before intake.registered) is parked and applied when it opens, or
   * dead-lettered by ParkedWardEvents if it never does; otherwise it is a 404.
   */
  async record(
    event: WardEvent,
    options: { park?: ParkableMessage; report?: WardEventReport } = {},
  ): Promise<WardEventOutcome> {
    this.requireFacility(event.facilityCode);
    return this.runtime.ds.transaction(async (m) => {
      let enc = await this.lock(m, event.facilityCode, event.maLk);
      if (!enc && options.park) {
        await this.lockKey(m, event.facilityCode, event.maLk);
        enc = await this.lock(m, event.facilityCode, event.maLk);
      }
      if (!enc) {
        if (!options.park)
          throw new DomainError(
            404,
            'ENCOUNTER_UNKNOWN',
            `no encounter ${event.maLk} at facility ${event.facilityCode} (register the visit at intake first)`,
          );
        const known: Array<{ body_sha256: string | null }> = await m.query(
          `SELECT body_sha256 FROM ward_events WHERE event_id = $1`,
          [event.eventId],
        );
        if (known.length) return this.duplicateOrConflict(event, known[0]!.body_sha256);
        const parkedBefore = await this.parked.find(m, event.eventId);
        if (parkedBefore) return this.duplicateOrConflict(event, wardEventSha256(parkedBefore));
        await this.parked.park(m, event, options.park.raw, options.park.origin);
        return 'parked';
      }
      return this.apply(m, enc, event, options.report ? { report: options.report } : {});
    });
  }

  /** The same eventId again: a duplicate if the body is the same, else a 409 naming the key. */
  private duplicateOrConflict(event: WardEvent, recordedSha256: string | null): 'duplicate' {
    // Events recorded before bodies were hashed (NULL) can only be taken as duplicates.
    if (recordedSha256 !== null && recordedSha256 !== wardEventSha256(event)) {
      throw new DomainError(
        409,
        'EVENT_ID_CONFLICT',
        `eventId ${event.eventId} was already recorded with a different body; send a new eventId (or replace the event with "replaces")`,
        { key: 'eventId', eventId: event.eventId },
      );
    }
    return 'duplicate';
  }

  /** This encounter's recorded events in the order they were applied (refused ones left out). */
  private async recordedEvents(
    m: EntityManager,
    facilityCode: string,
    maLk: string,
  ): Promise<RecordedEvent[]> {
    const rows: Array<{
      event_id: string;
      type: WardEvent['type'];
      data: Record<string, unknown>;
      replaces: string | null;
    }> = await m.query(
      `SELECT event_id, type, data, replaces FROM ward_events WHERE facility_code = $1 AND ma_lk = $2 AND refused IS NULL ORDER BY seq`,
      [facilityCode, maLk],
    );
    return rows.map((r) => ({ eventId: r.event_id, type: r.type, data: r.data, replaces: r.replaces }));
  }

  private async apply(
    m: EntityManager,
    enc: LockedEncounter,
    event: WardEvent,
    options: { refuseQuietly?: boolean; report?: WardEventReport } = {},
  ): Promise<WardEventOutcome> {
    const closed = enc.status !== 'OPEN';
    const sha = wardEventSha256(event);
    const earlier: Array<{ body_sha256: string | null }> = await m.query(
      `SELECT body_sha256 FROM ward_events WHERE event_id = $1`,
      [event.eventId],
    );
    if (earlier.length) return this.duplicateOrConflict(event, earlier[0]!.body_sha256);
    const recorded = await this.recordedEvents(m, event.facilityCode, event.maLk);
    const retractions = new Set(recorded.filter((e) => e.type === 'retraction').map((e) => e.eventId));
    const retracted = new Set(
      recorded.filter((e) => e.type === 'retraction').map((e) => String(e.data['eventId'])),
    );
    if (event.type === 'retraction' && retracted.has(String(event.data['eventId']))) return 'duplicate';
    const refusal = checkWardEventAgainstEncounter(enc.draft, event, {
      eventIds: new Set(recorded.map((e) => e.eventId)),
      retractions,
    });
    const insert = async (refused: ReceiptError[] | null) => {
      const inserted = await m.query(
        `INSERT INTO ward_events (event_id, facility_code, ma_lk, type, source, occurred_at, data, after_close_of_version, body_sha256, replaces, refused)
         VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11) ON CONFLICT DO NOTHING RETURNING 1`,
        [
          event.eventId,
          event.facilityCode,
          event.maLk,
          event.type,
          event.source,
          event.occurredAt,
          JSON.stringify(event.data),
          closed ? enc.version : null,
          sha,
          event.replaces ?? null,
          refused ? JSON.stringify(refused) : null,
        ],
      );
      // Recorded meanwhile for another encounter (its lock is not ours): the same key, another body.
      if (inserted.length === 0)
        throw new DomainError(
          409,
          'EVENT_ID_CONFLICT',
          `eventId ${event.eventId} was already recorded for another encounter; send a new eventId`,
          { key: 'eventId', eventId: event.eventId },
        );
    };
    if (refusal.length) {
      if (!options.refuseQuietly)
        throw new ValidationFailed(asFieldErrors(refusal), 'the ward event does not fit the encounter');
      await insert(refusal);
      this.runtime.logger.warn(
        {
          facility: event.facilityCode,
          maLk: event.maLk,
          eventId: event.eventId,
          codes: refusal.map((r) => r.code),
        },
        'parked ward event refused when its encounter opened',
      );
      return 'applied';
    }
    let draft: EncounterDraft;
    if (event.type === 'retraction' || event.replaces) {
      const opening = await this.opening(m, event.facilityCode, event.maLk);
      draft = rebuildDraft(opening, [
        ...recorded,
        { eventId: event.eventId, type: event.type, data: event.data, replaces: event.replaces ?? null },
      ]);
    } else {
      draft = applyWardEvent(enc.draft, event);
    }
    await insert(null);
    const sent = closed
      ? enc.checkins_sent
      : await this.sendDueCheckins(m, draft, enc.checkins_sent, options.report);
    await m.query(
      `UPDATE encounters SET draft = $3, checkins_sent = $4, status = CASE WHEN status = 'OPEN' THEN 'OPEN' ELSE 'CORRECTION_PENDING' END, updated_at = now() WHERE facility_code = $1 AND ma_lk = $2`,
      [event.facilityCode, event.maLk, JSON.stringify(draft), sent],
    );
    enc.draft = draft;
    enc.checkins_sent = sent;
    if (closed) enc.status = 'CORRECTION_PENDING';
    return closed ? 'held-after-close' : 'applied';
  }

  private async opening(m: EntityManager, facilityCode: string, maLk: string): Promise<EncounterDraft> {
    const [row] = (await m.query(`SELECT opening FROM encounters WHERE facility_code = $1 AND ma_lk = $2`, [
      facilityCode,
      maLk,
    ])) as Array<{ opening: EncounterDraft | null }>;
    if (!row?.opening)
      throw new DomainError(
        409,
        'RETRACTION_UNAVAILABLE',
        `encounter ${maLk} was opened before events could be taken back; correct it with new events instead`,
      );
    return row.opening;
  }

  /**
   * Takes back an event sent to this encounter (ward system or operator): recorded as a
   * retraction event of its own, and the encounter rebuilt without it. Idempotent.
   */
  async retract(
    facilityCode: string,
    maLk: string,
    eventId: string,
    source: string,
  ): Promise<{ retractionId: string | null; outcome: WardEventOutcome }> {
    const retraction: WardEvent = {
      eventId: randomUUID(),
      facilityCode,
      maLk,
      type: 'retraction',
      occurredAt: new Date().toISOString(),
      source,
      data: { eventId },
    };
    const outcome = await this.record(retraction);
    return { retractionId: outcome === 'duplicate' ? null : retraction.eventId, outcome };
  }

  /**
   * Check-ins due after this change (first billable item; first item at the treating
   * department) go to the outbox as checkin.ready in the same transaction. One that the XML
   * library refuses is kept as INVALID with its violations and tried again on the next event.
   * @returns how many check-ins have been sent for the encounter.
   */
  private async sendDueCheckins(
    m: EntityManager,
    draft: EncounterDraft,
    sent: number,
    report?: WardEventReport,
  ): Promise<number> {
    for (;;) {
      const due = checkinDue(draft, sent);
      if (!due) return sent;
      const doc = buildCheckin(draft, due);
      const status = doc.ok ? 'READY' : 'INVALID';
      await m.query(
        `INSERT INTO checkins (facility_code, ma_lk, sequence, status, first_billable_at, violations) VALUES ($1,$2,$3,$4,$5,$6)
         ON CONFLICT (facility_code, ma_lk, sequence) DO UPDATE SET status = EXCLUDED.status, first_billable_at = EXCLUDED.first_billable_at, violations = EXCLUDED.violations, created_at = now()`,
        [
          draft.facilityCode,
          draft.maLk,
          due.sequence,
          status,
          due.firstBillableAt,
          doc.ok ? null : JSON.stringify(doc.violations),
        ],
      );
      if (!doc.ok) {
        if (report) {
          const violations = doc.violations.map((v) => ({
            field: [v.table, v.row, v.field].filter((x) => x !== undefined).join('.'),
            code: v.code,
            message: v.message,
          }));
          report.checkin = { sequence: due.sequence, status: 'INVALID', violations };
        }
        this.runtime.logger.warn(
          {
            facility: draft.facilityCode,
            maLk: draft.maLk,
            sequence: due.sequence,
            codes: doc.violations.map((v) => v.code),
          },
          'check-in not sent: XML0 invalid',
        );
        return sent;
      }
      const payload: CheckinReady = {
        facilityCode: draft.facilityCode,
        maLk: draft.maLk,
        sequence: due.sequence,
        careType: draft.careType,
        xml: doc.xml,
        firstBillableAt: due.firstBillableAt.toISOString(),
      };
      await enqueueOutbox(m, [
        createEvent(Topics.checkinReady.name, { facilityCode: draft.facilityCode, key: draft.maLk, payload })
          .message,
      ]);
      sent = due.sequence;
    }
  }

  /**
   * Close (or re-close after a correction): completeness check, tables built and validated by
   * the XML library, then encounter.closed with version + 1 — all in one transaction, with the
   * health-book entry of the new version.
   */
  async close(
    facilityCode: string,
    maLk: string,
  ): Promise<{ maLk: string; version: number; tables: string[] }> {
    type Outcome =
      | { closed: { maLk: string; version: number; tables: string[] } }
      | { refused: ValidationFailed | DomainError };
    this.requireFacility(facilityCode);
    const claimTrace = await claimTraceContext(this.runtime.ds, facilityCode, maLk);
    const options = claimTrace
      ? { parent: claimTrace, links: linkToActiveSpan({ 'bhyt.link': 'close-request' }) }
      : {};
    const result = await inSpan(
      'encounter close',
      claimAttributes({ facilityCode, maLk }),
      (span) =>
        this.runtime.ds.transaction(async (m): Promise<Outcome> => {
          const rows = await m.query(
            `SELECT status, version, care_type, draft, patient_ref FROM encounters WHERE facility_code = $1 AND ma_lk = $2 FOR UPDATE`,
            [facilityCode, maLk],
          );
          if (rows.length === 0)
            throw new DomainError(
              404,
              'ENCOUNTER_UNKNOWN',
              `no encounter ${maLk} at facility ${facilityCode}`,
            );
          const enc = rows[0] as {
            status: string;
            version: number;
            care_type: EncounterClosed['careType'];
            draft: EncounterDraft;
            patient_ref: string | null;
          };
          if (enc.status === 'CLOSED')
            throw new DomainError(
              409,
              'ALREADY_CLOSED',
              `encounter ${maLk} is closed at version ${enc.version}; send a correcting ward event first`,
            );
          const missing = checkCompleteness(enc.draft);
          if (missing.length)
            return { refused: new ValidationFailed(missing, 'the encounter is not complete') };
          const built = tryBuildTables(enc.draft);
          if (!built) {
            const events = unbuildableEvents(
              await this.opening(m, facilityCode, maLk).catch(() => enc.draft),
              await this.recordedEvents(m, facilityCode, maLk),
              (d) => tryBuildTables(d) !== undefined,
            );
            const message = 'the recorded ward events do not form a buildable record';
            return {
              refused: cannotClose(
                [{ field: '(record)', code: 'RECORD_UNBUILDABLE', message }],
                events,
                'the encounter cannot be built into XML 130 tables',
              ),
            };
          }
          const { record, tables } = built;
          const violations = validateClaim(tables);
          if (violations.length) {
            const errors = violations.map((v) => ({
              field: [v.table, v.row, v.field].filter((x) => x !== undefined).join('.'),
              code: v.code,
              message: v.message,
            }));
            return {
              refused: cannotClose(
                errors,
                eventsToFix(violations, await this.recordedEvents(m, facilityCode, maLk)),
                'the encounter does not produce valid XML 130 tables',
              ),
            };
          }
          const files = serializeClaimTables(tables);
          const version = enc.version + 1;
          span.setAttributes(claimAttributes({ version, careType: enc.care_type }));
          const closedAt = new Date();
          await m.query(
            `UPDATE encounters SET status = 'CLOSED', version = $3, closed_at = $4, close_problem = NULL, close_refused_at = NULL, updated_at = now() WHERE facility_code = $1 AND ma_lk = $2`,
            [facilityCode, maLk, version, closedAt],
          );
          await m.query(
            `INSERT INTO encounter_versions (facility_code, ma_lk, version, closed_at, tables) VALUES ($1,$2,$3,$4,$5)`,
            [facilityCode, maLk, version, closedAt, JSON.stringify(files)],
          );
          if (enc.patient_ref) {
            await m.query(
              `INSERT INTO health_book_entries (facility_code, ma_lk, version, patient_ref, admitted_at, entry) VALUES ($1,$2,$3,$4,$5,$6)`,
              [
                facilityCode,
                maLk,
                version,
                enc.patient_ref,
                record.admittedAt,
                JSON.stringify(toHealthBookEntry(record, version, closedAt)),
              ],
            );
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
          await enqueueOutbox(m, [
            createEvent(Topics.encounterClosed.name, { facilityCode, key: maLk, payload }).message,
          ]);
          return { closed: { maLk, version, tables: files.map((f) => f.loaiHoSo) } };
        }),
      options,
    );
    if ('closed' in result) return result.closed;
    // Kept for the operator view of blocked encounters (the close transaction wrote nothing).
    const body = result.refused.getResponse() as { errors?: unknown; events?: unknown; message?: string };
    await this.runtime.ds.query(
      `UPDATE encounters SET close_problem = $3, close_refused_at = now() WHERE facility_code = $1 AND ma_lk = $2`,
      [
        facilityCode,
        maLk,
        JSON.stringify({ message: body.message, errors: body.errors, events: body.events ?? [] }),
      ],
    );
    throw result.refused;
  }

  /**
   * Encounters that cannot move on: the last close was refused (with the events to fix), a
   * parked event was refused when the encounter opened, or a check-in (XML0) is INVALID.
   */
  async blocked(facilityCode: string, limit: number) {
    const rows: Array<Record<string, unknown>> = await this.runtime.ds.query(
      `SELECT e.ma_lk, e.status, e.version, e.close_refused_at, e.close_problem,
              COALESCE((SELECT json_agg(json_build_object('eventId', w.event_id, 'type', w.type, 'refused', w.refused) ORDER BY w.seq)
                          FROM ward_events w WHERE w.facility_code = e.facility_code AND w.ma_lk = e.ma_lk AND w.refused IS NOT NULL), '[]') AS refused_events,
              COALESCE((SELECT json_agg(json_build_object('sequence', c.sequence, 'violations', c.violations) ORDER BY c.sequence)
                          FROM checkins c WHERE c.facility_code = e.facility_code AND c.ma_lk = e.ma_lk AND c.status = 'INVALID'), '[]') AS invalid_checkins
         FROM encounters e
        WHERE e.facility_code = $1 AND e.status <> 'CLOSED'
          AND (e.close_problem IS NOT NULL
               OR EXISTS (SELECT 1 FROM ward_events w WHERE w.facility_code = e.facility_code AND w.ma_lk = e.ma_lk AND w.refused IS NOT NULL)
               OR EXISTS (SELECT 1 FROM checkins c WHERE c.facility_code = e.facility_code AND c.ma_lk = e.ma_lk AND c.status = 'INVALID'))
        ORDER BY COALESCE(e.close_refused_at, e.updated_at) DESC LIMIT $2`,
      [facilityCode, limit],
    );
    return {
      facilityCode,
      encounters: rows.map((r) => ({
        maLk: r['ma_lk'],
        status: r['status'],
        version: r['version'],
        closeRefusedAt: r['close_refused_at'],
        closeProblem: r['close_problem'],
        refusedEvents: r['refused_events'],
        invalidCheckins: r['invalid_checkins'],
      })),
    };
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
    if (rows.length === 0)
      throw new DomainError(404, 'ENCOUNTER_UNKNOWN', `no encounter ${maLk} at facility ${facilityCode}`);
    return rows[0];
  }
}

/**
 * The draft as XML 130 tables, or undefined when the builder trips over data of the wrong shape
 * (events recorded before every type had its schema): the caller's data, a 422, not a 500.
 */
function tryBuildTables(draft: EncounterDraft): { record: EncounterRecord; tables: ClaimTables } | undefined {
  try {
    const record = materialize(draft);
    return { record, tables: buildClaimTables(record) };
  } catch {
    return undefined;
  }
}

/** A close refused: every field error, and the ward events to retract or replace to fix them. */
function cannotClose(
  errors: Array<{ field: string; code: string; message: string }>,
  events: EventToFix[],
  message: string,
): DomainError {
  return new DomainError(422, 'VALIDATION_FAILED', message, { errors, events });
}
