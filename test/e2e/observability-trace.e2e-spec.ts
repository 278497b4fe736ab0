import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { ServiceKey } from '@bhyt/contracts';
import { listScenarios } from '@bhyt/xml130/testing';
import { runDemo, DemoEncounter } from '../../tools/platform/demo';
import { servicePort } from '../../tools/platform/processes';
import { lanePortOffset, laneSuffix, startTestPlatform, TestPlatform, waitFor } from '../support/harness';
import {
  alertQuery,
  dashboardQueries,
  loadAlertRules,
  loadDashboards,
  RULES_DIR,
  substituteVariables,
} from '../../libs/observability/src/grafana/grafana-as-code';

jest.setTimeout(300_000);

/**
 * Observability on the real platform: every service exports its spans over OTLP/HTTP (JSON)
 * to a receiver in this test, a real Prometheus (Debian package) scrapes their /metrics and
 * evaluates the alert rules, and the logs are read from disk. One demo run, then:
 *  - one claim (MA_LK) is one connected trace across intake, encounter, signer, gateway-sync
 *    and reporting, with HTTP, Kafka produce/consume, database, HSM and gateway spans;
 *  - each service's /metrics exposes the metrics its code path updates;
 *  - every PromQL query of the dashboards and the alert rules returns data;
 *  - no span, log line or metric holds the demo patients' personal data.
 */
interface ReceivedSpan {
  service: string;
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  kind: number; // OTLP: 1 internal, 2 server, 3 client, 4 producer, 5 consumer
  attributes: Record<string, string | number | boolean>;
  links: Array<{ traceId: string; spanId: string }>;
}

const SERVER = 2;
const PRODUCER = 4;
const CONSUMER = 5;
const PORT_OFFSET = 800;

type OtlpValue = {
  stringValue?: string;
  intValue?: string | number;
  boolValue?: boolean;
  doubleValue?: number;
};
const attrValue = (v: OtlpValue): string | number | boolean =>
  v.stringValue ??
  (v.intValue !== undefined ? Number(v.intValue) : undefined) ??
  v.boolValue ??
  v.doubleValue ??
  '';
const attrs = (list: Array<{ key: string; value: OtlpValue }> | undefined) =>
  Object.fromEntries((list ?? []).map((a) => [a.key, attrValue(a.value)]));

/** A minimal OTLP/HTTP receiver (JSON encoding): keeps the raw bodies (for the personal-data scan) and the decoded spans. */
function otlpReceiver(): Promise<{ server: Server; url: string; spans: ReceivedSpan[]; raw: string[] }> {
  const spans: ReceivedSpan[] = [];
  const raw: string[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let body = Buffer.concat(chunks);
      if (req.headers['content-encoding'] === 'gzip') body = gunzipSync(body);
      if (req.url === '/v1/traces' && String(req.headers['content-type']).includes('json')) {
        const text = body.toString('utf8');
        raw.push(text);
        const doc = JSON.parse(text) as {
          resourceSpans?: Array<{
            resource?: { attributes?: [] };
            scopeSpans?: Array<{ spans?: Array<Record<string, unknown>> }>;
          }>;
        };
        for (const rs of doc.resourceSpans ?? []) {
          const service = String(attrs(rs.resource?.attributes)['service.name'] ?? '');
          for (const ss of rs.scopeSpans ?? []) {
            for (const s of ss.spans ?? []) {
              spans.push({
                service,
                traceId: String(s['traceId']),
                spanId: String(s['spanId']),
                parentSpanId: String(s['parentSpanId'] ?? ''),
                name: String(s['name']),
                kind: Number(s['kind']),
                attributes: attrs(s['attributes'] as []),
                links: ((s['links'] as Array<{ traceId: string; spanId: string }>) ?? []).map((l) => ({
                  traceId: l.traceId,
                  spanId: l.spanId,
                })),
              });
            }
          }
        }
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, spans, raw }),
    ),
  );
}

/** The personal data of the demo's patients, rebuilt the way runDemo builds them (same scenarios and seeds). */
function demoPersonalData(demo: DemoEncounter[]): string[] {
  const scenarios = listScenarios();
  const out = new Set<string>();
  demo.forEach((d, i) => {
    const record = scenarios[i % scenarios.length]!.build({
      facilityCode: d.facilityCode,
      maLk: `PENDING-${i}`,
      patientSeed: 1000 + i,
      start: new Date(),
    });
    const p = record.patient;
    const birth = p.birthDateTime.slice(0, 8);
    for (const v of [
      p.fullName,
      p.citizenId,
      p.birthDateTime,
      birth,
      `${birth.slice(6, 8)}${birth.slice(4, 6)}${birth.slice(0, 4)}`,
      p.address,
      p.phone,
      ...record.cards.map((c) => c.cardNumber),
    ]) {
      if (v && v.length >= 6) out.add(v);
    }
  });
  return [...out];
}

function startPrometheus(dir: string, port: number, targets: string[]): ChildProcess {
  const config = [
    'global:',
    '  scrape_interval: 1s',
    '  evaluation_interval: 1s',
    'rule_files:',
    `  - ${join(RULES_DIR, '*.yml')}`,
    'scrape_configs:',
    '  - job_name: bhyt',
    '    static_configs:',
    `      - targets: [${targets.map((t) => `'${t}'`).join(', ')}]`,
  ].join('\n');
  writeFileSync(join(dir, 'prometheus.yml'), config);
  return spawn(
    'prometheus',
    [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ],
    { stdio: 'ignore' },
  );
}

async function promQuery(base: string, expr: string): Promise<unknown[]> {
  const res = await fetch(`${base}/api/v1/query?query=${encodeURIComponent(expr)}`);
  const body = (await res.json()) as { status: string; error?: string; data?: { result: unknown[] } };
  if (body.status !== 'success') throw new Error(`${expr}: ${body.error}`);
  return body.data!.result;
}

describe('observability of a claim across the platform', () => {
  let t: TestPlatform;
  let receiver: Awaited<ReturnType<typeof otlpReceiver>>;
  let prometheus: ChildProcess | undefined;
  let demo: DemoEncounter[];
  const promPort = 9090 + lanePortOffset(PORT_OFFSET);
  const promUrl = `http://127.0.0.1:${promPort}`;
  const services: ServiceKey[] = ['intake', 'encounter', 'signer', 'gatewaySync', 'reporting'];

  beforeAll(async () => {
    if (
      !existsSync('/usr/bin/prometheus') &&
      !process.env['PATH']?.split(':').some((p) => existsSync(join(p, 'prometheus')))
    ) {
      throw new Error(
        'prometheus is missing: install the Debian package prometheus (scripts/stack.sh up does)',
      );
    }
    receiver = await otlpReceiver();
    t = await startTestPlatform('e2e_observability', PORT_OFFSET, {
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_BSP_SCHEDULE_DELAY: '200',
      LOG_LEVEL: 'info', // the personal-data scan reads every log line the services write
    });
    prometheus = startPrometheus(
      mkdtempSync(join(tmpdir(), 'e2e-prom-')),
      promPort,
      services.map((s) => `127.0.0.1:${servicePort(s, t.platform.env)}`),
    );
    demo = await runDemo({
      intakeUrl: t.platform.url('intake'),
      encounterUrl: t.platform.url('encounter'),
      facilities: ['79001', '01001'],
      encounters: 4,
      concurrency: 2,
    });
    expect(demo.filter((d) => d.error)).toEqual([]);
    const maLks = demo.map((d) => d.maLk);
    await waitFor('every claim submitted and projected', async () => {
      const rows = await t.query<{ n: number }>(
        'reporting',
        `SELECT count(*)::int AS n FROM claim_facts WHERE ma_lk = ANY($1) AND submitted_at IS NOT NULL`,
        [maLks],
      );
      return rows[0]!.n === demo.length ? true : undefined;
    });
  });

  afterAll(async () => {
    prometheus?.kill('SIGTERM');
    await t?.stop();
    receiver?.server.close();
  });

  /** The trace of a claim: the one its gateway submission belongs to, once reporting's last span has arrived in it. */
  async function claimTrace(maLk: string): Promise<ReceivedSpan[]> {
    return waitFor(
      `the spans of ${maLk}`,
      async () => {
        const submit = receiver.spans.find(
          (s) =>
            s.name === 'gateway submit' &&
            s.attributes['bhyt.kind'] === 'claim' &&
            s.attributes['bhyt.ma_lk'] === maLk,
        );
        if (!submit) return undefined;
        const spans = receiver.spans.filter((s) => s.traceId === submit.traceId);
        // Complete once reporting has consumed the gateway's verdict (the claim's last event).
        return spans.some(
          (s) => s.service === 'bhyt-reporting' && /^claim\.(accepted|rejected)\.v1 process$/.test(s.name),
        )
          ? spans
          : undefined;
      },
      60_000,
    );
  }

  it('makes one connected trace of each claim from intake to submission, across the five services', async () => {
    for (const d of demo) {
      const spans = await claimTrace(d.maLk);
      const traceId = spans[0]!.traceId;
      expect(new Set(spans.map((s) => s.service))).toEqual(
        new Set(['bhyt-intake', 'bhyt-encounter', 'bhyt-signer', 'bhyt-gateway-sync', 'bhyt-reporting']),
      );
      // Connected: one root (intake's HTTP request), every other span's parent is in the trace.
      const ids = new Set(spans.map((s) => s.spanId));
      const roots = spans.filter((s) => !s.parentSpanId || !ids.has(s.parentSpanId));
      expect(roots.map((r) => `${r.service} ${r.name}`)).toEqual([
        'bhyt-intake POST /v1/facilities/:facilityCode/visits',
      ]);
      expect(roots[0]!.kind).toBe(SERVER);
      expect(roots[0]!.attributes['bhyt.ma_lk']).toBe(d.maLk);
      const names = spans.map((s) => `${s.service}|${s.name}`);
      expect(names).toEqual(
        expect.arrayContaining([
          'bhyt-intake|intake.registered.v1 publish',
          'bhyt-encounter|intake.registered.v1 process',
          'bhyt-encounter|encounter close',
          'bhyt-encounter|encounter.closed.v1 publish',
          'bhyt-signer|encounter.closed.v1 process',
          'bhyt-signer|hsm sign',
          'bhyt-signer|claim.signed.v1 publish',
          'bhyt-gateway-sync|claim.signed.v1 process',
          'bhyt-gateway-sync|gateway submit',
          'bhyt-gateway-sync|claim.submitted.v1 publish',
          'bhyt-reporting|claim.submitted.v1 process',
          'bhyt-gateway-sync|gateway result',
        ]),
      );
      // Messaging semantic conventions on produce and consume spans.
      for (const s of spans.filter((x) => x.kind === PRODUCER || x.kind === CONSUMER)) {
        expect(s.attributes).toEqual(
          expect.objectContaining({
            'messaging.system': 'kafka',
            'messaging.destination.name': expect.any(String),
            'bhyt.ma_lk': d.maLk,
            'bhyt.facility': d.facilityCode,
          }),
        );
      }
      // Database and gateway calls inside the trace.
      expect(
        spans.some((s) => s.attributes['db.system'] === 'postgresql' && s.service === 'bhyt-signer'),
      ).toBe(true);
      const submit = spans.find((s) => s.name === 'gateway submit')!;
      expect(submit.attributes).toEqual(
        expect.objectContaining({
          'bhyt.facility': d.facilityCode,
          'bhyt.version': 1,
          'bhyt.care_type': d.careType,
          'bhyt.gateway.code': '200',
        }),
      );
      expect(spans.some((s) => s.kind === 3 && s.parentSpanId === submit.spanId)).toBe(true); // the HTTP call to the gateway
      // The ward system's close request is its own trace, linked from the close span.
      const close = spans.find((s) => s.name === 'encounter close')!;
      expect(close.links.length).toBe(1);
      const closeRequest = receiver.spans.find((s) => s.spanId === close.links[0]!.spanId);
      expect(closeRequest?.name).toBe('POST /v1/facilities/:facilityCode/encounters/:maLk/close');
      // No claim work for this MA_LK outside its trace. Aside: the ward system's HTTP requests,
      // and the check-in (XML0), a document of its own traced from the first billable ward event.
      const checkin = (s: ReceivedSpan) =>
        s.name.startsWith('checkin.') ||
        s.name === 'hsm sign check-in' ||
        s.attributes['bhyt.kind'] === 'checkin';
      const stray = receiver.spans.filter(
        (s) =>
          s.attributes['bhyt.ma_lk'] === d.maLk && s.kind !== SERVER && !checkin(s) && s.traceId !== traceId,
      );
      expect(stray.map((s) => `${s.service} ${s.name}`)).toEqual([]);
    }
  });

  it('exposes on /metrics of each service the metrics its code path updated during the demo', async () => {
    const expected: Record<string, RegExp[]> = {
      intake: [
        /bhyt_messages_published_total\{[^}]*topic="intake\.registered\.v1"/,
        /bhyt_outbox_backlog\{/,
        /bhyt_outbox_oldest_seconds\{/,
      ],
      encounter: [
        /bhyt_messages_consumed_total\{[^}]*topic="intake\.registered\.v1"[^}]*outcome="processed"/,
        /bhyt_messages_published_total\{[^}]*topic="encounter\.closed\.v1"/,
        /bhyt_consumer_lag\{[^}]*topic="intake\.registered\.v1"/,
      ],
      signer: [
        /bhyt_hsm_sign_seconds_count\{[^}]*facility="79001"/,
        /bhyt_certificate_days_to_expiry\{[^}]*facility="79001"[^}]*\} \d/,
        /bhyt_messages_published_total\{[^}]*topic="claim\.signed\.v1"/,
      ],
      gatewaySync: [
        /bhyt_gateway_request_seconds_count\{[^}]*code="200"/,
        /bhyt_claim_time_to_submit_seconds_count\{[^}]*facility="01001"/,
        /bhyt_claims_open\{[^}]*age="0-6h"/,
        /bhyt_claims_deadline_state\{[^}]*state="at-risk"/,
        /bhyt_claim_deadline_events_total\{[^}]*kind="missed"/,
      ],
      reporting: [/bhyt_messages_consumed_total\{[^}]*topic="claim\.submitted\.v1"[^}]*outcome="processed"/],
    };
    for (const [service, patterns] of Object.entries(expected)) {
      const text = await waitFor(
        `${service} metrics`,
        async () => {
          const body = await (await fetch(`${t.platform.url(service as ServiceKey)}/metrics`)).text();
          return patterns.every((p) => p.test(body)) ? body : undefined;
        },
        20_000,
      ).catch(async () => (await fetch(`${t.platform.url(service as ServiceKey)}/metrics`)).text());
      expect({ service, missing: patterns.filter((p) => !p.test(text)).map(String) }).toEqual({
        service,
        missing: [],
      });
    }
  });

  it('answers every PromQL query of the dashboards and alert rules with data from a real Prometheus', async () => {
    const queries = [
      ...loadDashboards()
        .flatMap(dashboardQueries)
        .map((q) => ({ where: q.where, expr: substituteVariables(q.expr) })),
      ...loadAlertRules().map((r) => ({ where: `alert ${r.alert}`, expr: alertQuery(r.expr) })),
    ];
    const empty = await waitFor(
      'data for every query',
      async () => {
        const missing: string[] = [];
        for (const q of queries)
          if ((await promQuery(promUrl, q.expr).catch(() => [])).length === 0)
            missing.push(`${q.where}: ${q.expr}`);
        return missing.length === 0 ? missing : undefined;
      },
      45_000,
      2000,
    ).catch(async () => {
      const missing: string[] = [];
      for (const q of queries)
        if ((await promQuery(promUrl, q.expr).catch(() => [])).length === 0)
          missing.push(`${q.where}: ${q.expr}`);
      return missing;
    });
    expect(empty).toEqual([]);
    const rules = (await (await fetch(`${promUrl}/api/v1/rules`)).json()) as {
      data: { groups: Array<{ rules: Array<{ name: string; health: string }> }> };
    };
    const loaded = rules.data.groups.flatMap((g) => g.rules);
    expect(loaded.length).toBe(loadAlertRules().length);
    expect(loaded.filter((r) => r.health !== 'ok')).toEqual([]);
  });

  it("keeps the demo patients' personal data out of every span, log line and metric", async () => {
    const secrets = demoPersonalData(demo);
    expect(secrets.length).toBeGreaterThan(demo.length * 3);
    const logDir = join(
      process.env['STATE_DIR'] ?? '.state',
      'logs',
      laneSuffix('e2e_observability').slice(1),
    );
    const logs = readdirSync(logDir).map((f) => ({
      where: `log ${f}`,
      text: readFileSync(join(logDir, f), 'utf8'),
    }));
    const metrics = await Promise.all(
      services.map(async (s) => ({
        where: `metrics ${s}`,
        text: await (await fetch(`${t.platform.url(s)}/metrics`)).text(),
      })),
    );
    const spans = [{ where: 'spans', text: receiver.raw.join('\n') }];
    expect(spans[0]!.text.length).toBeGreaterThan(1000);
    expect(logs.length).toBeGreaterThanOrEqual(5);
    const leaks = [...spans, ...logs, ...metrics].flatMap((src) =>
      secrets.filter((s) => src.text.includes(s)).map((s) => `${src.where}: ${s.slice(0, 3)}…`),
    );
    expect(leaks).toEqual([]);
  });
});
