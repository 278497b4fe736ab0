import type { K8sObject } from './kustomize';

/**
 * The platform's admission rules, checked offline on every rendered overlay: what a pod of
 * ours may not do (run as root, write its root filesystem, escalate, keep capabilities), what
 * it must declare (requests and limits, probes) and which images it may name (a pinned tag or
 * a digest, never `latest`). Operator-managed pods (Strimzi, CloudNativePG) are the
 * operators' business; their image references are still checked.
 */
export interface Violation {
  readonly object: string;
  readonly rule: string;
}

interface Container {
  name: string;
  image?: string;
  resources?: { requests?: Record<string, unknown>; limits?: Record<string, unknown> };
  livenessProbe?: unknown;
  readinessProbe?: unknown;
  securityContext?: {
    runAsNonRoot?: boolean;
    runAsUser?: number;
    readOnlyRootFilesystem?: boolean;
    allowPrivilegeEscalation?: boolean;
    privileged?: boolean;
    capabilities?: { drop?: string[]; add?: string[] };
  };
}

interface PodSpec {
  containers: Container[];
  initContainers?: Container[];
  securityContext?: { runAsNonRoot?: boolean; runAsUser?: number };
  automountServiceAccountToken?: boolean;
  hostNetwork?: boolean;
  hostPID?: boolean;
}

const WORKLOADS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob', 'Pod']);

export function podSpecOf(o: K8sObject): PodSpec | undefined {
  if (!WORKLOADS.has(o.kind)) return undefined;
  type Template = { template?: { spec?: PodSpec } };
  const spec = o['spec'] as (PodSpec & Template & { jobTemplate?: { spec?: Template } }) | undefined;
  if (o.kind === 'Pod') return spec;
  if (o.kind === 'CronJob') return spec?.jobTemplate?.spec?.template?.spec;
  return spec?.template?.spec;
}

/** A reference is pinned when it has a digest, or a tag other than `latest`. */
export function imageIsPinned(image: string): boolean {
  if (/@sha256:[0-9a-f]{64}$/.test(image)) return true;
  const lastSegment = image.slice(image.lastIndexOf('/') + 1);
  const colon = lastSegment.lastIndexOf(':');
  if (colon < 0) return false;
  const tag = lastSegment.slice(colon + 1);
  return tag !== '' && tag !== 'latest';
}

/** Every image an object names, workloads and operator resources alike. */
export function imagesOf(o: K8sObject): string[] {
  const pod = podSpecOf(o);
  const images = pod ? [...(pod.initContainers ?? []), ...pod.containers].map((c) => c.image ?? '') : [];
  const spec = o['spec'] as Record<string, unknown> | undefined;
  if (o.kind === 'Cluster' && typeof spec?.['imageName'] === 'string') images.push(spec['imageName']);
  if (o.kind === 'Kafka') {
    const kafka = spec?.['kafka'] as Record<string, unknown> | undefined;
    if (typeof kafka?.['image'] === 'string') images.push(kafka['image']);
  }
  return images;
}

export function checkPolicy(objects: readonly K8sObject[]): Violation[] {
  const out: Violation[] = [];
  for (const o of objects) {
    const id = `${o.kind}/${o.metadata.name}`;
    const v = (rule: string) => out.push({ object: id, rule });
    if (o.kind === 'Secret') v('secrets are referenced (ExternalSecret), never committed');
    for (const image of imagesOf(o))
      if (!imageIsPinned(image))
        v(`image ${image || '(none)'} must be pinned to a tag other than latest, or a digest`);
    const pod = podSpecOf(o);
    if (!pod) continue;
    if (pod.securityContext?.runAsNonRoot !== true) v('pod securityContext.runAsNonRoot must be true');
    if (pod.securityContext?.runAsUser === 0) v('pod must not run as uid 0');
    if (pod.hostNetwork || pod.hostPID) v('pod must not share the host network or PID namespace');
    if (pod.automountServiceAccountToken !== false)
      v('pod must not mount a service account token it does not use');
    const all = [
      ...(pod.initContainers ?? []).map((c) => ({ c, init: true })),
      ...pod.containers.map((c) => ({ c, init: false })),
    ];
    for (const { c, init } of all) {
      const cv = (rule: string) => v(`container ${c.name}: ${rule}`);
      const sc = c.securityContext ?? {};
      if (sc.runAsUser === 0) cv('must not run as uid 0');
      if (sc.readOnlyRootFilesystem !== true) cv('readOnlyRootFilesystem must be true');
      if (sc.allowPrivilegeEscalation !== false) cv('allowPrivilegeEscalation must be false');
      if (sc.privileged === true) cv('must not be privileged');
      if (!(sc.capabilities?.drop ?? []).includes('ALL')) cv('must drop ALL capabilities');
      if ((sc.capabilities?.add ?? []).length) cv('must not add capabilities');
      for (const kind of ['requests', 'limits'] as const) {
        for (const resource of ['cpu', 'memory'])
          if (c.resources?.[kind]?.[resource] === undefined) cv(`${kind}.${resource} must be set`);
      }
      if (!init && !c.livenessProbe) cv('livenessProbe must be set');
      if (!init && !c.readinessProbe) cv('readinessProbe must be set');
    }
  }
  return out;
}
