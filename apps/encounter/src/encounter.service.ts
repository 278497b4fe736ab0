import { Injectable } from '@nestjs/common';
import { EncounterClosed, Topics, VisitRegistered } from '@bhyt/contracts';
import { applyWardEvent, checkCompleteness, EncounterDraft, materialize, openDraft, WardEvent } from '@bhyt/encounter-domain';
import { createEvent } from '@bhyt/messaging';
import { inSpan } from '@bhyt/observability';
import { enqueueOutbox } from '@bhyt/persistence';
import { DomainError, ServiceRuntime, ValidationFailed } from '@bhyt/service-kit';
import { buildClaimTables, serializeClaimTables, validateClaim } from '@bhyt/xml130';

export type WardEventOutcome = 'applied' | 'duplicate' | 'held-after-close';

@Injectable()
export class EncounterService {
  constructor(private readonly runtime: ServiceRuntime) {}

  /** intake.registered → an open encounter (idempotent: the primary key absorbs redeliveries). */
  async open(v: VisitRegistered): Promise<void> {
    const draft = openDraft({ facilityCode: v.facilityCode, maLk: v.maLk, careType: v.careType, registeredAt: v.registeredAt, patient: v.patient });
    await this.runtime.ds.query(
      `INSERT INTO encounters (facility_code, ma_lk, care_type, status, draft) VALUES ($1,$2,$3,'OPEN',$4) ON CONFLICT DO NOTHING`,
      [v.facilityCode, v.maLk, v.careType, JSON.stringify(draft)],
    );
  }

  /**
   * Records a ward event and applies it. An event for a closed encounter is kept and marks
   * the encounter CORRECTION_PENDING: closing again sends version + 1 under the same MA_LK.
   */
  async record(event: WardEvent): Promise<WardEventOutcome> {
    return this.runtime.ds.transaction(async (m) => {
      const rows = await m.query(`SELECT status, version, draft FROM encounters WHERE facility_code = $1 AND ma_lk = $2 FOR UPDATE`, [event.facilityCode, event.maLk]);
      if (rows.length === 0) throw new DomainError(404, 'ENCOUNTER_UNKNOWN', `no encounter ${event.maLk} at facility ${event.facilityCode} (register the visit at intake first)`);
      const enc = rows[0] as { status: string; version: number; draft: EncounterDraft };
      const closed = enc.status !== 'OPEN';
      const inserted = await m.query(
        `INSERT INTO ward_events (event_id, facility_code, ma_lk, type, source, occurred_at, data, after_close_of_version)
         VALUES ($1,$2,$3,$4,$5,$6,$7,$8) ON CONFLICT DO NOTHING RETURNING 1`,
        [event.eventId, event.facilityCode, event.maLk, event.type, event.source, event.occurredAt, JSON.stringify(event.data), closed ? enc.version : null],
      );
      if (inserted.length === 0) return 'duplicate';
      const draft = applyWardEvent(enc.draft, event);
      await m.query(
        `UPDATE encounters SET draft = $3, status = CASE WHEN status = 'OPEN' THEN 'OPEN' ELSE 'CORRECTION_PENDING' END, updated_at = now() WHERE facility_code = $1 AND ma_lk = $2`,
        [event.facilityCode, event.maLk, JSON.stringify(draft)],
      );
      return closed ? 'held-after-close' : 'applied';
    });
  }

  /**
   * Close (or re-close after a correction): completeness check, tables built and validated by
   * the XML library, then encounter.closed with version + 1 — all in one transaction.
   */
  async close(facilityCode: string, maLk: string): Promise<{ maLk: string; version: number; tables: string[] }> {
    return inSpan('encounter close', { 'bhyt.facility': facilityCode, 'bhyt.ma_lk': maLk }, () =>
      this.runtime.ds.transaction(async (m) => {
        const rows = await m.query(`SELECT status, version, care_type, draft, opened_at FROM encounters WHERE facility_code = $1 AND ma_lk = $2 FOR UPDATE`, [facilityCode, maLk]);
        if (rows.length === 0) throw new DomainError(404, 'ENCOUNTER_UNKNOWN', `no encounter ${maLk} at facility ${facilityCode}`);
        const enc = rows[0] as { status: string; version: number; care_type: EncounterClosed['careType']; draft: EncounterDraft };
        if (enc.status === 'CLOSED') throw new DomainError(409, 'ALREADY_CLOSED', `encounter ${maLk} is closed at version ${enc.version}; send a correcting ward event first`);
        const missing = checkCompleteness(enc.draft);
        if (missing.length) throw new ValidationFailed(missing, 'the encounter is not complete');
        const record = materialize(enc.draft);
        const tables = buildClaimTables(record);
        const violations = validateClaim(tables);
        if (violations.length) {
          throw new ValidationFailed(
            violations.map((v) => ({ field: [v.table, v.row, v.field].filter((x) => x !== undefined).join('.'), code: v.code, message: v.message })),
            'the encounter does not produce valid XML 130 tables',
          );
        }
        const files = serializeClaimTables(tables);
        const version = enc.version + 1;
        const closedAt = new Date();
        await m.query(`UPDATE encounters SET status = 'CLOSED', version = $3, closed_at = $4, updated_at = now() WHERE facility_code = $1 AND ma_lk = $2`, [facilityCode, maLk, version, closedAt]);
        await m.query(`INSERT INTO encounter_versions (facility_code, ma_lk, version, closed_at, tables) VALUES ($1,$2,$3,$4,$5)`, [facilityCode, maLk, version, closedAt, JSON.stringify(files)]);
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
    );
  }

  async get(facilityCode: string, maLk: string) {
    const rows = await this.runtime.ds.query(
      `SELECT facility_code, ma_lk, care_type, status, version, opened_at, closed_at, updated_at,
              (SELECT count(*)::int FROM ward_events w WHERE w.facility_code = e.facility_code AND w.ma_lk = e.ma_lk) AS ward_events
       FROM encounters e WHERE facility_code = $1 AND ma_lk = $2`,
      [facilityCode, maLk],
    );
    if (rows.length === 0) throw new DomainError(404, 'ENCOUNTER_UNKNOWN', `no encounter ${maLk} at facility ${facilityCode}`);
    return rows[0];
  }
}
