import type { DataSource, EntityManager } from 'typeorm';
import type { ClaimSubmitted } from '@bhyt/contracts';
import { rowsOf, storedTraceHeadersSql } from '@bhyt/persistence';
import {
  OPEN_STATUSES,
  TAKEABLE_STATUSES,
  type SubmissionState,
  type SubmissionStatus,
} from '@bhyt/submission-policy';

export type SubmissionKind = 'claim' | 'checkin';

/** A submission as the scheduler and the operator API see it (no driver shapes, no snake_case). */
export interface Submission {
  readonly id: string;
  readonly kind: SubmissionKind;
  readonly facilityCode: string;
  readonly maLk: string;
  readonly version: number;
  readonly careType: ClaimSubmitted['careType'];
  readonly documentSha256: string;
  /** The signed document, base64; null once the gateway received it. */
  readonly signedXmlB64: string | null;
  readonly encounterEnd: Date;
  readonly deadline: Date;
  readonly missedNotified: boolean;
  readonly state: SubmissionState;
  /** The claim's trace context (the row's own, else claim_trace_context's for older rows). */
  readonly trace: Record<string, string> | null;
}

/** Who holds an attempt: outcome writes are conditional on all three. */
export interface AttemptTicket {
  readonly id: string;
  readonly owner: string;
  readonly attempt: number;
}

export interface TakeRequest {
  readonly owner: string;
  readonly leaseMs: number;
  /** Rows to take per lane now (0: none of that kind); `total` caps both (1 for a half-open probe). */
  readonly claims: number;
  readonly checkins: number;
  readonly total: number;
  /** Attempts in flight per facility account and lane, across every replica. */
  readonly perFacility: { readonly claim: number; readonly checkin: number };
}

export interface OutcomeWrite {
  readonly next: SubmissionState;
  readonly code: string | null;
  readonly detail: string | null;
  readonly maGiaoDich?: string;
  readonly receivedAt?: Date;
  /** Retry no sooner than this (DUE / SENT_UNKNOWN). */
  readonly retryAfterMs?: number;
  readonly dropDocument: boolean;
  /** The attempt's history row. */
  readonly attempt: { readonly startedAt: Date; readonly outcome: string };
}

export interface DeadlineRow {
  readonly facility_code: string;
  readonly ma_lk: string;
  readonly version: number;
  readonly encounter_end: Date | string;
  readonly deadline: Date | string;
}

export interface ExactlyOnceReport {
  stuck: number;
  ambiguousSends: number;
  possibleDuplicates: Array<{ facility: string; maLk: string; version: number; sends: number }>;
}

export interface PortalError {
  readonly code?: string | undefined;
  readonly message: string;
  readonly table?: string | undefined;
  readonly field?: string | undefined;
  readonly row?: number | undefined;
}

/** The one set of open statuses, as a SQL list (written once, in libs/submission-policy). */
const sqlList = (values: readonly string[]) => `(${values.map((v) => `'${v}'`).join(', ')})`;
const OPEN = sqlList(OPEN_STATUSES);
const TAKEABLE = sqlList(TAKEABLE_STATUSES);

interface SubmissionRow {
  id: string;
  kind: SubmissionKind;
  facility_code: string;
  ma_lk: string;
  version: number;
  care_type: ClaimSubmitted['careType'];
  document_sha256: string;
  signed_xml_b64: string | null;
  encounter_end: Date;
  deadline: Date;
  status: SubmissionStatus;
  attempts: number;
  sends: number;
  ambiguous_sends: number;
  outcome_unknown: boolean;
  missed_notified: boolean;
  trace: Record<string, string> | null;
}

const toSubmission = (r: SubmissionRow): Submission => ({
  id: String(r.id),
  kind: r.kind,
  facilityCode: r.facility_code,
  maLk: r.ma_lk,
  version: r.version,
  careType: r.care_type,
  documentSha256: r.document_sha256,
  signedXmlB64: r.signed_xml_b64,
  encounterEnd: new Date(r.encounter_end),
  deadline: new Date(r.deadline),
  missedNotified: r.missed_notified,
  state: {
    status: r.status,
    attempts: r.attempts,
    sends: r.sends,
    ambiguousSends: r.ambiguous_sends,
    outcomeUnknown: r.outcome_unknown,
    hasDocument: r.signed_xml_b64 !== null,
  },
  trace: r.trace,
});

/**
 * Where submissions created before they carried their own trace (migration 1700000000403) find
 * it in claim_trace_context: the claim's MA_LK, or `${maLk}#checkin-${sequence}` for a check-in.
 */
const traceKeySql = (a: string): string =>
  `CASE WHEN ${a}.kind = 'claim' THEN ${a}.ma_lk ELSE ${a}.ma_lk || '#checkin-' || ${a}.version END`;

const OPERATOR_COLUMNS = `id, kind, facility_code, ma_lk, version, care_type, status, attempts, sends, ambiguous_sends, outcome_unknown, lease_owner, lease_until,
  encounter_end, deadline, next_attempt_at, ma_giao_dich, received_at, last_code, last_error, at_risk_notified, missed_notified, created_at, updated_at`;

/**
 * Every SQL statement on `submissions` and `submission_attempts`. Multi-row statements (take,
 * lease recovery, superseding) apply the transitions of `nextSubmissionState` set-wise.
 */
export class SubmissionStore {
  constructor(private readonly ds: DataSource) {}

  /** A plain transaction (runs once), for operator actions. */
  transaction<T>(work: (m: EntityManager) => Promise<T>): Promise<T> {
    return this.ds.transaction(work);
  }

  // ---------- intake ----------

  /**
   * Records a signed claim as due. A version older than one already known is born SUPERSEDED;
   * older versions not yet sent (or waiting for an operator) become SUPERSEDED, under their row
   * lock, so that a replica taking one of them at this moment either finishes first or skips it.
   * @returns false for a redelivery (the unique key absorbs it).
   */
  async recordClaimDue(
    m: EntityManager,
    c: {
      facilityCode: string;
      maLk: string;
      version: number;
      careType: string;
      documentSha256: string;
      signedXmlB64: string;
      encounterEnd: Date;
      deadline: Date;
      atRiskNotified: boolean;
      missedNotified: boolean;
      traceHeaders: string | null;
    },
  ): Promise<{ inserted: boolean; superseded: number }> {
    const inserted = rowsOf<{ id: string }>(
      await m.query(
        `INSERT INTO submissions (facility_code, kind, ma_lk, version, care_type, document_sha256, signed_xml_b64, encounter_end, deadline, status, at_risk_notified, missed_notified, trace_headers)
         VALUES ($1,'claim',$2,$3,$4,$5,$6,$7,$8,
                 CASE WHEN EXISTS (SELECT 1 FROM submissions o WHERE o.facility_code = $1 AND o.kind = 'claim' AND o.ma_lk = $2 AND o.version > $3) THEN 'SUPERSEDED' ELSE 'DUE' END,
                 $9,$10,$11::jsonb)
         ON CONFLICT (facility_code, kind, ma_lk, version) DO NOTHING RETURNING id`,
        [
          c.facilityCode,
          c.maLk,
          c.version,
          c.careType,
          c.documentSha256,
          c.signedXmlB64,
          c.encounterEnd,
          c.deadline,
          c.atRiskNotified,
          c.missedNotified,
          c.traceHeaders,
        ],
      ),
    );
    if (inserted.length === 0) return { inserted: false, superseded: 0 };
    const superseded = rowsOf<{ id: string }>(
      await m.query(
        `UPDATE submissions SET status = 'SUPERSEDED', lease_owner = NULL, updated_at = now()
         WHERE facility_code = $1 AND kind = 'claim' AND ma_lk = $2 AND version < $3 AND status IN ('DUE', 'SENT_UNKNOWN', 'NEEDS_OPERATOR') RETURNING id`,
        [c.facilityCode, c.maLk, c.version],
      ),
    );
    return { inserted: true, superseded: superseded.length };
  }

  async recordCheckinDue(
    m: EntityManager,
    c: {
      facilityCode: string;
      maLk: string;
      sequence: number;
      careType: string;
      documentSha256: string;
      signedXmlB64: string;
      firstBillableAt: Date;
      deadline: Date;
      traceHeaders: string | null;
    },
  ): Promise<void> {
    await m.query(
      `INSERT INTO submissions (facility_code, kind, ma_lk, version, care_type, document_sha256, signed_xml_b64, encounter_end, deadline, status, trace_headers)
       VALUES ($1,'checkin',$2,$3,$4,$5,$6,$7,$8,'DUE',$9::jsonb) ON CONFLICT (facility_code, kind, ma_lk, version) DO NOTHING`,
      [
        c.facilityCode,
        c.maLk,
        c.sequence,
        c.careType,
        c.documentSha256,
        c.signedXmlB64,
        c.firstBillableAt,
        c.deadline,
        c.traceHeaders,
      ],
    );
  }

  // ---------- scheduler ----------

  /**
   * Takes due rows of both lanes in one statement (one round trip, atomic on its own): earliest
   * deadline first, within each facility account's limit counted over every replica's live
   * leases, never a claim version while another version of its MA_LK is in flight or a newer
   * one exists. Each row taken is IN_FLIGHT, owned by `owner` until its lease ends.
   */
  async takeDue(r: TakeRequest): Promise<Submission[]> {
    if (r.total <= 0 || (r.claims <= 0 && r.checkins <= 0)) return [];
    const result = await this.ds.query(
      `WITH busy AS (
         SELECT kind, facility_code, count(*)::int AS n FROM submissions WHERE status = 'IN_FLIGHT' AND lease_until > now() GROUP BY kind, facility_code
       ), candidates AS (
         (SELECT id, kind, facility_code, ma_lk, version, deadline FROM submissions
           WHERE kind = 'claim' AND $1::int > 0 AND status IN ${TAKEABLE} AND next_attempt_at <= now()
             -- a facility account at its limit takes no candidate place from the others
             AND NOT EXISTS (SELECT 1 FROM busy b WHERE b.kind = 'claim' AND b.facility_code = submissions.facility_code AND b.n >= $3::int)
           ORDER BY deadline, id LIMIT greatest($1::int, 1) * 4)
         UNION ALL
         (SELECT id, kind, facility_code, ma_lk, version, deadline FROM submissions
           WHERE kind = 'checkin' AND $2::int > 0 AND status IN ${TAKEABLE} AND next_attempt_at <= now()
             AND NOT EXISTS (SELECT 1 FROM busy b WHERE b.kind = 'checkin' AND b.facility_code = submissions.facility_code AND b.n >= $4::int)
           ORDER BY deadline, id LIMIT greatest($2::int, 1) * 4)
       ), eligible AS (
         SELECT c.*, row_number() OVER (PARTITION BY c.kind, c.facility_code ORDER BY c.deadline, c.id) AS rn FROM candidates c
         WHERE c.kind = 'checkin' OR NOT EXISTS (
           SELECT 1 FROM submissions o WHERE o.facility_code = c.facility_code AND o.kind = 'claim' AND o.ma_lk = c.ma_lk AND o.id <> c.id
             AND (o.version > c.version OR o.status = 'IN_FLIGHT'))
       ), allowed AS (
         SELECT e.id, e.kind, e.deadline, row_number() OVER (PARTITION BY e.kind ORDER BY e.deadline, e.id) AS kn
         FROM eligible e LEFT JOIN busy b ON b.kind = e.kind AND b.facility_code = e.facility_code
         WHERE e.rn <= (CASE e.kind WHEN 'claim' THEN $3::int ELSE $4::int END) - COALESCE(b.n, 0)
       ), picked AS (
         SELECT x.id FROM submissions x JOIN allowed a ON a.id = x.id
         WHERE a.kn <= (CASE a.kind WHEN 'claim' THEN $1::int ELSE $2::int END) AND x.status IN ${TAKEABLE} AND x.next_attempt_at <= now()
         ORDER BY (a.kind = 'checkin'), a.deadline, a.id LIMIT $5::int
         FOR UPDATE OF x SKIP LOCKED
       )
       UPDATE submissions s SET status = 'IN_FLIGHT', attempts = s.attempts + 1, lease_owner = $6, lease_until = now() + ($7::int * interval '1 millisecond'), updated_at = now()
       FROM picked WHERE s.id = picked.id AND s.status IN ${TAKEABLE}
       RETURNING s.*, COALESCE(s.trace_headers, ${storedTraceHeadersSql('s', traceKeySql('s'))}) AS trace`,
      [
        Math.max(0, r.claims),
        Math.max(0, r.checkins),
        r.perFacility.claim,
        r.perFacility.checkin,
        r.total,
        r.owner,
        r.leaseMs,
      ],
    );
    return rowsOf<SubmissionRow>(result).map(toSubmission);
  }

  /** Extends the leases of the attempts this owner still has in flight. @returns leases renewed. */
  async renewLeases(owner: string, ids: string[], leaseMs: number): Promise<number> {
    if (ids.length === 0) return 0;
    const rows = rowsOf<{ id: string }>(
      await this.ds.query(
        `UPDATE submissions SET lease_until = now() + ($3::int * interval '1 millisecond') WHERE id = ANY($2::bigint[]) AND status = 'IN_FLIGHT' AND lease_owner = $1 RETURNING id`,
        [owner, ids, leaseMs],
      ),
    );
    return rows.length;
  }

  /**
   * Attempts whose lease ran out (their owner died, was partitioned away or lost the database):
   * the body may have reached the gateway, so each becomes SENT_UNKNOWN, counted as a send of
   * unknown outcome (transition `lease-expired`). Live leases of other replicas are never touched.
   */
  async recoverExpiredLeases(settleMs: number): Promise<{ recovered: number; possibleDuplicates: number }> {
    const rows = rowsOf<{ sends: number }>(
      await this.ds.query(
        `UPDATE submissions SET status = 'SENT_UNKNOWN', outcome_unknown = true, sends = sends + 1, ambiguous_sends = ambiguous_sends + 1,
                lease_owner = NULL, lease_until = NULL, last_code = 'LEASE_EXPIRED', next_attempt_at = now() + ($1::int * interval '1 millisecond'), updated_at = now()
         WHERE id IN (SELECT id FROM submissions WHERE status = 'IN_FLIGHT' AND lease_until < now() ORDER BY lease_until LIMIT 1000 FOR UPDATE SKIP LOCKED)
         RETURNING sends`,
        [settleMs],
      ),
    );
    return { recovered: rows.length, possibleDuplicates: rows.filter((r) => r.sends > 1).length };
  }

  /** Claim versions waiting to be (re-)sent while a newer version exists (transition `newer-version`). */
  async supersedeOlderVersions(): Promise<number> {
    const rows = rowsOf<{ id: string }>(
      await this.ds.query(
        `UPDATE submissions s SET status = 'SUPERSEDED', updated_at = now()
         WHERE s.kind = 'claim' AND s.status IN ('DUE', 'SENT_UNKNOWN', 'NEEDS_OPERATOR')
           AND EXISTS (SELECT 1 FROM submissions o WHERE o.facility_code = s.facility_code AND o.kind = 'claim' AND o.ma_lk = s.ma_lk AND o.version > s.version)
         RETURNING s.id`,
      ),
    );
    return rows.length;
  }

  /**
   * Stores an attempt's outcome if, and only if, the attempt still holds the row (same owner,
   * same attempt, still IN_FLIGHT). A stale writer — whose lease expired and whose row another
   * replica recovered or took — changes nothing. @returns whether the outcome was stored.
   */
  async recordOutcome(m: EntityManager, t: AttemptTicket, w: OutcomeWrite): Promise<boolean> {
    const updated = rowsOf<{ id: string }>(
      await m.query(
        `UPDATE submissions SET status = $4, sends = $5, ambiguous_sends = $6, outcome_unknown = $7, lease_owner = NULL, lease_until = NULL,
                last_code = $8, last_error = $9, ma_giao_dich = COALESCE($10, ma_giao_dich), received_at = COALESCE($11, received_at),
                next_attempt_at = CASE WHEN $12::int IS NULL THEN next_attempt_at ELSE now() + ($12::int * interval '1 millisecond') END,
                signed_xml_b64 = CASE WHEN $13::boolean THEN NULL ELSE signed_xml_b64 END, updated_at = now()
         WHERE id = $1 AND status = 'IN_FLIGHT' AND lease_owner = $2 AND attempts = $3 RETURNING id`,
        [
          t.id,
          t.owner,
          t.attempt,
          w.next.status,
          w.next.sends,
          w.next.ambiguousSends,
          w.next.outcomeUnknown,
          w.code,
          w.detail,
          w.maGiaoDich ?? null,
          w.receivedAt ?? null,
          w.retryAfterMs === undefined ? null : Math.round(w.retryAfterMs),
          w.dropDocument,
        ],
      ),
    );
    if (updated.length === 0) return false;
    await m.query(
      `INSERT INTO submission_attempts (submission_id, attempt, started_at, outcome, code, detail, ma_giao_dich) VALUES ($1,$2,$3,$4,$5,$6,$7)`,
      [t.id, t.attempt, w.attempt.startedAt, w.attempt.outcome, w.code, w.detail, w.maGiaoDich ?? null],
    );
    return true;
  }

  /** A claim sent after its deadline that was never reported missed. @returns true once. */
  async markLateReported(m: EntityManager, id: string): Promise<boolean> {
    return (
      rowsOf(
        await m.query(
          `UPDATE submissions SET missed_notified = true, at_risk_notified = true WHERE id = $1 AND NOT missed_notified RETURNING id`,
          [id],
        ),
      ).length > 0
    );
  }

  /** The circuit closed after an outage: the backoff the outage imposed is void for DUE rows. */
  async releaseBackoffAfterOutage(m: EntityManager): Promise<number> {
    return rowsOf(
      await m.query(
        `UPDATE submissions SET next_attempt_at = now() WHERE status = 'DUE' AND next_attempt_at > now() RETURNING id`,
      ),
    ).length;
  }

  // ---------- deadline monitor ----------

  async markMissed(m: EntityManager, limit: number): Promise<DeadlineRow[]> {
    return rowsOf<DeadlineRow>(
      await m.query(
        `UPDATE submissions SET missed_notified = true, at_risk_notified = true WHERE id IN (
           SELECT id FROM submissions WHERE kind = 'claim' AND status IN ${OPEN} AND NOT missed_notified AND deadline < now() LIMIT $1 FOR UPDATE SKIP LOCKED)
         RETURNING facility_code, ma_lk, version, encounter_end, deadline`,
        [limit],
      ),
    );
  }

  async markAtRisk(m: EntityManager, atRiskFraction: number, limit: number): Promise<DeadlineRow[]> {
    return rowsOf<DeadlineRow>(
      await m.query(
        `UPDATE submissions SET at_risk_notified = true WHERE id IN (
           SELECT id FROM submissions WHERE kind = 'claim' AND status IN ${OPEN} AND NOT at_risk_notified
             AND now() >= encounter_end + (deadline - encounter_end) * $1::float8 LIMIT $2 FOR UPDATE SKIP LOCKED)
         RETURNING facility_code, ma_lk, version, encounter_end, deadline`,
        [atRiskFraction, limit],
      ),
    );
  }

  /** Open claims with their age and deadline position, for the SLA gauges. */
  async openClaimAges(atRiskFraction: number): Promise<
    Array<{
      facilityCode: string;
      hoursSinceEncounterEnd: number;
      atRisk: boolean;
      missed: boolean;
      needsOperator: boolean;
    }>
  > {
    const rows: Array<{
      facility_code: string;
      hours: number;
      at_risk: boolean;
      missed: boolean;
      needs_operator: boolean;
    }> = await this.ds.query(
      `SELECT facility_code, EXTRACT(EPOCH FROM now() - encounter_end)::float8 / 3600 AS hours,
              now() >= encounter_end + (deadline - encounter_end) * $1::float8 AS at_risk, deadline < now() AS missed,
              status = 'NEEDS_OPERATOR' AS needs_operator
         FROM submissions WHERE kind = 'claim' AND status IN ${OPEN}`,
      [atRiskFraction],
    );
    return rows.map((r) => ({
      facilityCode: r.facility_code,
      hoursSinceEncounterEnd: Number(r.hours),
      atRisk: r.at_risk,
      missed: r.missed,
      needsOperator: r.needs_operator,
    }));
  }

  // ---------- verdicts (simulator results, portal feedback) ----------

  /** SUBMITTED rows whose verdict was not checked in the last second, oldest first. */
  async awaitingVerdict(limit: number): Promise<
    Array<{
      id: string;
      kind: SubmissionKind;
      facilityCode: string;
      maLk: string;
      version: number;
      maGiaoDich: string;
      trace: Record<string, string> | null;
    }>
  > {
    const rows: Array<{
      id: string;
      kind: SubmissionKind;
      facility_code: string;
      ma_lk: string;
      version: number;
      ma_giao_dich: string;
      trace: Record<string, string> | null;
    }> = await this.ds.query(
      `SELECT s.id, s.kind, s.facility_code, s.ma_lk, s.version, s.ma_giao_dich, COALESCE(s.trace_headers, ${storedTraceHeadersSql('s')}) AS trace FROM submissions s
       WHERE status = 'SUBMITTED' AND (result_checked_at IS NULL OR result_checked_at < now() - interval '1 second')
       ORDER BY received_at LIMIT $1`,
      [limit],
    );
    return rows.map((r) => ({
      id: String(r.id),
      kind: r.kind,
      facilityCode: r.facility_code,
      maLk: r.ma_lk,
      version: r.version,
      maGiaoDich: r.ma_giao_dich,
      trace: r.trace,
    }));
  }

  async markVerdictChecked(ids: string[]): Promise<void> {
    if (ids.length)
      await this.ds.query(`UPDATE submissions SET result_checked_at = now() WHERE id = ANY($1::bigint[])`, [
        ids,
      ]);
  }

  /** SUBMITTED → ACCEPTED | REJECTED (transition `verdict`). @returns false if it was no longer SUBMITTED. */
  async recordVerdict(
    m: EntityManager,
    id: string,
    accepted: boolean,
    error?: { code: string; message: string },
  ): Promise<boolean> {
    const rows = rowsOf(
      await m.query(
        `UPDATE submissions SET status = $2, result_checked_at = now(), updated_at = now(), last_code = COALESCE($3, last_code), last_error = COALESCE($4, last_error)
         WHERE id = $1 AND status = 'SUBMITTED' RETURNING id`,
        [
          id,
          accepted ? 'ACCEPTED' : 'REJECTED',
          error?.code ?? null,
          error ? error.message.slice(0, 1000) : null,
        ],
      ),
    );
    return rows.length > 0;
  }

  /**
   * The claim a portal line names: by maGiaoDich when the portal shows it, else the latest
   * version of the MA_LK that the gateway received.
   */
  async findReceived(
    m: EntityManager,
    facilityCode: string,
    maLk: string,
    maGiaoDich?: string,
  ): Promise<
    | {
        id: string;
        version: number;
        status: SubmissionStatus;
        maGiaoDich: string | null;
        trace: Record<string, string> | null;
      }
    | undefined
  > {
    const rows: Array<{
      id: string;
      version: number;
      status: SubmissionStatus;
      ma_giao_dich: string | null;
      trace: Record<string, string> | null;
    }> = await m.query(
      `SELECT s.id, s.version, s.status, s.ma_giao_dich, COALESCE(s.trace_headers, ${storedTraceHeadersSql('s')}) AS trace FROM submissions s
       WHERE s.facility_code = $1 AND s.kind = 'claim' AND s.ma_lk = $2 AND s.status IN ('SUBMITTED', 'ACCEPTED', 'REJECTED') AND ($3::text IS NULL OR s.ma_giao_dich = $3)
       ORDER BY s.version DESC LIMIT 1 FOR UPDATE`,
      [facilityCode, maLk, maGiaoDich ?? null],
    );
    const r = rows[0];
    return (
      r && {
        id: String(r.id),
        version: r.version,
        status: r.status,
        maGiaoDich: r.ma_giao_dich,
        trace: r.trace,
      }
    );
  }

  // ---------- operator API ----------

  async search(q: {
    kind: SubmissionKind;
    facility?: string | undefined;
    maLk?: string | undefined;
    status?: SubmissionStatus | undefined;
    olderThanMinutes?: number | undefined;
    limit: number;
  }): Promise<unknown[]> {
    const params: unknown[] = [q.kind];
    const where: string[] = ['kind = $1'];
    if (q.facility) where.push(`facility_code = $${params.push(q.facility)}`);
    if (q.maLk) where.push(`ma_lk = $${params.push(q.maLk)}`);
    if (q.status) where.push(`status = $${params.push(q.status)}`);
    if (q.olderThanMinutes !== undefined)
      where.push(`encounter_end < now() - ($${params.push(q.olderThanMinutes)}::int * interval '1 minute')`);
    params.push(q.limit);
    return this.ds.query(
      `SELECT ${OPERATOR_COLUMNS} FROM submissions WHERE ${where.join(' AND ')} ORDER BY deadline LIMIT $${params.length}`,
      params,
    );
  }

  async summary(): Promise<{
    byStatus: Record<string, number>;
    checkinsByStatus: Record<string, number>;
    on_time: number;
    late: number;
    missed_reported: number;
  }> {
    const byKind: Array<{ kind: SubmissionKind; status: string; n: number }> = await this.ds.query(
      `SELECT kind, status, count(*)::int AS n FROM submissions GROUP BY kind, status`,
    );
    const [deadline] = (await this.ds.query(
      `SELECT count(*) FILTER (WHERE received_at IS NOT NULL AND received_at <= deadline)::int AS on_time,
              count(*) FILTER (WHERE received_at IS NOT NULL AND received_at > deadline)::int AS late,
              count(*) FILTER (WHERE missed_notified)::int AS missed_reported
       FROM submissions WHERE kind = 'claim'`,
    )) as Array<{ on_time: number; late: number; missed_reported: number }>;
    const counts = (kind: SubmissionKind) =>
      Object.fromEntries(byKind.filter((r) => r.kind === kind).map((r) => [r.status, r.n]));
    return {
      byStatus: counts('claim'),
      checkinsByStatus: counts('checkin'),
      on_time: deadline?.on_time ?? 0,
      late: deadline?.late ?? 0,
      missed_reported: deadline?.missed_reported ?? 0,
    };
  }

  async history(facilityCode: string, maLk: string): Promise<{ versions: unknown[]; attempts: unknown[] }> {
    const versions: unknown[] = await this.ds.query(
      `SELECT ${OPERATOR_COLUMNS} FROM submissions WHERE facility_code = $1 AND ma_lk = $2 ORDER BY kind, version`,
      [facilityCode, maLk],
    );
    if (versions.length === 0) return { versions, attempts: [] };
    const attempts: unknown[] = await this.ds.query(
      `SELECT s.kind, s.version, a.attempt, a.started_at, a.finished_at, a.outcome, a.code, a.detail, a.ma_giao_dich
       FROM submission_attempts a JOIN submissions s ON s.id = a.submission_id
       WHERE s.facility_code = $1 AND s.ma_lk = $2 ORDER BY a.id`,
      [facilityCode, maLk],
    );
    return { versions, attempts };
  }

  /** The row an operator wants to re-drive, locked, with what the redrive rule needs. */
  async lockForRedrive(
    m: EntityManager,
    key: { facilityCode: string; kind: SubmissionKind; maLk: string; version: number },
  ): Promise<{ id: string; state: SubmissionState; newerVersion: boolean } | undefined> {
    const rows: SubmissionRow[] = await m.query(
      `SELECT s.*, NULL AS trace FROM submissions s WHERE facility_code = $1 AND kind = $2 AND ma_lk = $3 AND version = $4 FOR UPDATE`,
      [key.facilityCode, key.kind, key.maLk, key.version],
    );
    const r = rows[0];
    if (!r) return undefined;
    const newer: unknown[] =
      key.kind === 'claim'
        ? await m.query(
            `SELECT 1 FROM submissions WHERE facility_code = $1 AND kind = 'claim' AND ma_lk = $2 AND version > $3 LIMIT 1`,
            [key.facilityCode, key.maLk, key.version],
          )
        : [];
    return { id: String(r.id), state: toSubmission(r).state, newerVersion: newer.length > 0 };
  }

  async redrive(
    m: EntityManager,
    id: string,
    next: SubmissionStatus,
    attempt: number,
    from: SubmissionStatus,
  ): Promise<void> {
    await m.query(
      `UPDATE submissions SET status = $2, next_attempt_at = now(), updated_at = now() WHERE id = $1`,
      [id, next],
    );
    // The audit trail next to the gateway's answers: when and from which state it was re-driven.
    await m.query(
      `INSERT INTO submission_attempts (submission_id, attempt, started_at, outcome, code, detail) VALUES ($1, $2, now(), 'operator-redrive', NULL, $3)`,
      [id, attempt, `re-driven from ${from}`],
    );
  }

  /** Portal feedback applied to a claim: kept in its attempt history like a gateway answer. */
  async recordPortalFeedback(
    m: EntityManager,
    id: string,
    version: number,
    errors: readonly PortalError[],
  ): Promise<void> {
    const detail = errors
      .map((e) => e.message)
      .join('; ')
      .slice(0, 1000);
    await m.query(
      `INSERT INTO submission_attempts (submission_id, attempt, started_at, outcome, code, detail) VALUES ($1, $2, now(), 'portal-feedback', $3, $4)`,
      [id, version, errors[0]?.code ?? null, detail || 'processed without errors'],
    );
  }

  /**
   * What the chaos runner and SRE read (issue 16): rows not final whose lease ran out or which
   * are due and untaken for longer than `dueBoundMs`; sends of unknown outcome; and the claims
   * that may have reached the gateway more than once.
   */
  async exactlyOnce(kind: SubmissionKind, dueBoundMs: number): Promise<ExactlyOnceReport> {
    const [counts] = (await this.ds.query(
      `SELECT count(*) FILTER (WHERE (status = 'IN_FLIGHT' AND lease_until < now())
                                  OR (status IN ${TAKEABLE} AND next_attempt_at < now() - ($2::int * interval '1 millisecond')))::int AS stuck,
              COALESCE(sum(ambiguous_sends), 0)::int AS ambiguous
         FROM submissions WHERE kind = $1`,
      [kind, dueBoundMs],
    )) as Array<{ stuck: number; ambiguous: number }>;
    const dups: Array<{ facility_code: string; ma_lk: string; version: number; sends: number }> =
      await this.ds.query(
        `SELECT facility_code, ma_lk, version, sends FROM submissions WHERE kind = $1 AND sends > 1 ORDER BY facility_code, ma_lk, version`,
        [kind],
      );
    return {
      stuck: counts?.stuck ?? 0,
      ambiguousSends: counts?.ambiguous ?? 0,
      possibleDuplicates: dups.map((d) => ({
        facility: d.facility_code,
        maLk: d.ma_lk,
        version: d.version,
        sends: d.sends,
      })),
    };
  }
}
