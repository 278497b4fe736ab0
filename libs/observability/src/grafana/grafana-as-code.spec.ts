import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import ts from 'typescript';
import { initMetrics, metricsRegistry, registerAllMetrics } from '../metrics';
import {
  DashboardFile,
  alertQuery,
  allPanels,
  dashboardQueries,
  datasourceUids,
  exposedNames,
  loadAlertRules,
  loadDashboards,
  parsePromQl,
  provisionedDatasources,
  RULES_DIR,
  substituteVariables,
} from './grafana-as-code';

/**
 * Grafana as code, checked offline: the dashboards are valid against Grafana's own dashboard
 * schema (@grafana/schema, the TypeScript model generated from Grafana's CUE kinds), every
 * PromQL expression parses with Prometheus' grammar and selects only metrics the code
 * registers, and every datasource uid is one the provisioning file creates.
 */
const dashboards = loadDashboards();
const rules = loadAlertRules();

function registeredNames(): Set<string> {
  initMetrics('grafana-as-code-test');
  registerAllMetrics();
  const names = exposedNames(
    metricsRegistry.getMetricsAsArray().map((m) => ({ name: m.name, type: String(m.type) })),
  );
  names.add('up'); // Prometheus' own per-target series
  return names;
}

/**
 * The JSON form of a schema type: Grafana's string enums (ThresholdsMode.Absolute) are their
 * string values ("absolute") in dashboard JSON; everything else is unchanged, including the
 * excess-property check of object literals.
 */
const JSON_OF = `import type { Dashboard } from '@grafana/schema';
type JsonOf<T> = T extends string ? \`\${T}\` : T extends number | boolean | null | undefined ? T : T extends Array<infer U> ? Array<JsonOf<U>> : T extends object ? { [K in keyof T]: JsonOf<T[K]> } : T;`;

/** Type-checks each dashboard as an object literal of Grafana's Dashboard type (excess properties are errors). */
function schemaDiagnostics(extra: DashboardFile[] = []): string[] {
  const root = join(__dirname, '..', '..', '..', '..');
  const files = new Map<string, string>();
  for (const d of [...dashboards, ...extra]) {
    files.set(
      join(root, `__dashboard_${d.file}.ts`),
      `${JSON_OF}\nexport const dashboard: JsonOf<Dashboard> = ${JSON.stringify(d.json, null, 2)};\n`,
    );
  }
  const options: ts.CompilerOptions = {
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    module: ts.ModuleKind.Node16,
    moduleResolution: ts.ModuleResolutionKind.Node16,
    target: ts.ScriptTarget.ES2022,
    types: [],
  };
  const host = ts.createCompilerHost(options);
  const read = host.readFile.bind(host);
  const exists = host.fileExists.bind(host);
  const getSource = host.getSourceFile.bind(host);
  host.readFile = (f) => files.get(f) ?? read(f);
  host.fileExists = (f) => files.has(f) || exists(f);
  host.getSourceFile = (f, lang, onError, create) =>
    files.has(f) ? ts.createSourceFile(f, files.get(f)!, lang, true) : getSource(f, lang, onError, create);
  const program = ts.createProgram([...files.keys()], options, host);
  return ts
    .getPreEmitDiagnostics(program)
    .map(
      (d) =>
        `${d.file ? d.file.fileName.split('__dashboard_')[1] : ''}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`,
    );
}

describe('Grafana dashboards as code', () => {
  it('ships the six dashboards the SREs asked for', () => {
    expect(dashboards.map((d) => d.json['uid'])).toEqual(
      expect.arrayContaining([
        'bhyt-submission-funnel',
        'bhyt-sla-24h',
        'bhyt-facility',
        'bhyt-gateway-health',
        'bhyt-kafka-lag',
        'bhyt-signer',
      ]),
    );
  });

  describe("against Grafana's dashboard schema (@grafana/schema)", () => {
    // One compilation for all files, with a deliberately broken dashboard beside the real ones.
    let diagnostics: string[] = [];
    beforeAll(() => {
      const d = dashboards[0]!;
      const broken: DashboardFile = {
        file: 'broken.json',
        json: { ...d.json, schemaVersion: 'thirty-nine', panels: [{ title: 'no type', colour: 'red' }] },
      };
      diagnostics = schemaDiagnostics([broken]);
    }, 60_000);

    it('validates every dashboard', () => {
      expect(diagnostics.filter((d) => !d.startsWith('broken.json'))).toEqual([]);
    });

    it('rejects a dashboard the schema does not allow (the check can fail)', () => {
      expect(diagnostics.filter((d) => d.startsWith('broken.json')).length).toBeGreaterThanOrEqual(2);
    });
  });

  it('gives every dashboard a unique uid and title, and every panel a unique id and a grid position', () => {
    expect(new Set(dashboards.map((d) => d.json['uid'])).size).toBe(dashboards.length);
    expect(new Set(dashboards.map((d) => d.json['title'])).size).toBe(dashboards.length);
    for (const d of dashboards) {
      const panels = allPanels(d.json);
      expect(panels.length).toBeGreaterThan(0);
      expect(new Set(panels.map((p) => p['id'])).size).toBe(panels.length);
      for (const p of panels)
        expect(p['gridPos']).toEqual(
          expect.objectContaining({
            w: expect.any(Number),
            h: expect.any(Number),
            x: expect.any(Number),
            y: expect.any(Number),
          }),
        );
    }
  });

  it('reaches Prometheus through a datasource variable, never a uid that only one Grafana defines', () => {
    // In a cluster the hospital's Grafana names its datasources; a hard-coded uid shows "datasource not found".
    for (const d of dashboards) {
      const variables = (
        (d.json['templating'] as { list?: Array<Record<string, unknown>> } | undefined)?.list ?? []
      ).filter((v) => v['type'] === 'datasource');
      const byName = new Map(variables.map((v) => [`\${${String(v['name'])}}`, String(v['query'])]));
      expect({ dashboard: d.file, prometheusVariable: [...byName.values()].includes('prometheus') }).toEqual({
        dashboard: d.file,
        prometheusVariable: true,
      });
      for (const uid of datasourceUids(d))
        expect({ dashboard: d.file, uid, variable: byName.has(uid) }).toEqual({
          dashboard: d.file,
          uid,
          variable: true,
        });
      for (const p of allPanels(d.json)) {
        const ds = p['datasource'] as { uid?: string; type?: string } | undefined;
        if (ds?.uid)
          expect({ panel: p['title'], type: ds.type }).toEqual({
            panel: p['title'],
            type: byName.get(ds.uid),
          });
      }
    }
  });

  it('links the latency histograms to their traces through exemplars', () => {
    const histogramTargets = dashboards.flatMap((d) =>
      allPanels(d.json).flatMap((p) =>
        ((p['targets'] as Array<Record<string, unknown>> | undefined) ?? []).filter((t) =>
          /histogram_quantile\(.*_bucket/.test(String(t['expr'])),
        ),
      ),
    );
    expect(histogramTargets.length).toBeGreaterThan(5);
    expect(histogramTargets.filter((t) => t['exemplar'] !== true)).toEqual([]);
    // The local provisioning sends an exemplar's trace_id to Tempo (a cluster's Grafana is told so in docs/deploy.md).
    const prometheus = provisionedDatasources().find((x) => x.type === 'prometheus') as unknown as {
      jsonData?: { exemplarTraceIdDestinations?: Array<{ name: string }> };
    };
    expect(prometheus.jsonData?.exemplarTraceIdDestinations?.map((x) => x.name)).toEqual(['trace_id']);
  });

  it('writes PromQL that parses, in every panel and variable', () => {
    const queries = dashboards.flatMap(dashboardQueries);
    expect(queries.length).toBeGreaterThan(20);
    const failures = queries
      .map((q) => ({ where: q.where, errors: parsePromQl(substituteVariables(q.expr)).errors }))
      .filter((r) => r.errors.length);
    expect(failures).toEqual([]);
  });

  it('selects only metrics that the code registers', () => {
    const known = registeredNames();
    const unknown = dashboards.flatMap(dashboardQueries).flatMap((q) =>
      parsePromQl(substituteVariables(q.expr))
        .metrics.filter((m) => !known.has(m))
        .map((m) => `${q.where}: ${m}`),
    );
    expect(unknown).toEqual([]);
  });

  it('finds an unregistered metric name (the check can fail)', () => {
    const known = registeredNames();
    expect(
      parsePromQl('sum(rate(bhyt_claims_teleported_total[5m]))').metrics.filter((m) => !known.has(m)),
    ).toEqual(['bhyt_claims_teleported_total']);
  });
});

describe('Prometheus alert rules as code', () => {
  it('covers deadline at risk, missed, gateway error rate, lag and certificate expiry', () => {
    const names = rules.map((r) => r.alert);
    expect(names).toEqual(
      expect.arrayContaining([
        'BhytClaimDeadlineAtRisk',
        'BhytClaimDeadlineMissed',
        'BhytGatewayErrorRate',
        'BhytConsumerLag',
        'BhytCertificateExpiring',
      ]),
    );
    for (const r of rules) expect(['warning', 'critical']).toContain(r.labels?.['severity']);
  });

  it('parses every rule and selects only registered metrics', () => {
    const known = registeredNames();
    for (const r of rules) {
      const parsed = parsePromQl(r.expr);
      expect({
        alert: r.alert,
        errors: parsed.errors,
        unknown: parsed.metrics.filter((m) => !known.has(m)),
      }).toEqual({ alert: r.alert, errors: [], unknown: [] });
    }
  });

  it('separates the query of an alert from its threshold', () => {
    expect(alertQuery('min by (facility) (bhyt_certificate_days_to_expiry) < 30')).toBe(
      'min by (facility) (bhyt_certificate_days_to_expiry)',
    );
    expect(alertQuery('(sum(rate(a[5m])) or vector(0)) / clamp_min(sum(rate(b[5m])), 1e-9) > 0.05')).toBe(
      '(sum(rate(a[5m])) or vector(0)) / clamp_min(sum(rate(b[5m])), 1e-9)',
    );
    expect(alertQuery('up{job="bhyt"} == 0')).toBe('up{job="bhyt"}');
    expect(alertQuery('sum(x)')).toBe('sum(x)');
  });

  it('passes promtool check rules (Prometheus from the Debian package)', () => {
    let promtool: string;
    try {
      promtool = execFileSync('sh', ['-c', 'command -v promtool'], { encoding: 'utf8' }).trim();
    } catch {
      throw new Error(
        'promtool is missing: install the Debian package prometheus (scripts/stack.sh up does)',
      );
    }
    const out = execFileSync(promtool, ['check', 'rules', join(RULES_DIR, 'bhyt-alerts.yml')], {
      encoding: 'utf8',
    });
    expect(out).toContain(`SUCCESS: ${rules.length} rules found`);
  });
});
