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
  olderThanMinutes: z.coerce.number().int().min(0).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});

const COLUMNS = `id, facility_code, ma_lk, version, care_type, status, attempts, encounter_end, deadline, next_attempt_at,
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
    const where: string[] = [];
    const params: unknown[] = [];
    if (q.facility) where.push(`facility_code = $${params.push(q.facility)}`);
    if (q.maLk) where.push(`ma_lk = $${params.push(q.maLk)}`);
    if (q.status) where.push(`status = $${params.push(q.status)}`);
    if (q.olderThanMinutes !== undefined) where.push(`encounter_end < now() - ($${params.push(q.olderThanMinutes)}::int * interval '1 minute')`);
    params.push(q.limit);
    const rows = await this.runtime.ds.query(
      `SELECT ${COLUMNS} FROM submissions ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY deadline LIMIT $${params.length}`,
      params,
    );
    return { claims: rows };
  }

  @Get('summary')
  @ApiOperation({ summary: 'Counts by status, and deadline figures' })
  async summary() {
    const byStatus = await this.runtime.ds.query(`SELECT status, count(*)::int AS n FROM submissions GROUP BY status`);
    const [deadline] = await this.runtime.ds.query(
      `SELECT count(*) FILTER (WHERE received_at IS NOT NULL AND received_at <= deadline)::int AS on_time,
              count(*) FILTER (WHERE received_at IS NOT NULL AND received_at > deadline)::int AS late,
              count(*) FILTER (WHERE missed_notified)::int AS missed_reported
       FROM submissions`,
    );
    return { byStatus: Object.fromEntries(byStatus.map((r: { status: string; n: number }) => [r.status, r.n])), ...deadline, circuit: this.scheduler.breaker.state };
  }

  @Get(':facility/:maLk')
  @ApiOperation({ summary: 'Every version of a claim with the full history of gateway attempts' })
  async history(@Param('facility') facility: string, @Param('maLk') maLk: string) {
    const versions = await this.runtime.ds.query(`SELECT ${COLUMNS} FROM submissions WHERE facility_code = $1 AND ma_lk = $2 ORDER BY version`, [facility, maLk]);
    if (versions.length === 0) throw new DomainError(404, 'CLAIM_UNKNOWN', 'no claim with this MA_LK at this facility');
    const attempts = await this.runtime.ds.query(
      `SELECT s.version, a.attempt, a.started_at, a.finished_at, a.outcome, a.code, a.detail, a.ma_giao_dich
       FROM submission_attempts a JOIN submissions s ON s.id = a.submission_id
       WHERE s.facility_code = $1 AND s.ma_lk = $2 ORDER BY a.id`,
      [facility, maLk],
    );
    return { facilityCode: facility, maLk, versions, attempts };
  }

  @Post(':facility/:maLk/:version/redrive')
  @HttpCode(202)
  @ApiOperation({ summary: 'Send a failed claim again (after the cause was fixed)' })
  async redrive(@Param('facility') facility: string, @Param('maLk') maLk: string, @Param('version') version: string) {
    const rows = await this.runtime.ds.query(
      `UPDATE submissions SET status = CASE WHEN signed_xml_b64 IS NULL THEN status ELSE 'DUE' END, next_attempt_at = now(), updated_at = now()
       WHERE facility_code = $1 AND ma_lk = $2 AND version = $3 AND status IN ('REJECTED', 'NEEDS_OPERATOR')
       RETURNING id, status`,
      [facility, maLk, Number(version)],
    );
    const row = (rows[0] as Array<{ status: string }>)[0];
    if (!row) throw new DomainError(409, 'NOT_REDRIVABLE', 'only REJECTED or NEEDS_OPERATOR claims can be re-driven');
    this.runtime.logger.info({ facility, action: 'redrive' }, 'operator re-drove a claim');
    this.scheduler.notify();
    return { status: row.status };
  }
}
