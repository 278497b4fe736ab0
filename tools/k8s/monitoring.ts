import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import type { K8sObject } from './kustomize';

/**
 * The cluster's monitoring, from the same sources as the local one: the PrometheusRule is
 * generated from observability/prometheus/rules/*.yml (one copy of every alert), and the checks
 * below hold the rules to the labels that the PodMonitor and the metrics really carry.
 */
export const RULES_DIR = 'observability/prometheus/rules';
export const PROMETHEUS_RULE_FILE = 'k8s/base/monitoring/prometheusrule.yaml';
export const RUNBOOK = 'docs/runbook.md';
/** Where hospital IT's git server shows this repository's docs (the registry is registry.bhyt.internal). */
export const RUNBOOK_BASE_URL = 'https://git.bhyt.internal/bhyt/platform/blob/main/docs/runbook.md#';

interface RuleFile {
  groups: Array<{
    name: string;
    rules: Array<{
      alert?: string;
      record?: string;
      expr: string;
      annotations?: Record<string, string | undefined>;
    }>;
  }>;
}

function ruleFiles(root: string): string[] {
  return readdirSync(join(root, RULES_DIR))
    .filter((f) => f.endsWith('.yml'))
    .sort();
}

export function loadRuleGroups(root: string): RuleFile['groups'] {
  return ruleFiles(root).flatMap(
    (f) => (parse(readFileSync(join(root, RULES_DIR, f), 'utf8')) as RuleFile).groups,
  );
}

export function prometheusRuleYaml(root: string): string {
  const header = [
    '# Generated from observability/prometheus/rules/*.yml by tools/k8s/sync-monitoring.ts — edit the',
    '# rules there, then run `bash scripts/with-node.sh node dist/tools/k8s/sync-monitoring.js`.',
    '',
  ].join('\n');
  const resource = {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'PrometheusRule',
    metadata: { name: 'bhyt-alerts', labels: { 'app.kubernetes.io/part-of': 'bhyt' } },
    spec: { groups: loadRuleGroups(root) },
  };
  return header + stringify(resource, { lineWidth: 0 });
}

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to dashes. */
export function headingAnchors(markdown: string): Set<string> {
  const out = new Set<string>();
  for (const m of markdown.matchAll(/^#{1,6}\s+(.+?)\s*$/gm)) {
    out.add(
      m[1]!
        .toLowerCase()
        .replace(/[^\p{L}\p{N} _-]/gu, '')
        .replace(/ /g, '-'),
    );
  }
  return out;
}

/** Alerts whose runbook_url is missing or points at no heading of docs/runbook.md. */
export function runbookProblems(groups: RuleFile['groups'], runbook: string): string[] {
  const anchors = headingAnchors(runbook);
  const problems: string[] = [];
  for (const r of groups.flatMap((g) => g.rules)) {
    if (!r.alert) continue;
    const url = r.annotations?.['runbook_url'];
    if (!url) problems.push(`${r.alert}: no runbook_url`);
    else if (!url.startsWith(RUNBOOK_BASE_URL))
      problems.push(`${r.alert}: runbook_url ${url} is not under ${RUNBOOK_BASE_URL}`);
    else if (!anchors.has(url.slice(RUNBOOK_BASE_URL.length)))
      problems.push(`${r.alert}: ${RUNBOOK} has no heading #${url.slice(RUNBOOK_BASE_URL.length)}`);
  }
  return problems;
}

/**
 * The labels every target of a PodMonitor carries (prometheus-operator's defaults plus its
 * relabelings), with the value when it is fixed (job).
 */
export function podMonitorTargetLabels(pm: K8sObject): Map<string, string | undefined> {
  const labels = new Map<string, string | undefined>([
    ['job', `${pm.metadata.namespace ?? ''}/${pm.metadata.name}`],
    ['instance', undefined],
    ['namespace', undefined],
    ['pod', undefined],
    ['container', undefined],
    ['endpoint', undefined],
  ]);
  const endpoints =
    (
      pm as {
        spec?: {
          podMetricsEndpoints?: Array<{
            relabelings?: Array<{
              action?: string;
              targetLabel?: string;
              replacement?: string;
              sourceLabels?: string[];
            }>;
          }>;
        };
      }
    ).spec?.podMetricsEndpoints ?? [];
  for (const e of endpoints) {
    for (const r of e.relabelings ?? []) {
      if ((r.action ?? 'replace') !== 'replace' || !r.targetLabel) continue;
      labels.set(r.targetLabel, r.sourceLabels?.length ? undefined : r.replacement);
    }
  }
  return labels;
}

/** Label names each metric is exposed with (histograms: the _bucket series also has `le`). */
export type MetricLabels = Map<string, Set<string>>;

export interface AlertQuery {
  alert: string;
  expr: string;
}

export type SelectedLabelsFn = (expr: string) => Array<{ metrics: string[]; label: string; equals?: string }>;

/**
 * Alerts that select a label nobody gives their metric: `up` has only target labels; the
 * platform's metrics have their own labels, the registry's default `service` and the target
 * labels. A fixed target label (job) must also be asked with its value.
 */
export function alertLabelProblems(
  alerts: AlertQuery[],
  target: Map<string, string | undefined>,
  metrics: MetricLabels,
  selected: SelectedLabelsFn,
): string[] {
  const problems: string[] = [];
  for (const a of alerts) {
    for (const s of selected(a.expr)) {
      for (const metric of s.metrics) {
        const own = metric === 'up' ? new Set<string>() : metrics.get(metric);
        if (!own) {
          problems.push(`${a.alert}: metric ${metric} is not registered`);
          continue;
        }
        const known = target.has(s.label) || own.has(s.label);
        if (!known) problems.push(`${a.alert}: ${metric} has no label ${s.label}`);
        else if (
          s.equals !== undefined &&
          !own.has(s.label) &&
          target.get(s.label) !== undefined &&
          target.get(s.label) !== s.equals
        )
          problems.push(
            `${a.alert}: ${metric}{${s.label}="${s.equals}"} never matches: the PodMonitor sets ${s.label}="${target.get(s.label)}"`,
          );
      }
    }
  }
  return problems;
}
