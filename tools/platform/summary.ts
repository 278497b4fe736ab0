import type { DemoEncounter } from './demo';

export interface SimulatorSubmission {
  maGiaoDich: string;
  facility: string;
  kind: string;
  /** Route the simulator received it on (…QD3176 / …QD4750 …). */
  endpoint?: string;
  maLk: string;
  version: number;
  receivedAt: string;
  sha256: string;
  status: string;
  duplicateOf?: string | null;
  signature?: unknown;
  errors?: unknown[];
}

export interface DemoSummary {
  encounters: number;
  closed: number;
  failedBeforeClose: number;
  submitted: number;
  rejected: number;
  duplicates: number;
  onTimePercent: number;
  p50ClosedToSubmittedMs: number | null;
  p99ClosedToSubmittedMs: number | null;
  byCareType: Record<string, number>;
  byIdentifier: Record<string, number>;
  /** Receptions (records and check-ins) per gateway route: shows which edition's endpoints were used. */
  byEndpoint: Record<string, number>;
}

export function percentile(values: number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const idx = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[idx]!;
}

/** Figures of a demo run, from the demo's own record and the simulator's record of receptions. */
export function summarize(
  demo: DemoEncounter[],
  received: SimulatorSubmission[],
  windowMs: number,
): DemoSummary {
  const records = received.filter((s) => s.kind !== 'checkin');
  const byKey = new Map<string, SimulatorSubmission>();
  const seenSha = new Set<string>();
  let duplicates = 0;
  for (const s of records) {
    const shaKey = `${s.facility}|${s.maLk}|${s.sha256}`;
    if (seenSha.has(shaKey) || s.duplicateOf) duplicates++;
    seenSha.add(shaKey);
    const key = `${s.facility}|${s.maLk}`;
    if (!byKey.has(key)) byKey.set(key, s);
  }
  const latencies: number[] = [];
  let onTime = 0;
  let submitted = 0;
  for (const e of demo) {
    const s = byKey.get(`${e.facilityCode}|${e.maLk}`);
    if (!s || !e.closedAt) continue;
    submitted++;
    const at = Date.parse(s.receivedAt);
    latencies.push(Math.max(0, at - e.closedAt));
    const deadline = e.encounterEnd + windowMs;
    if (at <= deadline) onTime++;
  }
  const count = (f: (e: DemoEncounter) => string) =>
    demo.reduce<Record<string, number>>((acc, e) => ((acc[f(e)] = (acc[f(e)] ?? 0) + 1), acc), {});
  return {
    encounters: demo.length,
    closed: demo.filter((e) => e.closedAt).length,
    failedBeforeClose: demo.filter((e) => e.error).length,
    submitted,
    rejected: records.filter(
      (s) => s.status === 'rejected' || (Array.isArray(s.errors) && s.errors.length > 0),
    ).length,
    duplicates,
    onTimePercent: submitted ? Math.round((onTime / submitted) * 1000) / 10 : 0,
    p50ClosedToSubmittedMs: percentile(latencies, 50),
    p99ClosedToSubmittedMs: percentile(latencies, 99),
    byCareType: count((e) => e.careType),
    byIdentifier: count((e) => e.identifierType),
    byEndpoint: received.reduce<Record<string, number>>(
      (acc, s) => ((acc[s.endpoint ?? '?'] = (acc[s.endpoint ?? '?'] ?? 0) + 1), acc),
      {},
    ),
  };
}
