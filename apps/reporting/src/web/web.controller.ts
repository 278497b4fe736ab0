import { Body, Controller, Get, HttpCode, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import {
  daysOf,
  localDay,
  parsePeriod,
  Period,
  periodContaining,
  periodLabel,
  previousPeriod,
  REPORT_KINDS,
} from '@bhyt/reporting';
import { ReportService } from '../report.service';
import { dashboardPage, DownloadLink, loginPage } from './page';
import { clearedSessionCookie, sessionCookie, sessionToken, WebAuth } from './web-auth';

const KIND_LABEL = {
  weekly: 'Báo cáo tuần Đề án 06',
  monthly: 'Báo cáo tháng',
  semiannual: 'Báo cáo 6 tháng gửi Bộ Y tế',
} as const;

/** The department's web page (server-rendered HTML), behind its own login. */
@ApiExcludeController()
@Controller('ui')
export class WebController {
  constructor(
    private readonly auth: WebAuth,
    private readonly reports: ReportService,
  ) {}

  private async user(req: Request, res: Response): Promise<string | undefined> {
    const user = await this.auth.user(sessionToken(req.headers.cookie));
    if (!user) res.redirect(303, '/ui/login');
    return user;
  }

  @Get('login')
  loginForm(@Res() res: Response) {
    res.type('html').send(loginPage());
  }

  @Post('login')
  @HttpCode(200)
  async login(@Body() body: Record<string, unknown>, @Req() req: Request, @Res() res: Response) {
    const token = await this.auth.login(String(body?.['username'] ?? ''), String(body?.['password'] ?? ''));
    if (!token) return void res.status(401).type('html').send(loginPage('Sai tên đăng nhập hoặc mật khẩu.'));
    res.setHeader('Set-Cookie', sessionCookie(token, req.secure));
    res.redirect(303, '/ui');
  }

  @Post('logout')
  async logout(@Req() req: Request, @Res() res: Response) {
    await this.auth.logout(sessionToken(req.headers.cookie));
    res.setHeader('Set-Cookie', clearedSessionCookie);
    res.redirect(303, '/ui/login');
  }

  @Get()
  async dashboard(
    @Query('kind') kind: string | undefined,
    @Query('period') key: string | undefined,
    @Req() req: Request,
    @Res() res: Response,
  ) {
    const user = await this.user(req, res);
    if (!user) return;
    let period: Period;
    try {
      period = key
        ? parsePeriod(kind ?? 'monthly', key)
        : periodContaining(
            REPORT_KINDS.includes(kind as never) ? (kind as Period['kind']) : 'monthly',
            localDay(new Date()),
          );
    } catch (err) {
      return void res
        .status(422)
        .type('text')
        .send(err instanceof Error ? err.message : 'invalid period');
    }
    const { doc, inputs } = await this.reports.buildWithInputs(period);
    const series = daysOf(period).map((day) => {
      const rows = inputs.submissionDays.filter((r) => r.day === day);
      return {
        day,
        submitted: rows.reduce((a, r) => a + r.submitted, 0),
        onTime: rows.reduce((a, r) => a + r.onTime, 0),
      };
    });
    const stored = await this.reports.list(500);
    const today = localDay(new Date());
    const downloads: DownloadLink[] = REPORT_KINDS.flatMap((k) => {
      const current = periodContaining(k, today);
      return [previousPeriod(current), current].map((p) => ({
        label: `${KIND_LABEL[k]} — ${periodLabel(p)}`,
        kind: k,
        key: p.key,
        generatedAt: stored.find((s) => s.kind === k && s.periodKey === p.key)?.generatedAt,
      }));
    });
    res.type('html').send(dashboardPage({ user, period, doc, series, downloads }));
  }

  @Get('reports/:kind/:file')
  async download(
    @Param('kind') kind: string,
    @Param('file') file: string,
    @Req() req: Request,
    @Res() res: Response,
  ) {
    if (!(await this.user(req, res))) return;
    const m = /^(.+)\.(xlsx|csv)$/.exec(file);
    let period: Period;
    try {
      if (!m) throw new RangeError('file must be <period>.xlsx or <period>.csv');
      period = parsePeriod(kind, m[1]!);
    } catch (err) {
      return void res
        .status(422)
        .type('text')
        .send(err instanceof Error ? err.message : 'invalid period');
    }
    const r = await this.reports.currentOrGenerate(period, 'page');
    sendReport(res, r, m[2] as 'xlsx' | 'csv');
  }

  @Post('reports/:kind/:key/regenerate')
  async regenerate(
    @Param('kind') kind: string,
    @Param('key') key: string,
    @Req() req: Request,
    @Res() res: Response,
  ) {
    if (!(await this.user(req, res))) return;
    try {
      await this.reports.generate(parsePeriod(kind, key), 'page');
    } catch (err) {
      if (err instanceof RangeError) return void res.status(422).type('text').send(err.message);
      throw err;
    }
    res.redirect(303, '/ui');
  }
}

export const reportFileName = (kind: string, key: string, format: string) =>
  `bao-cao-${kind}-${key}.${format}`;

export function sendReport(
  res: Response,
  r: { kind: string; periodKey: string; xlsx: Buffer; csv: string; generatedAt: string },
  format: 'xlsx' | 'csv',
) {
  res.setHeader(
    'Content-Disposition',
    `attachment; filename="${reportFileName(r.kind, r.periodKey, format)}"`,
  );
  res.setHeader('X-Report-Generated-At', r.generatedAt);
  if (format === 'xlsx')
    res.type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet').send(r.xlsx);
  else res.type('text/csv; charset=utf-8').send(r.csv);
}
