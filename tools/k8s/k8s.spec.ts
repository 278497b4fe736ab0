/* eslint-disable @typescript-eslint/no-explicit-any -- rendered manifests are untyped YAML; the schema check is what types them */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { allTopics, Services } from '@bhyt/contracts';
import { DASHBOARD_CONFIGMAP, DASHBOARD_DIR, dashboardFiles, dashboardKustomization } from './dashboards';
import { buildOverlay, K8sObject, ofKind, OVERLAYS, repositoryRoot, type Overlay } from './kustomize';
import { checkPolicy, imageIsPinned, podSpecOf } from './policy';
import { kafkaTopicsYaml } from './topics';
import {
  alertLabelProblems,
  loadRuleGroups,
  MetricLabels,
  podMonitorTargetLabels,
  PROMETHEUS_RULE_FILE,
  prometheusRuleYaml,
  RUNBOOK,
  RUNBOOK_BASE_URL,
  runbookProblems,
} from './monitoring';
import { initMetrics, metricsRegistry, registerAllMetrics } from '../../libs/observability/src/metrics';
import { selectedLabels } from '../../libs/observability/src/grafana/grafana-as-code';

// Offline checks of the Kubernetes manifests: the real kustomize (pinned kubectl, fetched by
// scripts/lib/kubectl.sh) renders each overlay; every object is validated against its upstream
// schema; the topics are those of libs/contracts; the policy holds.
const root = repositoryRoot();
const rendered = new Map<Overlay, K8sObject[]>();
const objects = (overlay: Overlay): K8sObject[] => {
  if (!rendered.has(overlay)) rendered.set(overlay, buildOverlay(overlay, root));
  return rendered.get(overlay)!;
};

interface SchemaReport {
  checked: number;
  failures: { kind: string; name: string; error: string }[];
}
const schemaCheck = (input: unknown[]): SchemaReport =>
  JSON.parse(
    execFileSync(process.execPath, [join(root, 'tools/k8s/schema-check.mjs')], {
      input: JSON.stringify(input),
      encoding: 'utf8',
      cwd: root,
    }),
  );

const deployed = Object.values(Services).filter((s) => s.name !== 'gateway-simulator');
const named = (list: K8sObject[], name: string) => list.find((o) => o.metadata.name === name);
const spec = (o: K8sObject | undefined): any => (o as any)?.spec;
const configMapData = (list: K8sObject[], prefix: string): Record<string, string> =>
  (ofKind(list, 'ConfigMap').find((c) => c.metadata.name.startsWith(`${prefix}-`)) as any)?.data ?? {};

describe.each(OVERLAYS)('the %s overlay', (overlay) => {
  it('builds with kustomize into objects of one namespace', () => {
    const list = objects(overlay);
    expect(list.length).toBeGreaterThan(50);
    const namespaces = new Set(list.filter((o) => o.kind !== 'Namespace').map((o) => o.metadata.namespace));
    expect([...namespaces]).toEqual([overlay === 'prod' ? 'bhyt' : 'bhyt-dev']);
  });

  it('has only objects that validate against their upstream schemas, custom resources included', () => {
    const report = schemaCheck(objects(overlay));
    expect(report.failures).toEqual([]);
    expect(report.checked).toBe(objects(overlay).length);
    const kinds = new Set(objects(overlay).map((o) => o.kind));
    for (const crd of [
      'Kafka',
      'KafkaNodePool',
      'KafkaTopic',
      'KafkaUser',
      'Cluster',
      'Database',
      'ScheduledBackup',
      'ScaledObject',
      'TriggerAuthentication',
      'ExternalSecret',
      'SecretStore',
      'PodMonitor',
      'PrometheusRule',
    ]) {
      expect(kinds).toContain(crd);
    }
  });

  it('passes the policy: no root, read-only root filesystems, limits and probes set, pinned images, no committed Secret', () => {
    expect(checkPolicy(objects(overlay))).toEqual([]);
  });

  it('declares exactly the topics of libs/contracts, with their partitions and retention', () => {
    const topics = ofKind(objects(overlay), 'KafkaTopic').map((t) => ({
      name: spec(t).topicName,
      partitions: spec(t).partitions,
      retentionMs: spec(t).config['retention.ms'],
    }));
    const expected = allTopics().map((t) => ({
      name: t.name,
      partitions: t.partitions,
      retentionMs: t.retentionMs,
    }));
    const byName = (a: { name: string }, b: { name: string }) => a.name.localeCompare(b.name);
    expect(topics.sort(byName)).toEqual(expected.sort(byName));
  });

  it('replicates topics no wider than the brokers it runs, keeping a write quorum in prod', () => {
    const brokers = ofKind(objects(overlay), 'KafkaNodePool')
      .filter((p) => spec(p).roles.includes('broker'))
      .reduce((n, p) => n + spec(p).replicas, 0);
    expect(brokers).toBe(overlay === 'prod' ? 3 : 1);
    for (const t of ofKind(objects(overlay), 'KafkaTopic')) {
      expect(spec(t).replicas).toBeLessThanOrEqual(brokers);
      if (overlay === 'prod') expect(spec(t).config['min.insync.replicas']).toBe(spec(t).replicas - 1);
    }
    const kafka = ofKind(objects(overlay), 'Kafka')[0];
    expect(spec(kafka).kafka.config['min.insync.replicas']).toBeLessThanOrEqual(brokers);
    expect(spec(kafka).kafka.config['auto.create.topics.enable']).toBe(false);
  });

  it('gives each service a Kafka user whose ACLs write only contract topics and read its own consumer groups', () => {
    const topicNames = new Set(allTopics().map((t) => t.name));
    for (const service of deployed) {
      const user = named(ofKind(objects(overlay), 'KafkaUser'), `bhyt-${service.name}`);
      expect(user).toBeDefined();
      const acls = spec(user).authorization.acls as {
        resource: { type: string; name: string; patternType: string };
        operations: string[];
      }[];
      for (const acl of acls.filter((a) => a.operations.includes('Write')))
        expect(topicNames).toContain(acl.resource.name);
      expect(acls).toContainEqual(
        expect.objectContaining({
          resource: { type: 'group', name: `bhyt-${service.name}-`, patternType: 'prefix' },
        }),
      );
      expect(acls).toContainEqual(
        expect.objectContaining({
          resource: expect.objectContaining({ type: 'topic', name: 'platform.dead-letter.v1' }),
          operations: ['Write', 'Describe'],
        }),
      );
      expect(configMapData(objects(overlay), `${service.name}-config`)['KAFKA_SASL_USERNAME']).toBe(
        `bhyt-${service.name}`,
      );
    }
  });

  it('scales each consumer on the lag of its own groups, never past the partition count', () => {
    const topicNames = new Set(allTopics().map((t) => t.name));
    const partitions = new Map(allTopics().map((t) => [t.name, t.partitions]));
    // A group-wide trigger (no topic) spans the group's topics: no more than the widest.
    const widest = Math.max(...partitions.values());
    for (const service of deployed) {
      const so = named(ofKind(objects(overlay), 'ScaledObject'), service.name);
      expect(spec(so).scaleTargetRef.name).toBe(service.name);
      expect(spec(so).minReplicaCount).toBeGreaterThanOrEqual(1);
      const bound = Math.max(
        ...spec(so).triggers.map((t: any) => (t.metadata.topic ? partitions.get(t.metadata.topic)! : widest)),
      );
      expect(spec(so).maxReplicaCount).toBeLessThanOrEqual(bound);
      for (const trigger of spec(so).triggers) {
        expect(trigger.type).toBe('kafka');
        expect(trigger.metadata.consumerGroup.startsWith(`bhyt-${service.name}-`)).toBe(true);
        if (trigger.metadata.topic) expect(topicNames).toContain(trigger.metadata.topic);
        expect(
          named(ofKind(objects(overlay), 'TriggerAuthentication'), trigger.authenticationRef.name),
        ).toBeDefined();
      }
    }
  });

  it('gives each service its own database and role in the CloudNativePG cluster, with backups', () => {
    const cluster = ofKind(objects(overlay), 'Cluster')[0];
    const roles = (spec(cluster).managed.roles as { name: string }[]).map((r) => r.name);
    const databases = ofKind(objects(overlay), 'Database').map((d) => ({
      name: spec(d).name,
      owner: spec(d).owner,
      cluster: spec(d).cluster.name,
    }));
    for (const service of deployed) {
      expect(roles).toContain(service.database);
      expect(databases).toContainEqual({
        name: service.database,
        owner: service.database,
        cluster: cluster!.metadata.name,
      });
      expect(configMapData(objects(overlay), `${service.name}-config`)['HTTP_HOST']).toBe('0.0.0.0');
    }
    expect(spec(cluster).instances).toBe(overlay === 'prod' ? 3 : 1);
    expect(spec(cluster).backup.barmanObjectStore.destinationPath).toMatch(
      new RegExp(`^s3://.+/${overlay}$`),
    );
    expect(ofKind(objects(overlay), 'ScheduledBackup').map((b) => spec(b).cluster.name)).toEqual([
      cluster!.metadata.name,
    ]);
  });

  it('fills every secret a pod uses from an ExternalSecret or an operator, and every ExternalSecret from the overlay store', () => {
    const list = objects(overlay);
    const fromStore = new Set(ofKind(list, 'ExternalSecret').map((e) => spec(e).target.name));
    const fromOperators = new Set([
      'bhyt-kafka-cluster-ca-cert',
      'bhyt-pg-ca',
      ...ofKind(list, 'KafkaUser').map((u) => u.metadata.name),
    ]);
    const used = new Set<string>();
    for (const o of list) {
      const pod = podSpecOf(o) as any;
      if (!pod) continue;
      for (const v of pod.volumes ?? []) if (v.secret) used.add(v.secret.secretName);
      for (const c of [...(pod.initContainers ?? []), ...pod.containers]) {
        for (const e of c.env ?? []) if (e.valueFrom?.secretKeyRef) used.add(e.valueFrom.secretKeyRef.name);
        for (const e of c.envFrom ?? []) if (e.secretRef) used.add(e.secretRef.name);
      }
    }
    expect([...used].filter((s) => !fromStore.has(s) && !fromOperators.has(s))).toEqual([]);
    const stores = new Set(ofKind(list, 'SecretStore').map((s) => s.metadata.name));
    for (const e of ofKind(list, 'ExternalSecret')) expect(stores).toContain(spec(e).secretStoreRef.name);
  });

  it('denies all traffic by default and gives every workload its own flows and a disruption budget', () => {
    const list = objects(overlay);
    const policies = ofKind(list, 'NetworkPolicy');
    const deny = named(policies, 'default-deny');
    expect(spec(deny)).toEqual({ podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
    for (const d of ofKind(list, 'Deployment')) {
      const app = spec(d).template.metadata.labels['app.kubernetes.io/name'];
      const selects = (selector: any) => selector?.matchLabels?.['app.kubernetes.io/name'] === app;
      expect(policies.some((p) => selects(spec(p).podSelector))).toBe(true);
      expect(ofKind(list, 'PodDisruptionBudget').some((p) => selects(spec(p).selector))).toBe(true);
      expect(spec(d).template.spec.topologySpreadConstraints.length).toBeGreaterThan(0);
    }
  });

  it('ships every Grafana dashboard of the observability folder in the dashboards ConfigMap', () => {
    const cm = named(ofKind(objects(overlay), 'ConfigMap'), DASHBOARD_CONFIGMAP) as any;
    expect(cm.metadata.labels['grafana_dashboard']).toBe('1');
    const files = dashboardFiles(root);
    expect(Object.keys(cm.data ?? {}).sort()).toEqual(files);
    for (const f of files) expect(() => JSON.parse(cm.data[f])).not.toThrow();
    expect(JSON.stringify(cm.data ?? {}).length).toBeLessThan(900 * 1024);
  });

  it('pauses each service before SIGTERM (preStop) and leaves it the time of its ordered shutdown', () => {
    for (const d of ofKind(objects(overlay), 'Deployment').filter((x) =>
      deployed.some((s) => s.name === x.metadata.name),
    )) {
      const pod = spec(d).template.spec;
      const pause = pod.containers[0].lifecycle?.preStop?.sleep?.seconds;
      expect({ deployment: d.metadata.name, pause }).toEqual({
        deployment: d.metadata.name,
        pause: expect.any(Number),
      });
      // bootstrapService forces the exit after 25 s of shutdown.
      expect(pod.terminationGracePeriodSeconds).toBeGreaterThanOrEqual(pause + 25);
    }
  });

  it('scrapes every service replica with a PodMonitor and gives its alerts only labels that exist', () => {
    const list = objects(overlay);
    const pm = named(ofKind(list, 'PodMonitor'), 'bhyt-services')!;
    const scraped = spec(pm).selector.matchExpressions[0].values;
    expect([...scraped].sort()).toEqual(deployed.map((s) => s.name).sort());
    for (const d of ofKind(list, 'Deployment').filter((x) => scraped.includes(x.metadata.name))) {
      expect(spec(d).template.spec.containers[0].ports.map((p: { name: string }) => p.name)).toContain(
        spec(pm).podMetricsEndpoints[0].port,
      );
    }
    const rule = named(ofKind(list, 'PrometheusRule'), 'bhyt-alerts')!;
    const alerts = spec(rule).groups.flatMap((g: { rules: Array<{ alert?: string; expr: string }> }) =>
      g.rules.filter((r) => r.alert),
    ) as Array<{ alert: string; expr: string }>;
    expect(alerts.length).toBeGreaterThanOrEqual(15);
    expect(alertLabelProblems(alerts, podMonitorTargetLabels(pm), metricLabels(), selectedLabels)).toEqual(
      [],
    );
  });
});

/** Label names of every metric the code registers, as Prometheus stores them. */
function metricLabels(): MetricLabels {
  initMetrics('k8s-check');
  registerAllMetrics();
  const out: MetricLabels = new Map();
  for (const m of metricsRegistry.getMetricsAsArray() as unknown as Array<{
    name: string;
    type: string;
    labelNames?: string[];
  }>) {
    const labels = new Set([...(m.labelNames ?? []), 'service']);
    const names =
      m.type === 'histogram'
        ? [`${m.name}_bucket`, `${m.name}_sum`, `${m.name}_count`]
        : m.type === 'counter' && !m.name.endsWith('_total')
          ? [m.name, `${m.name}_total`]
          : [m.name];
    for (const n of names) out.set(n, n.endsWith('_bucket') ? new Set([...labels, 'le']) : labels);
  }
  return out;
}

describe('the manifests kept in step with their sources', () => {
  it('topics.yaml is what the generator makes from libs/contracts', () => {
    expect(readFileSync(join(root, 'k8s/base/kafka/topics.yaml'), 'utf8')).toBe(kafkaTopicsYaml(allTopics()));
  });

  it('the PrometheusRule carries exactly the alert rules of observability/prometheus/rules', () => {
    // A changed alert fails here until `node dist/tools/k8s/sync-monitoring.js` regenerates it.
    expect(readFileSync(join(root, PROMETHEUS_RULE_FILE), 'utf8')).toBe(prometheusRuleYaml(root));
  });

  it('every alert links to a heading of docs/runbook.md that exists', () => {
    const groups = loadRuleGroups(root);
    expect(groups.flatMap((g) => g.rules).filter((r) => r.alert).length).toBeGreaterThanOrEqual(15);
    expect(runbookProblems(groups, readFileSync(join(root, RUNBOOK), 'utf8'))).toEqual([]);
  });

  it('the dashboards kustomization lists the folder’s dashboards, however many there are', () => {
    // A new dashboard fails here until `node dist/tools/k8s/sync-dashboards.js` lists it.
    expect(readFileSync(join(root, DASHBOARD_DIR, 'kustomization.yaml'), 'utf8')).toBe(
      dashboardKustomization(dashboardFiles(root)),
    );
  });

  it('the dev cluster serves the same demo facilities as the local stack', () => {
    const dev = JSON.parse(readFileSync(join(root, 'k8s/overlays/dev/facilities.json'), 'utf8'));
    expect(dev).toEqual(JSON.parse(readFileSync(join(root, 'config/facilities.dev.json'), 'utf8')));
  });

  it('the image uses the project’s Node 24 on a Debian base given as a build argument and runs as a non-root user', () => {
    const dockerfile = readFileSync(join(root, 'Dockerfile'), 'utf8');
    const pin = /NODE_PIN="\$\{NODE_PIN:-([0-9.]+)\}"/.exec(
      readFileSync(join(root, 'scripts/lib/node.sh'), 'utf8'),
    )![1];
    expect(dockerfile).toContain(`ARG NODE_VERSION=${pin}`);
    expect(pin!.startsWith('24.')).toBe(true);
    // The base is a build argument (npm run images passes a locally made one); by default the public slim image.
    expect(dockerfile).toContain('ARG BASE_IMAGE=node:${NODE_VERSION}-${DEBIAN_RELEASE}-slim');
    const froms = [...dockerfile.matchAll(/^FROM (\S+)/gm)].map((m) => m[1]);
    expect(froms).toEqual(['${BASE_IMAGE}', '${BASE_IMAGE}', 'runtime']);
    // The base that scripts/images.sh makes carries the same Node.
    expect(readFileSync(join(root, 'scripts/lib/images-env.sh'), 'utf8')).toContain(
      'BASE_IMAGE="${BASE_IMAGE:-localhost/bhyt/node-base:$NODE_PIN-$DEBIAN_RELEASE}"',
    );
    const users = [...dockerfile.matchAll(/^USER (\S+)/gm)].map((m) => m[1]);
    expect(users.at(-1)).toBe('1000:1000');
    expect(dockerfile).toMatch(/pkcs11js\/build\/Release\/pkcs11\.node/);
  });

  it('every service has an Nx image target building its entry point from the Dockerfile', () => {
    for (const service of Object.values(Services)) {
      const project = JSON.parse(readFileSync(join(root, 'apps', service.name, 'project.json'), 'utf8'));
      expect(project.targets.image.command).toContain(`--build-arg SERVICE=${service.name}`);
      expect(project.targets.image.command).toContain('--file Dockerfile');
    }
  });

  it('docker compose runs every service beside Kafka and PostgreSQL, SoftHSM inside the signer', () => {
    const compose = parse(readFileSync(join(root, 'docker-compose.yml'), 'utf8'), { merge: true });
    for (const service of Object.values(Services))
      expect(Object.keys(compose.services)).toContain(service.name);
    expect(Object.keys(compose.services)).toEqual(expect.arrayContaining(['kafka', 'postgres']));
    expect(compose.services.signer.build.target).toBe('runtime-softhsm');
    for (const service of Object.values(Services)) {
      expect(compose.services[service.name].read_only).toBe(true);
      expect(compose.services[service.name].user).toBe('1000:1000');
    }
    for (const s of Object.values(compose.services) as { image?: string }[])
      if (s.image && !s.image.startsWith('bhyt/')) expect(imageIsPinned(s.image)).toBe(true);
  });
});

describe('the checks themselves', () => {
  const deployment = (container: Record<string, unknown>, pod: Record<string, unknown> = {}): K8sObject => ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'x' },
    spec: {
      selector: { matchLabels: { a: 'b' } },
      template: {
        metadata: { labels: { a: 'b' } },
        spec: { containers: [{ name: 'c', ...container }], ...pod },
      },
    },
  });

  it('the schema check rejects a malformed object and an unknown kind', () => {
    const report = schemaCheck([
      {
        apiVersion: 'kafka.strimzi.io/v1',
        kind: 'KafkaTopic',
        metadata: { name: 't' },
        spec: { partitions: 'six' },
      },
      { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' }, spec: { template: {} } },
      { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' } },
    ]);
    expect(report.failures.map((f) => f.kind)).toEqual(['KafkaTopic', 'Deployment', 'Widget']);
    expect(report.failures[0]!.error).toContain('partitions');
  });

  it('the policy names each broken rule of a careless deployment', () => {
    const rules = checkPolicy([deployment({ image: 'nginx:latest' })]).map((v) => v.rule);
    expect(rules).toEqual(
      expect.arrayContaining([
        'image nginx:latest must be pinned to a tag other than latest, or a digest',
        'pod securityContext.runAsNonRoot must be true',
        'container c: readOnlyRootFilesystem must be true',
        'container c: limits.memory must be set',
        'container c: livenessProbe must be set',
        'container c: must drop ALL capabilities',
      ]),
    );
    expect(checkPolicy([{ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' } }])).toHaveLength(1);
  });

  it('the label check names an alert that selects a label the PodMonitor or its metric does not give', () => {
    const pm: K8sObject = {
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'PodMonitor',
      metadata: { name: 'bhyt-services', namespace: 'bhyt' },
      spec: { podMetricsEndpoints: [{ port: 'http' }] },
    };
    const problems = alertLabelProblems(
      [
        { alert: 'OldJob', expr: 'up{job="bhyt"} == 0' },
        { alert: 'NoSuchLabel', expr: 'sum by (pod_name) (bhyt_hsm_up) == 0' },
        { alert: 'Fine', expr: 'max by (namespace, pod) (up{job="bhyt/bhyt-services"}) == 0' },
      ],
      podMonitorTargetLabels(pm),
      metricLabels(),
      selectedLabels,
    );
    expect(problems).toEqual([
      'OldJob: up{job="bhyt"} never matches: the PodMonitor sets job="bhyt/bhyt-services"',
      'NoSuchLabel: bhyt_hsm_up has no label pod_name',
    ]);
  });

  it('the runbook check names an alert without runbook_url or with an anchor the runbook lacks', () => {
    const groups = [
      {
        name: 'g',
        rules: [
          { alert: 'A', expr: 'x', annotations: {} },
          { alert: 'B', expr: 'x', annotations: { runbook_url: `${RUNBOOK_BASE_URL}no-such-heading` } },
          { alert: 'C', expr: 'x', annotations: { runbook_url: `${RUNBOOK_BASE_URL}dead-letters` } },
        ],
      },
    ];
    expect(runbookProblems(groups, '# Runbook\n\n## Dead letters\n')).toEqual([
      'A: no runbook_url',
      `B: ${RUNBOOK} has no heading #no-such-heading`,
    ]);
  });

  it('an image is pinned by a tag other than latest or by a digest', () => {
    expect(imageIsPinned('registry:5000/bhyt/intake:0.1.0')).toBe(true);
    expect(imageIsPinned(`bhyt/intake@sha256:${'a'.repeat(64)}`)).toBe(true);
    expect(imageIsPinned('registry:5000/bhyt/intake')).toBe(false);
    expect(imageIsPinned('bhyt/intake:latest')).toBe(false);
  });
});
