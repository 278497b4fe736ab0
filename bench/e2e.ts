/*
 * End to end: encounter.closed events injected straight into the bench platform's namespace
 * (the REST demo driver is not what we measure), followed to the simulator's receipt. The
 * closedAt stamped at publish time against the simulator's receivedAt is the latency.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { EncounterClosed, Topics } from '@bhyt/contracts';
import { createEvent, createKafka, EventPublisher, OutgoingMessage } from '@bhyt/messaging';
import type { SyntheticClaim } from './claim-mix';
import { simulatorStats, simulatorSubmissionsWith, steadyRate, waitAccepted } from './stages';

function closedEvent(c: SyntheticClaim, namespace: string, closedAt: Date): OutgoingMessage {
  const payload: EncounterClosed = { ...c.payload, closedAt: closedAt.toISOString() };
  const { message } = createEvent(Topics.encounterClosed.name, {
    facilityCode: payload.facilityCode,
    key: payload.maLk,
    payload,
    occurredAt: closedAt,
  });
  return { ...message, topic: `${namespace}${message.topic}` };
}

export interface Percentiles {
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

export function percentiles(values: number[]): Percentiles {
  const v = [...values].sort((a, b) => a - b);
  const at = (q: number): number =>
    v.length ? v[Math.min(v.length - 1, Math.ceil(q * v.length) - 1)]! : NaN;
  return { p50: at(0.5), p95: at(0.95), p99: at(0.99), max: v[v.length - 1] ?? NaN };
}

async function publisherFor(brokers: string): Promise<EventPublisher> {
  const p = new EventPublisher(createKafka({ brokers: brokers.split(','), clientId: 'bhyt-bench-e2e' }));
  await p.connect();
  return p;
}

/** All claims at once (as fast as the producer takes them); throughput from the simulator's receipts. */
export async function e2eSaturation(
  brokers: string,
  namespace: string,
  sim: string,
  claims: SyntheticClaim[],
  prefix: string,
  timeoutMs: number,
  onProgress?: (n: number) => void,
): Promise<{
  steadyPerS: number;
  overallPerS: number;
  publishPerS: number;
  complete: boolean;
  received: number;
  duplicates: number;
}> {
  const publisher = await publisherFor(brokers);
  try {
    const base = await simulatorStats(sim);
    const t0 = Date.now();
    for (let i = 0; i < claims.length; i += 200)
      await publisher.send(claims.slice(i, i + 200).map((c) => closedEvent(c, namespace, new Date())));
    const publishPerS = claims.length / ((Date.now() - t0) / 1000);
    const complete = await waitAccepted(
      sim,
      base.accepted + base.rejected,
      claims.length,
      timeoutMs,
      onProgress,
    );
    const subs = await simulatorSubmissionsWith(sim, prefix);
    const times = subs.map((s) => Date.parse(s.receivedAt));
    const last = Math.max(...times);
    return {
      steadyPerS: steadyRate(times),
      overallPerS: subs.length / ((last - t0) / 1000),
      publishPerS,
      complete,
      received: subs.length,
      duplicates: subs.filter((s) => s.duplicateOf).length,
    };
  } finally {
    await publisher.disconnect();
  }
}

/**
 * A fixed offered load: `perSecond` encounter.closed events a second for `seconds`, paced every
 * 50 ms; latency = simulator receivedAt − closedAt, per claim.
 */
export async function e2eFixedLoad(
  brokers: string,
  namespace: string,
  sim: string,
  claims: SyntheticClaim[],
  prefix: string,
  perSecond: number,
  timeoutMs: number,
): Promise<{ latencyMs: Percentiles; offeredPerS: number; complete: boolean; received: number }> {
  const publisher = await publisherFor(brokers);
  const closedAt = new Map<string, number>();
  try {
    const base = await simulatorStats(sim);
    const t0 = performance.now();
    let sent = 0;
    while (sent < claims.length) {
      const due = Math.min(claims.length, Math.floor(((performance.now() - t0) / 1000) * perSecond));
      if (due > sent) {
        const now = new Date();
        const batch = claims.slice(sent, due);
        for (const c of batch) closedAt.set(c.payload.maLk, now.getTime());
        await publisher.send(batch.map((c) => closedEvent(c, namespace, now)));
        sent = due;
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    const offeredPerS = sent / ((performance.now() - t0) / 1000);
    const complete = await waitAccepted(sim, base.accepted + base.rejected, claims.length, timeoutMs);
    const subs = await simulatorSubmissionsWith(sim, prefix);
    const latencies = subs
      .filter((s) => closedAt.has(s.maLk))
      .map((s) => Date.parse(s.receivedAt) - closedAt.get(s.maLk)!);
    return { latencyMs: percentiles(latencies), offeredPerS, complete, received: subs.length };
  } finally {
    await publisher.disconnect();
  }
}

/** CPU seconds (user + system) of every process, by pid, from /proc: who burned the cores. */
export function cpuByPid(): Map<number, { comm: string; cmd: string; seconds: number }> {
  const hz = 100; // USER_HZ on Linux
  const out = new Map<number, { comm: string; cmd: string; seconds: number }>();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const close = stat.lastIndexOf(')');
      const comm = stat.slice(stat.indexOf('(') + 1, close);
      const f = stat.slice(close + 2).split(' ');
      const cmd = readFileSync(`/proc/${d}/cmdline`, 'utf8').replaceAll('\0', ' ').slice(0, 300);
      out.set(Number(d), { comm, cmd, seconds: (Number(f[11]) + Number(f[12])) / hz });
    } catch {
      /* exited meanwhile */
    }
  }
  return out;
}

/** CPU seconds per component between two snapshots, by the labels `label` gives each process. */
export function cpuDelta(
  before: ReturnType<typeof cpuByPid>,
  after: ReturnType<typeof cpuByPid>,
  label: (pid: number, p: { comm: string; cmd: string }) => string,
): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [pid, p] of after) {
    const d = p.seconds - (before.get(pid)?.seconds ?? 0);
    if (d <= 0) continue;
    const l = label(pid, p);
    out[l] = (out[l] ?? 0) + d;
  }
  return out;
}
