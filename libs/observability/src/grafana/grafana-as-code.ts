import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parse as parseYaml } from 'yaml';

/** The slice of lezer's syntax tree used here (the package's types are ESM-only; its CommonJS build is what loads). */
interface SyntaxNode {
  name: string;
  from: number;
  to: number;
  firstChild: SyntaxNode | null;
  nextSibling: SyntaxNode | null;
  getChild(name: string): SyntaxNode | null;
  getChildren(name: string): SyntaxNode[];
}
interface PromQlParser {
  parse(text: string): {
    topNode: SyntaxNode;
    iterate(spec: {
      enter(node: {
        name: string;
        from: number;
        to: number;
        type: { isError: boolean };
        node: SyntaxNode;
      }): void;
    }): void;
  };
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { parser } = require('@prometheus-io/lezer-promql') as { parser: PromQlParser };

/**
 * Reads the Grafana-as-code files of observability/ (dashboards, datasource provisioning,
 * Prometheus alert rules) and takes their PromQL apart, for the offline checks (unit) and the
 * live check against a real Prometheus (e2e). Test support: not exported from the lib's index,
 * so that services never load the PromQL parser.
 */
function repositoryRoot(): string {
  let dir = __dirname;
  while (!existsSync(join(dir, 'observability', 'grafana')) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
}
export const OBSERVABILITY_DIR = join(repositoryRoot(), 'observability');
export const DASHBOARD_DIR = join(OBSERVABILITY_DIR, 'grafana', 'dashboards');
export const DATASOURCES_FILE = join(
  OBSERVABILITY_DIR,
  'grafana',
  'provisioning',
  'datasources',
  'datasources.yaml',
);
export const RULES_DIR = join(OBSERVABILITY_DIR, 'prometheus', 'rules');

export interface DashboardFile {
  file: string;
  json: Record<string, unknown>;
}

export function loadDashboards(): DashboardFile[] {
  return readdirSync(DASHBOARD_DIR)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((file) => ({
      file,
      json: JSON.parse(readFileSync(join(DASHBOARD_DIR, file), 'utf8')) as Record<string, unknown>,
    }));
}

type Obj = Record<string, unknown>;
const asArray = (v: unknown): Obj[] => (Array.isArray(v) ? (v as Obj[]) : []);

/** Panels at any depth (rows hold panels). */
export function allPanels(dashboard: Obj): Obj[] {
  const out: Obj[] = [];
  const walk = (panels: Obj[]) => {
    for (const p of panels) {
      out.push(p);
      walk(asArray(p['panels']));
    }
  };
  walk(asArray(dashboard['panels']));
  return out;
}

export interface NamedQuery {
  where: string;
  expr: string;
}

/** Every PromQL expression of a dashboard: panel targets and query variables (label_values(metric, label) → metric). */
export function dashboardQueries(d: DashboardFile): NamedQuery[] {
  const out: NamedQuery[] = [];
  for (const p of allPanels(d.json)) {
    for (const t of asArray(p['targets'])) {
      if (typeof t['expr'] === 'string')
        out.push({ where: `${d.file} › ${String(p['title'])} › ${String(t['refId'])}`, expr: t['expr'] });
    }
  }
  for (const v of asArray((d.json['templating'] as Obj | undefined)?.['list'])) {
    const q = v['query'];
    const text =
      typeof q === 'string' ? q : typeof q === 'object' && q ? String((q as Obj)['query'] ?? '') : '';
    const m = /^label_values\((.+),\s*[a-zA-Z_]\w*\)$/.exec(text.trim());
    if (m) out.push({ where: `${d.file} › variable ${String(v['name'])}`, expr: m[1]! });
  }
  return out;
}

/** Every datasource uid a dashboard refers to (panels, targets, variables, annotations). */
export function datasourceUids(d: DashboardFile): Set<string> {
  const uids = new Set<string>();
  const visit = (v: unknown) => {
    if (Array.isArray(v)) v.forEach(visit);
    else if (v && typeof v === 'object') {
      for (const [k, x] of Object.entries(v as Obj)) {
        if (k === 'datasource' && x && typeof x === 'object' && typeof (x as Obj)['uid'] === 'string')
          uids.add((x as Obj)['uid'] as string);
        visit(x);
      }
    }
  };
  visit(d.json);
  uids.delete('-- Grafana --'); // the built-in annotations source
  return uids;
}

export interface ProvisionedDatasource {
  name: string;
  uid: string;
  type: string;
}

export function provisionedDatasources(): ProvisionedDatasource[] {
  const doc = parseYaml(readFileSync(DATASOURCES_FILE, 'utf8')) as { datasources: ProvisionedDatasource[] };
  return doc.datasources;
}

export interface AlertRule {
  group: string;
  alert: string;
  expr: string;
  labels?: Record<string, string>;
}

export function loadAlertRules(): AlertRule[] {
  const out: AlertRule[] = [];
  for (const file of readdirSync(RULES_DIR)
    .filter((f) => f.endsWith('.yml'))
    .sort()) {
    const doc = parseYaml(readFileSync(join(RULES_DIR, file), 'utf8')) as {
      groups: Array<{
        name: string;
        rules: Array<{ alert?: string; expr: string; labels?: Record<string, string> }>;
      }>;
    };
    for (const g of doc.groups)
      for (const r of g.rules)
        if (r.alert)
          out.push({
            group: g.name,
            alert: r.alert,
            expr: r.expr,
            ...(r.labels ? { labels: r.labels } : {}),
          });
  }
  return out;
}

/** Grafana's template variables replaced by values Prometheus accepts ($facility → all). */
export function substituteVariables(expr: string): string {
  return expr
    .replaceAll('$__rate_interval', '1m')
    .replaceAll('$__interval', '1m')
    .replaceAll('$__range', '5m')
    .replaceAll('$facility', '.*');
}

export interface ParsedQuery {
  errors: string[];
  metrics: string[];
}

/** Parses PromQL (Prometheus' own lezer grammar): syntax errors and the metric names selected. */
export function parsePromQl(expr: string): ParsedQuery {
  const tree = parser.parse(expr);
  const errors: string[] = [];
  const metrics = new Set<string>();
  tree.iterate({
    enter(node) {
      if (node.type.isError)
        errors.push(
          `syntax error at ${node.from}: "${expr.slice(Math.max(0, node.from - 10), node.to + 10)}"`,
        );
      if (node.name === 'VectorSelector') {
        const id = node.node.getChild('Identifier');
        if (id) metrics.add(expr.slice(id.from, id.to));
      }
    },
  });
  return { errors, metrics: [...metrics] };
}

export interface SelectedLabel {
  /** The metrics the label is read from: the selector's own, or every one under a `by (…)`. */
  metrics: string[];
  label: string;
  /** For `label="value"` matchers, the value. */
  equals?: string;
}

/** Every label a query selects on: matchers of its vector selectors and the labels of `by (…)`. */
export function selectedLabels(expr: string): SelectedLabel[] {
  const out: SelectedLabel[] = [];
  const text = (n: { from: number; to: number }) => expr.slice(n.from, n.to);
  const metricsUnder = (node: SyntaxNode, found = new Set<string>()): string[] => {
    if (node.name === 'VectorSelector') {
      const id = node.getChild('Identifier');
      if (id) found.add(text(id));
    }
    for (let c = node.firstChild; c; c = c.nextSibling) metricsUnder(c, found);
    return [...found];
  };
  parser.parse(expr).iterate({
    enter(ref) {
      const node = ref.node;
      if (node.name === 'VectorSelector') {
        const id = node.getChild('Identifier');
        const metric = id ? text(id) : '';
        for (const m of node.getChild('LabelMatchers')?.getChildren('UnquotedLabelMatcher') ?? []) {
          const name = m.getChild('LabelName');
          const op = m.getChild('MatchOp');
          const value = m.getChild('StringLiteral');
          if (!name) continue;
          const equals =
            op && text(op) === '=' && value ? JSON.parse(text(value).replace(/^'|'$/g, '"')) : undefined;
          out.push({ metrics: [metric], label: text(name), ...(equals !== undefined ? { equals } : {}) });
        }
      }
      if (node.name === 'AggregateExpr') {
        const body = node.getChild('FunctionCallBody');
        const labels =
          node.getChild('AggregateModifier')?.getChild('GroupingLabels')?.getChildren('LabelName') ?? [];
        if (body) for (const l of labels) out.push({ metrics: metricsUnder(body), label: text(l) });
      }
    },
  });
  return out;
}

const COMPARISONS = new Set(['Gtr', 'Lss', 'Gte', 'Lte', 'Eql', 'Neq']);

/**
 * The query part of an alert expression: for "<query> > 30" the left side, which must return
 * data for the alert to mean anything (the whole expression is empty while the alert is quiet).
 */
export function alertQuery(expr: string): string {
  const top = parser.parse(expr).topNode.firstChild;
  if (top?.name !== 'BinaryExpr') return expr;
  const lhs = top.firstChild;
  let op = lhs?.nextSibling;
  while (op && !COMPARISONS.has(op.name)) op = op.nextSibling;
  const rhs = op?.nextSibling;
  if (!lhs || !op || rhs?.name !== 'NumberDurationLiteral') return expr;
  return expr.slice(lhs.from, lhs.to).trim();
}

/** Names as Prometheus shows them: a histogram registers name_bucket, name_sum and name_count. */
export function exposedNames(registered: Array<{ name: string; type: string }>): Set<string> {
  const out = new Set<string>();
  for (const m of registered) {
    out.add(m.name);
    // The OpenMetrics registry strips `_total` from a counter's name and writes it back on each series.
    if (m.type === 'counter' && !m.name.endsWith('_total')) out.add(`${m.name}_total`);
    if (m.type === 'histogram') for (const s of ['_bucket', '_sum', '_count']) out.add(`${m.name}${s}`);
    if (m.type === 'summary') for (const s of ['_sum', '_count']) out.add(`${m.name}${s}`);
  }
  return out;
}
