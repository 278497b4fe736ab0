import { Controller, ForbiddenException, Get, Inject, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { z } from 'zod';
import { allowedScope, AuthenticatedRequest, DataScope } from '@bhyt/auth';
import { parsePeriod, Period, restrictReport, toCsv, toXlsx } from '@bhyt/reporting';
import { parseBody, ServiceRuntime, ValidationFailed } from '@bhyt/service-kit';
import { ReportService } from './report.service';
import { loadSummary } from './report-source';
import { sendReport } from './web/web.controller';

/** Injection token of the projection-lag probe (projection-lag.ts; a stub in tests). */
export const PROJECTION_LAG = Symbol('PROJECTION_LAG');
export type ProjectionLagProbe = () => Promise<number>;

const Period = z.object({
  facility: z
    .string()
    .regex(/^\d{5}$/)
    .optional(),
  from: z.iso.date().optional(),
  to: z.iso.date().optional(),
});

/**
 * The scope the caller may see, from the decision the global guard took for this request.
 * Without an allowing decision the answer is refused rather than served whole: the guard runs
 * before every route here, so this happens only if it was bypassed.
 */
export function readerScope(req: AuthenticatedRequest): DataScope {
  const d = req.access;
  if (!d?.allow)
    throw new ForbiddenException({
      error: 'FORBIDDEN',
      code: 'NO_SCOPE',
      message: 'no access decision for this request',
    });
  return allowedScope(d);
}

/**
 * Compliance figures per facility, computed from the projections (Asia/Ho_Chi_Minh days). Every
 * figure is cut at this edge to the caller's scope: a provincial officer reads the province's
 * facilities and total, facility IT its facility, SRE everything (and one facility if it names one).
 */
@ApiTags('reports')
@Controller('v1/reports')
export class ReportsController {
  constructor(
    private readonly runtime: ServiceRuntime,
    private readonly reports: ReportService,
    @Inject(PROJECTION_LAG) private readonly lag: ProjectionLagProbe,
  ) {}

  @Get('freshness')
  @ApiOperation({
    summary:
      'Whether the projections have applied every event already in Kafka: a report generated while projectionLag > 0 would miss events that have happened',
  })
  async freshness() {
    const projectionLag = await this.lag();
    return { projectionLag, upToDate: projectionLag === 0, checkedAt: new Date().toISOString() };
  }

  @Get()
  @ApiOperation({
    summary:
      'Generated reports, newest first: kind, period, generation time, trigger (no figures, so the same for every caller)',
  })
  async list() {
    return { reports: await this.reports.list() };
  }

  @Get(':kind/:period')
  @ApiOperation({
    summary:
      'The latest generation of a weekly (any day of the week), monthly (YYYY-MM) or 6-monthly (YYYY-H1|H2) report, cut to the caller’s province or facility; generated first if it never was. ?format=json|xlsx|csv',
  })
  async fetch(
    @Param('kind') kind: string,
    @Param('period') key: string,
    @Query('format') format: string | undefined,
    @Req() req: AuthenticatedRequest,
    @Res() res: Response,
  ) {
    const scope = readerScope(req);
    const period = periodParam(kind, key);
    const f = parseBody(z.enum(['json', 'xlsx', 'csv']).default('json'), format);
    const r = await this.reports.currentOrGenerate(period, 'api');
    const document = restrictReport(r.document, scope);
    if (f === 'json')
      return void res.json({
        id: r.id,
        kind: r.kind,
        periodKey: r.periodKey,
        from: r.from,
        to: r.to,
        generatedAt: r.generatedAt,
        trigger: r.trigger,
        scope,
        document,
      });
    // The stored files are the network-wide report; a scoped caller's are written from its document.
    if (scope === 'all') return void sendReport(res, r, f);
    sendReport(
      res,
      {
        ...r,
        xlsx: f === 'xlsx' ? await toXlsx(document) : Buffer.alloc(0),
        csv: f === 'csv' ? toCsv(document) : '',
      },
      f,
    );
  }

  @Post(':kind/:period/regenerate')
  @ApiOperation({ summary: 'Generate a period anew from the projections (earlier generations are kept)' })
  async regenerate(@Param('kind') kind: string, @Param('period') key: string) {
    return this.reports.generate(periodParam(kind, key), 'api');
  }

  @Get('summary')
  @ApiOperation({
    summary:
      'Registrations and claims per facility of the caller’s scope (province, facility or all): closed, signed, submitted, on time, accepted, rejected',
  })
  async summary(@Query() query: unknown, @Req() req: AuthenticatedRequest) {
    const scope = readerScope(req);
    const q = parseBody(Period, query);
    // The facility and province filters come from the caller's scope, not from the query alone.
    const facility = scope !== 'all' && 'facility' in scope ? scope.facility : null;
    const province = scope !== 'all' && 'province' in scope ? scope.province : null;
    return loadSummary(this.runtime.ds, { facility, province }, q.from ?? '1970-01-01', q.to ?? '9999-12-31');
  }
}

function periodParam(kind: string, key: string): Period {
  try {
    return parsePeriod(kind, key);
  } catch (err) {
    throw new ValidationFailed([
      {
        field: 'period',
        code: 'INVALID_PERIOD',
        message: err instanceof Error ? err.message : 'invalid period',
      },
    ]);
  }
}
