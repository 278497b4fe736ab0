// Rewrites observability/grafana/dashboards/kustomization.yaml from the folder's *.json files.
// Run after adding or removing a dashboard: `bash scripts/with-node.sh node dist/tools/k8s/sync-dashboards.js`.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DASHBOARD_DIR, dashboardFiles, dashboardKustomization } from './dashboards';
import { repositoryRoot } from './kustomize';

const root = repositoryRoot();
const files = dashboardFiles(root);
writeFileSync(join(root, DASHBOARD_DIR, 'kustomization.yaml'), dashboardKustomization(files));
console.error(`› ${files.length} dashboards listed in ${DASHBOARD_DIR}/kustomization.yaml`);
