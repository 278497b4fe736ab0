import { Controller, Get, HttpCode, Inject, Param, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { DomainError, parseBody, ServiceRuntime } from '@bhyt/service-kit';
import { SCHEDULER } from './tokens';
import type { SubmissionScheduler } from './scheduler';

const SearchQuery = z.object({
  facility: z.string().regex(/^\d{5}$/).optional(),
  maLk: z.string().max(100).optional(),
  status: z.enum(['DUE', 'IN_FLIGHT', 'IN_FLIGHT_RECONCILE', 'RECONCILE', 'SUBMITTED', 'ACCEPTED', 'REJECTED', 'NEEDS_OPERATOR']).optional(),
  kind: z.enum(['claim', 'checkin']).default('claim'),
  olderThanMinutes: z.coerce.number().int().min(0).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});

const KindQuery = z.object({ kind: z.enum(['claim', 'checkin']).default('claim') });

const COLUMNS = `id, kind, facility_code, ma_lk, version, care_type, status, attempts, encounter_end, deadline, next_attempt_at,
  ma_giao_dich, received_at, last_code, last_error, at_risk_notified, missed_notified, created_at, updated_at`;

/**
 * Operator API: where is a claim, what did the gateway answer at each attempt, and re-drive
 * the ones that failed. It returns no personal data (claims are identified by MA_LK).
 */
@ApiTags('operator')
@Controller('v1/claims')
export class OperatorController {
  constructor(
    private readonly runtime: ServiceRuntime,
    @Inject(SCHEDULER) private readonly scheduler: SubmissionScheduler,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Search claims by facility, MA_LK, status and age' })
  async search(@Query() query: unknown) {
    const q = parseBody(SearchQuery, query);
    const params: unknown[] = [q.kind];
    const where: string[] = ['kind = $1'];
    if (q.facility) where.push(`facility_code = $${params.push(q.facility)}`);
    if (q.maLk) where.push(`ma_lk = $${params.push(q.maLk)}`);
    if (q.status) where.push(`status = $${params.push(q.status)}`);
    if (q.olderThanMinutes !== undefined) where.push(`encounter_end < now() - ($${params.push(q.olderThanMinutes)}::int * interval '1 minute')`);
    params.push(q.limit);
    const rows = await this.runtime.ds.query(
      `SELECT ${COLUMNS} FROM submissions WHERE ${where.join(' AND ')} ORDER BY deadline LIMIT $${params.length}`,
      params,
    );
    return { claims: rows };
  }

  @Get('summary')
  @ApiOperation({ summary: 'Counts by status, and deadline figures' })
  async summary() {
    const byStatus = await this.runtime.ds.query(`SELECT status, count(*)::int AS n FROM submissions WHERE kind = 'claim' GROUP BY status`);
    const checkins = await this.runtime.ds.query(`SELECT status, count(*)::int AS n FROM submissions WHERE kind = 'checkin' GROUP BY status`);
    const [deadline] = await this.runtime.ds.query(
      `SELECT count(*) FILTER (WHERE received_at IS NOT NULL AND received_at <= deadline)::int AS on_time,
              count(*) FILTER (WHERE received_at IS NOT NULL AND received_at > deadline)::int AS late,
              count(*) FILTER (WHERE missed_notified)::int AS missed_reported
       FROM submissions WHERE kind = 'claim'`,
    );
    const counts = (rows: Array<{ status: string; n: number }>) => Object.fromEntries(rows.map((r) => [r.status, r.n]));
    return { byStatus: counts(byStatus), checkinsByStatus: counts(checkins), ...deadline, circuit: this.scheduler.breaker.state, circuitOpened: this.scheduler.breaker.opened };
  }

  @Get(':facility/:maLk')
  @ApiOperation({ summary: 'Every version of a claim with the full history of gateway attempts' })
  async history(@Param('facility') facility: string, @Param('maLk') maLk: string) {
    const versions = await this.runtime.ds.query(`SELECT ${COLUMNS} FROM submissions WHERE facility_code = $1 AND ma_lk = $2 ORDER BY kind, version`, [facility, maLk]);
    if (versions.length === 0) throw new DomainError(404, 'CLAIM_UNKNOWN', 'no claim with this MA_LK at this facility');
    const attempts = await this.runtime.ds.query(
      `SELECT s.kind, s.version, a.attempt, a.started_at, a.finished_at, a.outcome, a.code, a.detail, a.ma_giao_dich
       FROM submission_attempts a JOIN submissions s ON s.id = a.submission_id
       WHERE s.facility_code = $1 AND s.ma_lk = $2 ORDER BY a.id`,
      [facility, maLk],
    );
    return { facilityCode: facility, maLk, versions, attempts };
  }

  @Post(':facility/:maLk/:version/redrive')
  @HttpCode(202)
  @ApiOperation({ summary: 'Send a failed claim (or, with ?kind=checkin, a check-in) again after the cause was fixed' })
  async redrive(@Param('facility') facility: string, @Param('maLk') maLk: string, @Param('version') version: string, @Query() query: unknown) {
    const { kind } = parseBody(KindQuery, query);
    const row = await this.runtime.ds.transaction(async (m) => {
      const found: Array<{ id: string; status: string; attempts: number; has_document: boolean }> = await m.query(
        `SELECT id, status, attempts, signed_xml_b64 IS NOT NULL AS has_document FROM submissions
         WHERE facility_code = $1 AND kind = $2 AND ma_lk = $3 AND version = $4 FOR UPDATE`,
        [facility, kind, maLk, Number(version)],
      );
      const r = found[0];
      if (!r) throw new DomainError(404, 'CLAIM_UNKNOWN', 'no such version of this MA_LK at this facility');
      if (!['REJECTED', 'NEEDS_OPERATOR'].includes(r.status)) throw new DomainError(409, 'NOT_REDRIVABLE', `only REJECTED or NEEDS_OPERATOR can be re-driven; this one is ${r.status}`);
      // The signed document is dropped once the gateway received it; a claim the gateway's
      // validation rejected needs a corrected version (a new encounter.closed), not a re-drive.
      if (!r.has_document) throw new DomainError(409, 'NOT_REDRIVABLE', 'the gateway received this version; submit a corrected version instead');
      await m.query(`UPDATE submissions SET status = 'DUE', next_attempt_at = now(), updated_at = now() WHERE id = $1`, [r.id]);
      // The audit trail next to the gateway's answers: when and from which state it was re-driven.
      // (Who: the operator's identity comes with the API's authentication, not from a header.)
      await m.query(`INSERT INTO submission_attempts (submission_id, attempt, started_at, outcome, code, detail) VALUES ($1, $2, now(), 'operator-redrive', NULL, $3)`, [
        r.id,
        r.attempts,
        `re-driven from ${r.status}`,
      ]);
      return r;
    });
    // Audit log, at warn so that no log level filters it out: identifiers only (facility,
    // MA_LK, version), no personal data.
    this.runtime.logger.warn({ audit: true, action: 'redrive', facility, kind, maLk, version: Number(version), from: row.status }, 'operator re-drove a submission');
    this.scheduler.notify();
    return { status: 'DUE', from: row.status };
  }
}
