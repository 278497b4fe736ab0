import { Controller, Get, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { parseBody, ServiceRuntime } from '@bhyt/service-kit';

const Period = z.object({
  facility: z.string().regex(/^\d{5}$/).optional(),
  from: z.iso.date().optional(),
  to: z.iso.date().optional(),
});

/** Compliance figures per facility, computed from the projections (Asia/Ho_Chi_Minh days). */
@ApiTags('reports')
@Controller('v1/reports')
export class ReportsController {
  constructor(private readonly runtime: ServiceRuntime) {}

  @Get('summary')
  @ApiOperation({ summary: 'Registrations and claims per facility: closed, signed, submitted, on time, accepted, rejected' })
  async summary(@Query() query: unknown) {
    const q = parseBody(Period, query);
    const params: unknown[] = [q.facility ?? null, q.from ?? '1970-01-01', q.to ?? '9999-12-31'];
    const claims = await this.runtime.ds.query(
      `SELECT facility_code,
              count(*) FILTER (WHERE closed_at IS NOT NULL)::int AS closed,
              count(*) FILTER (WHERE signed_at IS NOT NULL)::int AS signed,
              count(*) FILTER (WHERE submitted_at IS NOT NULL)::int AS submitted,
              count(*) FILTER (WHERE on_time)::int AS on_time,
              count(*) FILTER (WHERE accepted_at IS NOT NULL)::int AS accepted,
              count(*) FILTER (WHERE rejected_at IS NOT NULL)::int AS rejected,
              count(*) FILTER (WHERE missed_at IS NOT NULL)::int AS deadline_missed,
              percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM submitted_at - closed_at) * 1000) AS p50_closed_to_submitted_ms,
              percentile_cont(0.99) WITHIN GROUP (ORDER BY extract(epoch FROM submitted_at - closed_at) * 1000) AS p99_closed_to_submitted_ms
       FROM claim_facts
       WHERE ($1::text IS NULL OR facility_code = $1)
         AND (encounter_end AT TIME ZONE 'Asia/Ho_Chi_Minh')::date BETWEEN $2::date AND $3::date
       GROUP BY facility_code ORDER BY facility_code`,
      params,
    );
    const registrations = await this.runtime.ds.query(
      `SELECT facility_code, identifier_type, care_type, insured, count(*)::int AS n
       FROM registrations
       WHERE ($1::text IS NULL OR facility_code = $1)
         AND (registered_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date BETWEEN $2::date AND $3::date
       GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4`,
      params,
    );
    return { period: { from: params[1], to: params[2] }, claims, registrations };
  }
}
