import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { Client } from 'pg';
import { Browser, BrowserContext, chromium, Page } from 'playwright-core';
import { allTopics, Services } from '@bhyt/contracts';
import { createKafka, deleteNamespaceTopics, ensureTopics, physicalTopic } from '@bhyt/messaging';
import { databaseUrl } from '@bhyt/persistence';
import { axisMax, CHART, chartSlots } from '../../apps/reporting/src/web/chart';
import { knownHistory } from '../../apps/reporting/src/known-history';
import { projectionLag } from '../../apps/reporting/src/projection-lag';
import { ServiceProcess } from '../../tools/platform/processes';
import { lanePortOffset, laneSuffix, requireStackEnv, waitFor } from '../support/harness';

jest.setTimeout(180_000);

/**
 * The provincial department's page in headless Chromium (Debian's package, driven by
 * playwright-core): login, the compliance table, the chart of daily submissions checked pixel by
 * pixel, and the downloads. The reporting service runs alone on its own Kafka namespace and
 * database and is fed a known event history (January 2026), so that every figure and every bar
 * is known in advance.
 */
/** The few browser APIs the pixel check uses (the test compiles without the DOM library). */
interface BrowserGlobals {
  Image: new () => { src: string; width: number; height: number; decode(): Promise<void> };
  document: {
    createElement(tag: 'canvas'): {
      width: number;
      height: number;
      getContext(kind: '2d'): {
        drawImage(img: unknown, x: number, y: number): void;
        getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray };
      };
    };
  };
}

const NAME = 'e2e_reporting_page';
const PORT_OFFSET = 710;
const USER = 'soyte';
const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

describe('the department’s compliance page', () => {
  const { databaseUrl: dbUrl, brokers } = requireStackEnv();
  const namespace = `${NAME}-${randomBytes(3).toString('hex')}.`;
  const kafka = createKafka({ brokers: brokers.split(','), clientId: 'bhyt-e2e-reporting-page' });
  const password = randomBytes(12).toString('base64url');
  let reporting: ServiceProcess;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let url: string;

  beforeAll(async () => {
    const admin = new Client({ connectionString: databaseUrl(dbUrl, 'postgres') });
    await admin.connect();
    await admin.query(
      `DROP DATABASE IF EXISTS ${Services.reporting.database}${laneSuffix(NAME)} WITH (FORCE)`,
    );
    await admin.end();
    await ensureTopics(kafka, allTopics(), namespace);
    const passwordFile = join(mkdtempSync(join(tmpdir(), 'reporting-web-')), 'password');
    writeFileSync(passwordFile, password, { mode: 0o600 });
    reporting = new ServiceProcess('reporting', {
      databaseUrl: dbUrl,
      kafkaBrokers: brokers,
      databaseSuffix: laneSuffix(NAME),
      portOffset: lanePortOffset(PORT_OFFSET),
      extra: {
        KAFKA_NAMESPACE: namespace,
        LOG_LEVEL: 'warn',
        REPORTING_WEB_PASSWORD_FILE: passwordFile,
        REPORTING_WEB_USER: USER,
      },
      logDir: `${process.env['STATE_DIR'] ?? '.state'}/logs/${laneSuffix(NAME).slice(1)}`,
    });
    reporting.start();
    await reporting.waitReady();
    url = reporting.url;

    const producer = kafka.producer();
    await producer.connect();
    const events = knownHistory();
    for (const e of events)
      await producer.send({
        topic: physicalTopic(e.topic, namespace),
        messages: [{ key: JSON.parse(e.value).key, value: e.value }],
      });
    await producer.disconnect();
    // Every event applied: the projections' consumer group has committed past all of them.
    await waitFor('reporting projects the history', async () =>
      (await projectionLag(kafka, namespace)) === 0 ? true : undefined,
    );

    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_FLAGS });
    context = await browser.newContext({
      viewport: { width: 1400, height: 1000 },
      deviceScaleFactor: 1,
      locale: 'vi-VN',
      timezoneId: 'Asia/Ho_Chi_Minh',
    });
    page = await context.newPage();
  });

  afterAll(async () => {
    await browser?.close();
    await reporting?.stop();
    await deleteNamespaceTopics(kafka, namespace).catch(() => undefined);
  });

  it('sends a visitor without a session to the login form, and refuses a wrong password', async () => {
    const anonymous = await fetch(`${url}/ui?kind=monthly&period=2026-01`, { redirect: 'manual' });
    expect([anonymous.status, anonymous.headers.get('location')]).toEqual([303, '/ui/login']);
    const download = await fetch(`${url}/ui/reports/monthly/2026-01.xlsx`, { redirect: 'manual' });
    expect(download.status).toBe(303);
    await page.goto(`${url}/ui`);
    expect(new URL(page.url()).pathname).toBe('/ui/login');
    await page.fill('input[name=username]', USER);
    await page.fill('input[name=password]', 'not-the-password');
    await page.click('button[type=submit]');
    expect(await page.textContent('[role=alert]')).toContain('Sai tên đăng nhập hoặc mật khẩu');
  });

  it('logs in and shows the compliance table in Vietnamese with the known figures', async () => {
    await page.fill('input[name=username]', USER);
    await page.fill('input[name=password]', password);
    await page.click('button[type=submit]');
    expect(new URL(page.url()).pathname).toBe('/ui');
    await page.goto(`${url}/ui?kind=monthly&period=2026-01`);
    expect(await page.textContent('h1')).toContain('Tuân thủ liên thông Sổ sức khỏe điện tử');
    expect(await page.textContent('header')).toContain('Tháng 01/2026');
    const headings = await page.$$eval('#compliance thead th', (ths) => ths.map((th) => th.textContent));
    expect(headings).toEqual(
      expect.arrayContaining(['Cơ sở KBCB', 'Tỷ lệ gửi đúng hạn', 'Bị từ chối', 'Tổng tồn đọng']),
    );
    const cells = (scope: string) =>
      page.$$eval(`#compliance tr[data-scope="${scope}"] td`, (tds) =>
        tds.map((td) => td.textContent?.trim()),
      );
    // 79001 in January: A, B, C, D, E encounters; records counted once by their latest version:
    // A, B, E submitted, A and E on time; A and E accepted, B rejected; C and D still waiting at the month's end.
    const row = await cells('79001');
    expect(row.slice(0, 7)).toEqual([
      '79001 — Bệnh viện Đa khoa Mẫu Thành phố',
      '5',
      '3',
      '66,7%',
      '2',
      '1',
      '1',
    ]);
    expect(row.at(-1)).toBe('2');
    expect((await cells('all')).slice(1, 4)).toEqual(['7', '4', '75,0%']);
  });

  it('draws one bar per day of submissions, as tall as the day’s count, blue on time and red late', async () => {
    const png = await page.locator('#submissions-chart').screenshot();
    // Decode the screenshot in the browser (canvas) and measure, for each day slot, how many
    // pixels of the bar's column have the on-time and the late colour.
    const days = 31;
    const { plotHeight, x, barWidth } = chartSlots(days);
    const columns = Array.from({ length: days }, (_, i) => x(i) + Math.floor(barWidth / 2));
    const measured = await page.evaluate(
      async ({ b64, columns, colors }) => {
        const { Image, document } = globalThis as unknown as BrowserGlobals;
        const img = new Image();
        img.src = `data:image/png;base64,${b64}`;
        await img.decode();
        const canvas = document.createElement('canvas');
        [canvas.width, canvas.height] = [img.width, img.height];
        const ctx = canvas.getContext('2d');
        ctx.drawImage(img, 0, 0);
        const hex = (r: number, g: number, b: number) =>
          `#${[r, g, b].map((v) => v.toString(16).padStart(2, '0')).join('')}`;
        return {
          size: [img.width, img.height],
          bars: columns.map((cx) => {
            const col = ctx.getImageData(cx, 0, 1, img.height).data;
            let onTime = 0;
            let late = 0;
            for (let y = 0; y < img.height; y++) {
              const c = hex(col[y * 4]!, col[y * 4 + 1]!, col[y * 4 + 2]!);
              if (c === colors.onTime) onTime++;
              else if (c === colors.late) late++;
            }
            return [onTime, late];
          }),
        };
      },
      { b64: png.toString('base64'), columns, colors: { onTime: CHART.onTimeColor, late: CHART.lateColor } },
    );
    // The element may sit on a fractional row: the screenshot can be one pixel taller, and a bar edge
    // may then land on either side of it. Hence a tolerance of one pixel per bar, none elsewhere.
    expect(measured.size[0]).toBe(CHART.width);
    expect(Math.abs(measured.size[1]! - CHART.height)).toBeLessThanOrEqual(1);
    // Submissions by day of gateway receipt: 8th A (on time), 10th E1 and E2 (on time), 11th B (late), 12th F (on time).
    const top = axisMax(2);
    const h = (n: number) => Math.round((n / top) * plotHeight);
    const expected = Array.from({ length: days }, () => [0, 0]);
    expected[7] = [h(1), 0];
    expected[9] = [h(2), 0];
    expected[10] = [0, h(1)];
    expected[11] = [h(1), 0];
    expect(h(2)).toBeGreaterThan(150); // the tallest bar spans the plot: the pixels measure something
    measured.bars.forEach((bar, day) => {
      for (const k of [0, 1]) {
        if (expected[day]![k] === 0)
          expect({ day: day + 1, k, px: bar[k] }).toEqual({ day: day + 1, k, px: 0 });
        else
          expect({ day: day + 1, k, off: Math.abs(bar[k]! - expected[day]![k]!) <= 1 }).toEqual({
            day: day + 1,
            k,
            off: true,
          });
      }
    });
  });

  it('offers the weekly, monthly and 6-monthly downloads, and serves a period’s XLSX to the session', async () => {
    const links = await page.$$eval('#downloads a', (as) => as.map((a) => a.getAttribute('href')));
    for (const kind of ['weekly', 'monthly', 'semiannual'])
      expect(links.some((l) => l?.startsWith(`/ui/reports/${kind}/`) && l.endsWith('.xlsx'))).toBe(true);
    // The scheduler generated 2026-H1 when the service started, before the history arrived:
    // generate it anew from the page, as a user would after a late correction.
    await page.click('form[action="/ui/reports/semiannual/2026-H1/regenerate"] button');
    expect(new URL(page.url()).pathname).toBe('/ui');
    const res = await context.request.get(`${url}/ui/reports/semiannual/2026-H1.xlsx`);
    expect(res.status()).toBe(200);
    expect(res.headers()['content-disposition']).toContain('bao-cao-semiannual-2026-H1.xlsx');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load((await res.body()) as never);
    const annex = wb.getWorksheet('Phụ lục Điều 8')!;
    expect(annex.getRow(4).getCell(2).value).toBe('Hình thức KCB');
    const total = [...Array(annex.rowCount).keys()]
      .map((i) => annex.getRow(i + 1))
      .find((r) => r.getCell(2).value === 'Cộng')!;
    expect([total.getCell(7).value, total.getCell(8).value]).toEqual([7, 3]);
    const csv = await context.request.get(`${url}/ui/reports/weekly/2026-01-08.csv`);
    expect((await csv.text()).startsWith('\uFEFFMã CSKCB,')).toBe(true);
  });

  it('ends the session on logout', async () => {
    await page.click('form[action="/ui/logout"] button');
    expect(new URL(page.url()).pathname).toBe('/ui/login');
    await page.goto(`${url}/ui`);
    expect(new URL(page.url()).pathname).toBe('/ui/login');
  });
});
