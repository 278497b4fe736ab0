import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { Services } from '@bhyt/contracts';
import {
  Figures,
  localDay,
  nearestRank,
  periodContaining,
  Period,
  ReportDocument,
  scopeFigures,
} from '@bhyt/reporting';
import { runDemo, DemoEncounter } from '../../tools/platform/demo';
import { ROOT } from '../../tools/platform/processes';
import { requireStackEnv, startTestPlatform, TestPlatform, waitFor } from '../support/harness';

jest.setTimeout(300_000);

/**
 * The reports from the demo's real events: every figure of the weekly, monthly and 6-monthly
 * reports equals what the other services' own databases say (intake's visits, encounter's
 * versions, signer's signed claims, gateway-sync's submissions); a replay through Kafka rebuilds
 * identical projections; the scheduler generated each kind once.
 */
const FACILITIES = ['79001', '01001', '48001'];

interface Truth {
  visits: Array<{
    facility_code: string;
    identifier_type: string;
    care_type: string;
    insured: boolean;
    registered_at: Date;
    ma_lk: string;
  }>;
  versions: Array<{ facility_code: string; ma_lk: string; version: number }>;
  signed: Array<{ facility_code: string; ma_lk: string; version: number }>;
  submissions: Array<{
    facility_code: string;
    ma_lk: string;
    version: number;
    status: string;
    encounter_end: Date;
    deadline: Date;
    received_at: Date | null;
    last_code: string | null;
  }>;
  reads: Array<{ facility_code: string; read_at: Date }>;
}

/** The figures of a scope and period, recounted from the other services' databases. */
function expected(truth: Truth, period: Period, inScope: (facility: string) => boolean) {
  const inPeriod = (d: Date) => localDay(d) >= period.from && localDay(d) <= period.to;
  const visitByLk = new Map(truth.visits.map((v) => [v.ma_lk, v]));
  const subs = truth.submissions.filter((s) => inScope(s.facility_code) && inPeriod(s.encounter_end));
  const lks = new Set(subs.map((s) => s.ma_lk));
  // One rule: each record (MA_LK) once, in the state of its latest version; delays of its first submission.
  const latestVersion = new Map<string, number>();
  for (const v of truth.versions)
    if (lks.has(v.ma_lk)) latestVersion.set(v.ma_lk, Math.max(latestVersion.get(v.ma_lk) ?? 0, v.version));
  const latest = subs.filter((s) => s.version === latestVersion.get(s.ma_lk));
  const submitted = latest.filter((s) => s.received_at);
  const firstSubmitted = [...lks]
    .map((lk) => subs.filter((s) => s.ma_lk === lk && s.received_at).sort((a, b) => a.version - b.version)[0])
    .filter((s) => s !== undefined);
  const registrations: Record<string, number> = { CCCD: 0, PERSONAL_ID: 0, BHYT_CARD: 0, VNEID_QR: 0 };
  for (const v of truth.visits.filter((x) => inScope(x.facility_code) && inPeriod(x.registered_at)))
    registrations[v.identifier_type]! += 1;
  const delays = firstSubmitted.map((s) => s.received_at!.getTime() - s.encounter_end.getTime());
  const byCare: Record<string, { insured: number; uninsured: number; interconnected: number }> = {};
  for (const lk of lks) {
    const v = visitByLk.get(lk)!;
    const cell = (byCare[v.care_type] ??= { insured: 0, uninsured: 0, interconnected: 0 });
    cell[v.insured ? 'insured' : 'uninsured'] += 1;
    if (subs.some((s) => s.ma_lk === lk && s.status === 'ACCEPTED')) cell.interconnected += 1;
  }
  return {
    encounters: lks.size,
    closed: latestVersion.size,
    signed: truth.signed.filter((v) => latestVersion.get(v.ma_lk) === v.version).length,
    submitted: submitted.length,
    onTime: submitted.filter((s) => s.received_at!.getTime() <= s.deadline.getTime()).length,
    accepted: latest.filter((s) => s.status === 'ACCEPTED').length,
    rejected: latest.filter((s) => s.status === 'REJECTED').length,
    registrations,
    delay: delays.length
      ? {
          n: delays.length,
          p50Ms: nearestRank(delays, 0.5),
          p90Ms: nearestRank(delays, 0.9),
          p99Ms: nearestRank(delays, 0.99),
        }
      : null,
    byCare,
    healthBookReads: truth.reads.filter((r) => inScope(r.facility_code) && inPeriod(r.read_at)).length,
  };
}

function actual(f: Figures) {
  const byCare: Record<string, { insured: number; uninsured: number; interconnected: number }> = {};
  for (const [care, m] of Object.entries(f.matrix)) {
    if (m.insured.encounters + m.uninsured.encounters === 0) continue;
    byCare[care] = {
      insured: m.insured.encounters,
      uninsured: m.uninsured.encounters,
      interconnected: m.insured.interconnected + m.uninsured.interconnected,
    };
  }
  return {
    encounters: f.encounters,
    closed: f.closed,
    signed: f.signed,
    submitted: f.submitted,
    onTime: f.onTime,
    accepted: f.accepted,
    rejected: f.rejected,
    registrations: f.registrations,
    delay: f.delay,
    byCare,
    healthBookReads: f.healthBookReads,
  };
}

describe('reports from the demo equal the services’ own records', () => {
  let t: TestPlatform;
  let demo: DemoEncounter[];
  let url: string;
  let truth: Truth;
  const periods = () =>
    (['weekly', 'monthly', 'semiannual'] as const).map((k) => periodContaining(k, localDay(new Date())));
  const fetchDoc = async (p: Period, regenerate = false): Promise<ReportDocument> => {
    if (regenerate)
      expect(
        (await t.fetchAs('sre', `${url}/v1/reports/${p.kind}/${p.key}/regenerate`, { method: 'POST' }))
          .status,
      ).toBe(201);
    const res = await t.fetchAs('sre', `${url}/v1/reports/${p.kind}/${p.key}`);
    expect(res.status).toBe(200);
    return ((await res.json()) as { document: ReportDocument }).document;
  };
  const projectionSnapshot = async () => ({
    facts: await t.query('reporting', `SELECT * FROM claim_facts ORDER BY facility_code, ma_lk, version`),
    registrations: await t.query('reporting', `SELECT * FROM registrations ORDER BY visit_id`),
    reads: await t.query(
      'reporting',
      `SELECT facility_code, reader_role, purpose, read_at FROM health_book_reads ORDER BY read_at, facility_code`,
    ),
  });

  beforeAll(async () => {
    t = await startTestPlatform('e2e_reporting_figures', 700);
    url = t.platform.url('reporting');
    demo = await runDemo({
      intakeUrl: t.platform.url('intake'),
      encounterUrl: t.platform.url('encounter'),
      simulatorUrl: t.platform.url('gatewaySimulator'),
      facilities: FACILITIES,
      encounters: 16,
      concurrency: 4,
    });
    // Every claim version settled at gateway-sync (accepted or rejected), and every outcome projected by reporting.
    const settled = await waitFor('gateway-sync settles every claim', async () => {
      const [r] = await t.query<{ lks: number; open: number; done: number }>(
        'gatewaySync',
        `SELECT count(DISTINCT ma_lk)::int AS lks, count(*) FILTER (WHERE status NOT IN ('ACCEPTED', 'REJECTED'))::int AS open, count(*) FILTER (WHERE status IN ('ACCEPTED', 'REJECTED'))::int AS done FROM submissions WHERE kind = 'claim'`,
      );
      return r!.lks >= demo.filter((d) => d.closedAt).length && r!.open === 0 ? r! : undefined;
    });
    await waitFor('reporting projects every outcome', async () => {
      const [r] = await t.query<{ n: number }>(
        'reporting',
        `SELECT count(*)::int AS n FROM claim_facts WHERE (accepted_at IS NOT NULL OR rejected_at IS NOT NULL) AND closed_at IS NOT NULL AND signed_at IS NOT NULL`,
      );
      return r!.n >= settled.done ? true : undefined;
    });
    truth = {
      visits: await t.query(
        'intake',
        `SELECT facility_code, identifier_type, care_type, insured, registered_at, ma_lk FROM visits`,
      ),
      versions: await t.query('encounter', `SELECT facility_code, ma_lk, version FROM encounter_versions`),
      signed: await t.query('signer', `SELECT facility_code, ma_lk, version FROM signed_claims`),
      submissions: await t.query(
        'gatewaySync',
        `SELECT facility_code, ma_lk, version, status, encounter_end, deadline, received_at, last_code FROM submissions WHERE kind = 'claim'`,
      ),
      reads: await t.query(
        'encounter',
        `SELECT facility_code, read_at FROM health_book_reads WHERE outcome = 'GRANTED'`,
      ),
    };
  });

  afterAll(async () => {
    await t?.stop();
  });

  it('plays the demo without errors', () => {
    expect(demo.filter((d) => d.error).map((d) => d.error)).toEqual([]);
    expect(new Set(truth.submissions.map((s) => s.ma_lk))).toEqual(new Set(demo.map((d) => d.maLk)));
  });

  it('reports, for every facility, province and in total, the figures of the services’ databases', async () => {
    for (const period of periods()) {
      const doc = await fetchDoc(period, true);
      expect(doc.period).toEqual(period);
      const scopes: Array<[Parameters<typeof scopeFigures>[1], (f: string) => boolean]> = [
        ...FACILITIES.map((f): [Parameters<typeof scopeFigures>[1], (x: string) => boolean] => [
          { facility: f },
          (x) => x === f,
        ]),
        [{ province: '79' }, (x) => x.startsWith('79')],
        ['all', () => true],
      ];
      for (const [scope, inScope] of scopes) {
        const figures = scopeFigures(doc, scope);
        expect({ period: period.kind, scope, ...actual(figures!) }).toEqual({
          period: period.kind,
          scope,
          ...expected(truth, period, inScope),
        });
        // Everything settled: nothing is waiting.
        expect(figures!.backlogTotal).toBe(0);
      }
    }
  });

  it('serves the stored XLSX and CSV of a period with the same figures', async () => {
    const month = periods()[1]!;
    const all = expected(truth, month, () => true);
    const xlsx = await t.fetchAs('sre', `${url}/v1/reports/monthly/${month.key}?format=xlsx`);
    expect(xlsx.headers.get('content-type')).toContain('spreadsheetml');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(Buffer.from(await xlsx.arrayBuffer()) as never);
    const ws = wb.getWorksheet('Tổng hợp')!;
    const headings = (ws.getRow(4).values as unknown[]).slice(1);
    const total = [...Array(ws.rowCount).keys()]
      .map((i) => ws.getRow(i + 1))
      .find((r) => r.getCell(2).value === 'Tổng cộng')!;
    expect(total.getCell(headings.indexOf('Hồ sơ đã gửi cổng') + 1).value).toBe(all.submitted);
    expect(total.getCell(headings.indexOf('Cổng tiếp nhận hợp lệ') + 1).value).toBe(all.accepted);
    const csv = await (await t.fetchAs('sre', `${url}/v1/reports/monthly/${month.key}?format=csv`)).text();
    const lines = csv
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\r\n')
      .map((l) => l.split(','));
    const col = lines[0]!.indexOf('Gửi đúng hạn');
    expect(Number(lines.find((l) => l[1] === 'Tổng cộng')![col])).toBe(all.onTime);
  });

  it('says the projections are up to date once every event in Kafka has been applied', async () => {
    const fresh = await waitFor('projection lag to reach zero', async () => {
      const body = (await (await t.fetchAs('sre', `${url}/v1/reports/freshness`)).json()) as {
        projectionLag: number;
        upToDate: boolean;
      };
      return body.upToDate ? body : undefined;
    });
    expect(fresh.projectionLag).toBe(0);
    expect((await t.fetchAs('ward-79001', `${url}/v1/reports/freshness`)).status).toBe(403);
  });

  it('refuses a malformed period with a field error', async () => {
    const res = await t.fetchAs('sre', `${url}/v1/reports/monthly/2026-13`);
    expect(res.status).toBe(422);
    expect(((await res.json()) as { errors: Array<{ field: string }> }).errors[0]!.field).toBe('period');
  });

  it('has generated the latest scheduled weekly, monthly and 6-monthly reports once each', async () => {
    const list = (
      (await (await t.fetchAs('sre', `${url}/v1/reports`)).json()) as {
        reports: Array<{ kind: string; trigger: string }>;
      }
    ).reports;
    const scheduled = list
      .filter((r) => r.trigger === 'scheduler')
      .map((r) => r.kind)
      .sort();
    expect(scheduled).toEqual(['monthly', 'semiannual', 'weekly']);
  });

  it('rebuilds identical projections and reports after a replay through Kafka', async () => {
    const before = await projectionSnapshot();
    const weekBefore = await fetchDoc(periods()[0]!, true);
    await t.platform.get('reporting').stop();
    const { databaseUrl, brokers } = requireStackEnv();
    execFileSync(process.execPath, [join(ROOT, 'dist/apps/reporting/src/replay.js')], {
      env: {
        ...process.env,
        DATABASE_URL: databaseUrl,
        DATABASE_NAME: `${Services.reporting.database}${t.suffix}`,
        KAFKA_BROKERS: brokers,
        KAFKA_NAMESPACE: t.namespace,
      },
      stdio: 'pipe',
    });
    expect(await t.query('reporting', `SELECT count(*)::int AS n FROM claim_facts`)).toEqual([{ n: 0 }]);
    t.platform.get('reporting').start();
    await t.platform.get('reporting').waitReady();
    const after = await waitFor(
      'the replay to catch up',
      async () => {
        const s = await projectionSnapshot();
        return JSON.stringify(s) === JSON.stringify(before) ? s : undefined;
      },
      90_000,
    );
    expect(after).toEqual(before);
    const weekAfter = await fetchDoc(periods()[0]!, true);
    expect(weekAfter.scopes).toEqual(weekBefore.scopes);
    // The restart did not generate the scheduled reports again.
    const list = (
      (await (await t.fetchAs('sre', `${url}/v1/reports`)).json()) as { reports: Array<{ trigger: string }> }
    ).reports;
    expect(list.filter((r) => r.trigger === 'scheduler')).toHaveLength(3);
  });
});
