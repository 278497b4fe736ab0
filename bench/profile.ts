/*
 * Summarises V8 CPU profiles (node --cpu-prof) of the service processes: the functions with the
 * most self time, grouped by function and source file, so that a bottleneck has a name.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

interface CpuProfile {
  nodes: Array<{ id: number; callFrame: { functionName: string; url: string; lineNumber: number } }>;
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileSummary {
  file: string;
  totalMs: number;
  idleMs: number;
  gcMs: number;
  top: Array<{ name: string; ms: number; share: number }>;
  /** Self time by package / area (kafkajs, pg, typeorm, xml130, signing, zod, node internals…). */
  byArea: Array<{ area: string; ms: number; share: number }>;
}

function area(url: string, fn: string): string {
  if (!url) return fn.startsWith('(') ? fn : '(native)';
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (m) return m[1]!;
  if (url.startsWith('node:')) return 'node:' + url.slice(5).split('/')[0];
  const lib = /\/(libs|apps)\/([^/]+)\//.exec(url);
  return lib ? `${lib[1]}/${lib[2]}` : 'other';
}

export function summarizeProfile(file: string, root: string, topN = 12): ProfileSummary {
  const p = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  for (let i = 0; i < p.samples.length; i++)
    self.set(p.samples[i]!, (self.get(p.samples[i]!) ?? 0) + (p.timeDeltas[i] ?? 0));
  const byName = new Map<string, number>();
  const byArea = new Map<string, number>();
  let total = 0;
  let idle = 0;
  let gc = 0;
  for (const [id, us] of self) {
    const cf = byId.get(id)!.callFrame;
    total += us;
    if (cf.functionName === '(idle)') {
      idle += us;
      continue;
    }
    if (cf.functionName === '(garbage collector)') gc += us;
    const url = cf.url.replace(/^file:\/\//, '');
    const where = url
      ? `${url.includes('node_modules') ? url.slice(url.lastIndexOf('node_modules/') + 13) : relative(root, url)}:${cf.lineNumber + 1}`
      : '';
    const name = `${cf.functionName || '(anonymous)'} ${where}`.trim();
    byName.set(name, (byName.get(name) ?? 0) + us);
    const a = area(url, cf.functionName);
    byArea.set(a, (byArea.get(a) ?? 0) + us);
  }
  const busy = Math.max(1, total - idle);
  const sorted = (m: Map<string, number>) => [...m.entries()].sort((a, b) => b[1] - a[1]);
  return {
    file,
    totalMs: total / 1000,
    idleMs: idle / 1000,
    gcMs: gc / 1000,
    top: sorted(byName)
      .slice(0, topN)
      .map(([name, us]) => ({ name, ms: us / 1000, share: us / busy })),
    byArea: sorted(byArea)
      .slice(0, topN)
      .map(([a, us]) => ({ area: a, ms: us / 1000, share: us / busy })),
  };
}

/** Profiles in `dir` named by node's default pattern CPU.<date>.<time>.<pid>.<tid>.<seq>.cpuprofile, by pid. */
export function profilesByPid(dir: string): Map<number, string> {
  const out = new Map<number, string>();
  for (const f of readdirSync(dir)) {
    const m = /^CPU\.\d+\.\d+\.(\d+)\.\d+\.\d+\.cpuprofile$/.exec(f);
    if (m && statSync(join(dir, f)).size > 0) out.set(Number(m[1]), join(dir, f));
  }
  return out;
}
