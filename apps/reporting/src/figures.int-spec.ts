import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { Topics } from '@bhyt/contracts';
import {
  databaseUrl,
  openDatabase,
  OutboxInboxMigration1700000000000,
  ownTransaction,
} from '@bhyt/persistence';
import { buildReport, parsePeriod, Period, ReportDocument, scopeFigures, toCsv } from '@bhyt/reporting';
import { claimEvents, ev, H, KNOWN_CLAIMS, knownHistory, shuffled, t } from './known-history';
import { ReportService } from './report.service';
import { loadSummary } from './report-source';
import type { ServiceRuntime } from '@bhyt/service-kit';
import { REPORTING_MIGRATIONS } from './migrations';
import { projectMessage } from './projector';
import { truncateProjections } from './replay';
import { loadReportInputs } from './report-source';

/**
 * A known event history, fed through the projector into a real PostgreSQL database, and every
 * figure of the weekly, monthly and 6-monthly reports checked against it. The history is
 * delivered out of order, with redeliveries and a re-emitted event, and then replayed from
 * scratch in another order: the projections and reports must come out identical.
 */
jest.setTimeout(60_000);

const DB = `bhyt_reporting_int_figures_l${process.env['E2E_LANE'] ?? '0'}`;
const FACILITIES = [
  { code: '79001', name: 'BV Mẫu 1', province: '79', provinceName: 'TP Hồ Chí Minh' },
  { code: '79002', name: 'BV Mẫu 2', province: '79', provinceName: 'TP Hồ Chí Minh' },
  { code: '01001', name: 'BV Trung ương', province: '01', provinceName: 'Hà Nội' },
];
const NOW = new Date('2026-03-01T00:00:00Z');

describe('report figures from a known event history', () => {
  let ds: DataSource;
  const events = knownHistory();
  const build = async (p: Period): Promise<ReportDocument> =>
    buildReport(p, await loadReportInputs(ds, p, FACILITIES, NOW), NOW);
  const week = parsePeriod('weekly', '2026-01-08');

  beforeAll(async () => {
    const url = process.env['DATABASE_URL'];
    if (!url)
      throw new Error(
        'integration tests need the local stack: run them through `npm test` (it exports DATABASE_URL)',
      );
    const admin = new Client({ connectionString: databaseUrl(url, 'postgres') });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${DB} WITH (FORCE)`);
    await admin.end();
    ds = await openDatabase({
      url,
      database: DB,
      migrations: [OutboxInboxMigration1700000000000, ...REPORTING_MIGRATIONS],
      applicationName: 'reporting-int-figures',
    });
    // Out of order, every event twice (redelivery), and claim A's submission re-emitted under a new event id.
    const reEmitted = claimEvents(KNOWN_CLAIMS[0]!).find((m) => m.topic === Topics.claimSubmitted.name)!;
    for (const m of [...shuffled(events, 7), ...shuffled(events, 11), reEmitted])
      await projectMessage(ownTransaction(ds), m.topic, m.value);
  });

  afterAll(async () => {
    await ds?.destroy();
  });

  it('counts each facility of the week: encounters, claims, on time, rejections, delays, backlog, registrations, reads', async () => {
    const doc = await build(week);
    const a = scopeFigures(doc, { facility: '79001' })!;
    // Records A, B, C, E (E corrected once: counted in the state of its version 2).
    expect({
      encounters: a.encounters,
      interconnected: a.interconnected,
      insured: a.insuredEncounters,
      uninsured: a.uninsuredEncounters,
      closed: a.closed,
      signed: a.signed,
      submitted: a.submitted,
      onTime: a.onTime,
      accepted: a.accepted,
      rejected: a.rejected,
      missed: a.missed,
      corrections: a.corrections,
    }).toEqual({
      encounters: 4,
      interconnected: 2,
      insured: 3,
      uninsured: 1,
      closed: 4,
      signed: 3,
      submitted: 3,
      onTime: 2,
      accepted: 2,
      rejected: 1,
      missed: 0,
      corrections: 1,
    });
    expect(a.closed).toBe(a.encounters);
    expect(a.submitted).toBe(a.accepted + a.rejected);
    expect(a.onTimeRate).toBeCloseTo(2 / 3);
    expect(a.rejectionsByCode).toEqual({ XML1_MA_THE: 1, XML2_THUOC: 1 });
    // Delays of each record's first submission: 1 h (E, version 1), 2 h (A), 32.5 h (B): nearest rank.
    expect(a.delay).toEqual({ n: 3, p50Ms: 2 * H, p90Ms: 32.5 * H, p99Ms: 32.5 * H });
    expect(a.backlog).toEqual({ lt6h: 1, h6to12: 0, h12to24: 0, ge24h: 1 });
    expect(a.registrations).toEqual({ CCCD: 2, PERSONAL_ID: 0, BHYT_CARD: 1, VNEID_QR: 1 });
    expect(a.healthBookReads).toBe(2);
    expect(a.matrix.OUTPATIENT_VISIT.insured).toEqual({ encounters: 1, interconnected: 1 });
    expect(a.matrix.INPATIENT.uninsured).toEqual({ encounters: 1, interconnected: 0 });
    expect(a.matrix.OUTPATIENT_TREATMENT.insured).toEqual({ encounters: 1, interconnected: 1 });
    expect(a.matrix.TELEMEDICINE.insured).toEqual({ encounters: 1, interconnected: 0 });

    const b = scopeFigures(doc, { facility: '79002' })!;
    expect([
      b.encounters,
      b.interconnected,
      b.submitted,
      b.onTime,
      b.uninsuredEncounters,
      b.healthBookReads,
      b.delay?.p50Ms,
      b.backlogTotal,
    ]).toEqual([1, 1, 1, 1, 1, 0, 1 * H, 0]);
    expect(b.registrations.PERSONAL_ID).toBe(1);
    const g = scopeFigures(doc, { facility: '01001' })!;
    expect([g.encounters, g.closed, g.signed, g.submitted, g.rejected, g.backlogTotal, g.delay]).toEqual([
      1,
      1,
      1,
      0,
      1,
      0,
      null,
    ]);
    expect(g.rejectionsByCode).toEqual({ SIGNER_CERT: 1 });
  });

  it('adds up provinces and the total, with percentiles over all their claims', async () => {
    const doc = await build(week);
    const hcm = scopeFigures(doc, { province: '79' })!;
    expect([hcm.encounters, hcm.interconnected, hcm.submitted, hcm.onTime, hcm.backlogTotal]).toEqual([
      5, 3, 4, 3, 2,
    ]);
    expect(hcm.delay).toEqual({ n: 4, p50Ms: 1 * H, p90Ms: 32.5 * H, p99Ms: 32.5 * H }); // 1 (E), 1 (F), 2 (A), 32.5 h (B)
    const all = scopeFigures(doc, 'all')!;
    expect({
      encounters: all.encounters,
      interconnected: all.interconnected,
      closed: all.closed,
      signed: all.signed,
      submitted: all.submitted,
      onTime: all.onTime,
      accepted: all.accepted,
      rejected: all.rejected,
      reads: all.healthBookReads,
      registrations: all.registrationsTotal,
    }).toEqual({
      encounters: 6,
      interconnected: 3,
      closed: 6,
      signed: 5,
      submitted: 4,
      onTime: 3,
      accepted: 3,
      rejected: 2,
      reads: 2,
      registrations: 6,
    });
    expect(all.registrations).toEqual({ CCCD: 3, PERSONAL_ID: 1, BHYT_CARD: 1, VNEID_QR: 1 });
    expect(all.rejectionsByCode).toEqual({ SIGNER_CERT: 1, XML1_MA_THE: 1, XML2_THUOC: 1 });
    expect(doc.backlogAsOf).toBe(t('2026-01-15T00:00:00'));
  });

  it('puts each day of the week in the daily sheet by encounter end and by gateway receipt', async () => {
    const daily = (await build(week)).sheets[2]!.rows;
    expect(daily.map((r) => [r['day'], r['facility'], r['encounters'], r['submittedThatDay']])).toEqual([
      ['2026-01-08', '79001', 1, 1],
      ['2026-01-09', '79001', 1, 0],
      ['2026-01-10', '79001', 1, 2],
      ['2026-01-11', '79001', 0, 1],
      ['2026-01-12', '79002', 1, 1],
      ['2026-01-13', '01001', 1, 0],
      ['2026-01-14', '79001', 1, 0],
    ]);
  });

  it('includes the day before the week in the month, with its missed deadline', async () => {
    const month = await build(parsePeriod('monthly', '2026-01'));
    const a = scopeFigures(month, { facility: '79001' })!;
    expect([a.encounters, a.closed, a.missed, a.registrationsTotal]).toEqual([5, 5, 1, 5]);
    // The month ended long before NOW: the backlog is measured at the month's end.
    expect(a.backlog).toEqual({ lt6h: 0, h6to12: 0, h12to24: 0, ge24h: 2 });
    expect(scopeFigures(month, { facility: '79002' })!.healthBookReads).toBe(1);
  });

  it('fills the 6-monthly Annex matrix for all facilities', async () => {
    const half = await build(parsePeriod('semiannual', '2026-H1'));
    const annex = half.sheets[0]!.rows;
    const row = (label: string) => annex.find((r) => r['careType'] === label)!;
    expect(row('Khám bệnh ngoại trú')).toMatchObject({
      insuredEncounters: 2,
      insuredInterconnected: 1,
      uninsuredEncounters: 0,
      uninsuredInterconnected: 0,
    });
    expect(row('Điều trị ngoại trú')).toMatchObject({ insuredEncounters: 1, insuredInterconnected: 1 });
    expect(row('Cấp thuốc theo hẹn')).toMatchObject({ insuredEncounters: 1, insuredInterconnected: 0 });
    expect(row('Điều trị nội trú')).toMatchObject({ uninsuredEncounters: 1, uninsuredInterconnected: 0 });
    expect(row('Điều trị ban ngày')).toMatchObject({ uninsuredEncounters: 1, uninsuredInterconnected: 1 });
    expect(row('Khám chữa bệnh từ xa')).toMatchObject({ insuredEncounters: 1, insuredInterconnected: 0 });
    expect(row('Cộng')).toMatchObject({ encounters: 7, interconnected: 3 });
  });

  it('rebuilds identical projections and reports when the history is replayed from scratch in another order', async () => {
    const snapshot = async () => ({
      facts: await ds.query(`SELECT * FROM claim_facts ORDER BY facility_code, ma_lk, version`),
      registrations: await ds.query(`SELECT * FROM registrations ORDER BY visit_id`),
      reads: await ds.query(
        `SELECT facility_code, reader_role, purpose, read_at FROM health_book_reads ORDER BY read_at`,
      ),
      csv: [toCsv(await build(week)), toCsv(await build(parsePeriod('semiannual', '2026-H1')))],
    });
    const before = await snapshot();
    await truncateProjections(ds);
    expect(await ds.query(`SELECT count(*)::int AS n FROM claim_facts`)).toEqual([{ n: 0 }]);
    for (const m of shuffled(events, 23)) await projectMessage(ownTransaction(ds), m.topic, m.value);
    expect(await snapshot()).toEqual(before);
  });

  it('never reports a negative closed → submitted latency, measured between the platform’s own clocks', async () => {
    // The gateway's receivedAt (its clock) is 2 minutes before the close (ours); gateway-sync
    // recorded the acceptance 3 minutes after the close.
    const closed = '2026-02-02T10:00:00';
    const msgs = claimEvents({
      facility: '79002',
      maLk: 'SKEW',
      careType: 'OUTPATIENT_VISIT',
      insured: true,
      end: '2026-02-02T09:00:00',
      closed,
      signed: '2026-02-02T10:00:30',
    });
    const submitted = ev(Topics.claimSubmitted.name, '79002', 'SKEW', {
      facilityCode: '79002',
      maLk: 'SKEW',
      version: 1,
      careType: 'OUTPATIENT_VISIT',
      maGiaoDich: 'GD-SKEW',
      receivedAt: t('2026-02-02T09:58:00'),
      encounterEnd: t('2026-02-02T09:00:00'),
      deadline: t('2026-02-03T09:00:00'),
      onTime: true,
      attempts: 1,
    });
    const recordedAt = new Date(Date.parse(t(closed)) + 3 * 60_000);
    const value = JSON.stringify({ ...JSON.parse(submitted.value), occurredAt: recordedAt.toISOString() });
    for (const m of [...msgs, { topic: submitted.topic, value }])
      await projectMessage(ownTransaction(ds), m.topic, m.value);
    const summary = await loadSummary(ds, { facility: '79002', province: null }, '2026-02-02', '2026-02-02');
    expect(
      summary.claims.map((c: Record<string, unknown>) => [
        c['submitted'],
        Number(c['p50_closed_to_submitted_ms']),
      ]),
    ).toEqual([[1, 3 * 60_000]]);
    // The summary counts records by the reports' rule: A, B, C, E (E corrected once).
    const week = await loadSummary(ds, { facility: '79001', province: null }, '2026-01-08', '2026-01-14');
    expect(
      week.claims.map((c: Record<string, unknown>) => [
        c['closed'],
        c['submitted'],
        c['accepted'],
        c['rejected'],
        c['corrections'],
      ]),
    ).toEqual([[4, 3, 2, 1, 1]]);
    const all = await loadSummary(ds, { facility: null, province: null }, '2026-01-01', '2026-02-28');
    for (const c of all.claims as Array<Record<string, unknown>>)
      expect(Number(c['p50_closed_to_submitted_ms'] ?? 0)).toBeGreaterThanOrEqual(0);
  });

  it('regenerates a download whose generation predates events of its period, and serves a current one as stored', async () => {
    const runtime = {
      ds,
      facilities: {
        list: () => FACILITIES.map((f) => ({ code: f.code, name: f.name, province: f.province })),
      },
      logger: { info: () => undefined },
    } as unknown as ServiceRuntime;
    // The history's events were recorded at the real clock: generate after them.
    const day = 86_400_000;
    const localAt = (ms: number) => new Date(ms + 7 * 3600_000).toISOString().slice(0, 19);
    const reports = new ReportService(runtime, () => new Date(Date.now() + day));
    const period = parsePeriod('weekly', '2026-01-08');
    const first = await reports.generate(period, 'page');
    expect((await reports.currentOrGenerate(period, 'page')).id).toBe(first.id);
    // A correction of claim A arrives after that generation: the download is regenerated.
    const correction = claimEvents({
      facility: '79001',
      maLk: 'A',
      version: 2,
      careType: 'OUTPATIENT_VISIT',
      insured: true,
      end: '2026-01-08T10:00:00',
      closed: localAt(Date.now() + 2 * day),
    });
    for (const m of correction) await projectMessage(ownTransaction(ds), m.topic, m.value);
    const again = await new ReportService(runtime, () => new Date(Date.now() + 3 * day)).currentOrGenerate(
      period,
      'page',
    );
    expect(again.id).not.toBe(first.id);
  });
});
