// Writes k8s/base/monitoring/prometheusrule.yaml from observability/prometheus/rules/*.yml.
// Run after changing an alert: `bash scripts/with-node.sh node dist/tools/k8s/sync-monitoring.js`.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repositoryRoot } from './kustomize';
import { PROMETHEUS_RULE_FILE, prometheusRuleYaml } from './monitoring';

const root = repositoryRoot();
writeFileSync(join(root, PROMETHEUS_RULE_FILE), prometheusRuleYaml(root));
console.error(`› ${PROMETHEUS_RULE_FILE} written from the alert rules`);
