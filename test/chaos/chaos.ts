import { execFile, execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Producer } from 'kafkajs';
import { devClientId } from '@bhyt/auth/testing';
import { Topics, ServiceKey } from '@bhyt/contracts';
import { wardEventsFromRecord } from '@bhyt/encounter-domain';
import { createKafka, physicalTopic } from '@bhyt/messaging';
import { listScenarios } from '@bhyt/xml130/testing';
import { buildEndingAt, registrationFor } from '../../tools/platform/demo';
import { ROOT } from '../../tools/platform/processes';
import { startTestPlatform, TestPlatform, waitFor } from '../support/harness';
import { readExactlyOnce } from './exactly-once';

const run = promisify(execFile);

/**
 * The chaos suite: claims of several facilities flow through the whole platform, every service
 * running as `replicas` processes, while replicas are SIGKILLed at random, services go through
 * rolling restarts and scale down to one replica and back up, the Kafka broker and PostgreSQL are
 * restarted (long variant only: they are shared with other suites) and the gateway simulator
 * answers 5xx, hangs past the client timeout, accepts-then-drops and is slow. Afterwards the
 * simulator's own record decides: every closed encounter submitted exactly once (with the
 * production gateway, which has no lookup: at most once per ambiguous send, and every extra
 * send listed by the operator API), none lost, none stuck, every deadline met or reported, every
 * failure explained by the operator API.
 *
 * Ward events go over Kafka (encounter.ward-events.v1) so that volume does not ride on one REST
 * call per event; registration and close stay on REST (with tokens) like the ward systems'.
 */
export interface ChaosOptions {
  name: string;
  portOffset: number;
  /** Processes per service (intake, encounter, signer, gateway-sync, reporting). */
  replicas?: number;
  /** `production`: the simulator without lookup and result routes, as the real gateway. */
  gateway?: 'simulator' | 'production';
  claims: number;
  facilities: string[];
  concurrency: number;
  /** Mean time between two faults injected into the platform. */
  faultEveryMs: number;
  killServices: boolean;
  /** Shared with everything else on the machine: only where nothing else runs. */
  restartKafka: boolean;
  restartPostgres: boolean;
  gatewayFaults: boolean;
  /** Every n-th encounter ended 25 h ago: its deadline is already past and must be reported. */
  overdueEvery: number;
  /** Upper bound of the load phase: later claims are not started (the run still ends cleanly). */
  loadTimeoutMs: number;
  /** How long one encounter may take from registration to close before the driver gives up on it
   * (it is then counted as failed to close, not as lost). Default 300 s; an overloaded machine
   * needs more, and that is a matter of speed, not of exactly-once. */
  encounterTimeoutMs?: number;
  /** Upper bound of the wait for the pipeline to drain after the load. */
  settleTimeoutMs: number;
  log?: (line: string) => void;
}

export interface ChaosResult {
  replicas: number;
  gateway: 'simulator' | 'production';
  claims: number;
  lost: number;
  /** Claims the gateway received more than once (same MA_LK and version). */
  duplicates: number;
  /** Rows not final and past their lease at the end (gateway-sync's operator API). */
  stuck: number | null;
  /** Sends whose outcome was unknown (timeout after the body went out), as gateway-sync counted them. */
  ambiguous_sends: number | null;
  /** (facility, MA_LK, version) that gateway-sync lists as possibly received twice. */
  possible_duplicates: number | null;
  deadline_missed: number;
  unexplained_failures: number;
  faults: Record<string, number>;
  failedToClose: number;
  details: {
    lost: string[];
    duplicates: string[];
    unlistedDuplicates: string[];
    deadlineMissed: string[];
    unexplained: string[];
    closeErrors: string[];
    notes: string[];
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const KILLABLE: ServiceKey[] = ['intake', 'encounter', 'signer', 'gatewaySync', 'reporting'];
const pick = <T>(list: readonly T[]): T => list[Math.floor(Math.random() * list.length)]!;

let roundRobin = 0;
/** The base URL of a running replica of a service (round robin, as a Kubernetes Service would). */
function replicaUrl(t: TestPlatform, service: ServiceKey): string {
  const live = t.platform.live(service);
  return (live.length ? live[roundRobin++ % live.length]! : t.platform.get(service)).url;
}

/** One REST call with the ward system's token to any replica, retried while replicas are down (killed). */
async function call(
  t: TestPlatform,
  client: string,
  service: ServiceKey,
  path: string,
  body: unknown | undefined,
  accept: (status: number) => boolean,
  deadline: number,
): Promise<{ status: number; json: Record<string, unknown> }> {
  for (let i = 0; ; i++) {
    let status = 0;
    let json: Record<string, unknown> = {};
    const url = `${replicaUrl(t, service)}${path}`;
    try {
      const res = await t.fetchAs(client, url, {
        method: body === undefined ? 'GET' : 'POST',
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(20000),
      });
      status = res.status;
      json = (await res.json().catch(() => ({}))) as Record<string, unknown>;
    } catch {
      status = 0; // connection refused or reset: the service is being restarted
    }
    if (accept(status)) return { status, json };
    if (Date.now() > deadline)
      throw new Error(
        `${new URL(url).pathname.replace(/\/encounters\/.*/, '/encounters/…')} answered ${status}${json['error'] ? ` ${String(json['error'])}` : ''}`,
      );
    await sleep(Math.min(2000, 100 * 2 ** Math.min(i, 4)));
  }
}

async function publishWardEvents(
  producer: Producer,
  topic: string,
  messages: Array<{ key: string; value: string; headers: Record<string, string> }>,
  deadline: number,
): Promise<void> {
  for (;;) {
    try {
      await producer.send({ topic, messages, acks: -1 });
      return;
    } catch (err) {
      // The broker is restarting: re-send (ward events are deduplicated by eventId).
      if (Date.now() > deadline) throw err;
      await sleep(1000);
    }
  }
}

interface Closed {
  facility: string;
  maLk: string;
}

export async function runChaos(o: ChaosOptions): Promise<ChaosResult> {
  const log = o.log ?? (() => undefined);
  const replicas = o.replicas ?? 1;
  const gateway = o.gateway ?? 'simulator';
  const t = await startTestPlatform(
    o.name,
    o.portOffset,
    {
      // Faults must resolve within the run: short client timeout and reconcile settle time.
      GATEWAY_TIMEOUT_MS: '2000',
      GATEWAY_RECONCILE_SETTLE_MS: '3000',
      GATEWAY_BACKOFF_BASE_MS: '200',
      GATEWAY_BACKOFF_MAX_MS: '3000',
      GATEWAY_CIRCUIT_OPEN_MS: '2000',
      GATEWAY_RESULT_POLL_MS: '1000',
      // A SIGKILLed replica's attempts come back to the others within seconds, not 45 s.
      GATEWAY_LEASE_MS: '6000',
      GATEWAY_LEASE_SWEEP_MS: '1000',
      // One PostgreSQL (max_connections 100 by default) serves every replica: 10 connections
      // each would be 150 with 3 replicas of 5 services. Fewer per process, as in production
      // where DB_POOL_SIZE × replicas must stay under the server's limit.
      ...(replicas > 1 ? { DB_POOL_SIZE: String(Math.max(2, Math.floor(8 / replicas))) } : {}),
    },
    { replicas, gateway },
  );
  log(`platform up: ${replicas} replica(s) of each service, gateway ${gateway}`);
  const sim = t.platform.url('gatewaySimulator');
  const faults: Record<string, number> = {};
  const count = (k: string) => (faults[k] = (faults[k] ?? 0) + 1);
  const kafka = createKafka({
    brokers: process.env['KAFKA_BROKERS']!.split(','),
    clientId: `chaos-${o.name}`,
  });
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  const wardTopic = physicalTopic(Topics.wardEvents.name, t.namespace);
  const closed: Closed[] = [];
  const closeErrors: string[] = [];
  try {
    if (o.gatewayFaults) {
      await fetch(`${sim}/admin/faults`, {
        method: 'POST',
        body: JSON.stringify({
          seed: 4711,
          routes: ['submit', 'checkin', 'token'],
          latency: { kind: 'longTail', baseMs: 40, tailMs: 1500, tailProbability: 0.03 },
          probabilities: {
            http5xx: 0.04,
            http500: 0.02,
            hang: 0.015,
            reset: 0.02,
            acceptThenDrop: 0.04,
            business500: 0.02,
            business124: 0.02,
            rateLimit: 0.01,
          },
          hangMs: 3000,
        }),
      });
    }

    // ---------------------------------------------------------------- chaos monkey
    let loadDone = false;
    const monkey = (async () => {
      let n = 0;
      while (!loadDone) {
        await sleep(o.faultEveryMs * (0.5 + Math.random()));
        if (loadDone) break;
        const actions = [
          ...(o.killServices ? ['kill', 'kill', 'kill', 'rolling', ...(replicas > 1 ? ['scale'] : [])] : []),
          ...(o.restartKafka && n % 4 === 3 ? ['kafka'] : []),
          ...(o.restartPostgres && n % 4 === 1 ? ['postgres'] : []),
        ];
        n++;
        const action = actions[Math.floor(Math.random() * actions.length)];
        try {
          if (action === 'kill') {
            // Any replica of any service, as the OOM killer or a node failure would.
            const live = KILLABLE.flatMap((k) => t.platform.live(k));
            if (live.length === 0) continue;
            const p = pick(live);
            count(`sigkill:${p.key}`);
            log(`chaos: SIGKILL ${p.label}`);
            await p.stop('SIGKILL');
            await sleep(300 + Math.random() * 1500);
            p.start();
            await p.waitReady(120000);
          } else if (action === 'rolling') {
            // A rolling update: one replica at a time, SIGTERM (graceful), the next once it is ready.
            const key = pick(KILLABLE);
            count(`rolling:${key}`);
            log(`chaos: rolling restart of ${key} (${replicas} replica(s))`);
            for (const p of t.platform.replicas(key)) {
              await p.stop('SIGTERM');
              p.start();
              await p.waitReady(120000);
            }
          } else if (action === 'scale') {
            const key = pick(KILLABLE);
            count(`scale:${key}`);
            log(`chaos: scaling ${key} down to 1 replica and back up to ${replicas}`);
            await t.platform.scale(key, 1);
            await sleep(2000 + Math.random() * 4000);
            await t.platform.scale(key, replicas);
          } else if (action === 'kafka') {
            count('restart:kafka');
            log('chaos: restarting the Kafka broker');
            await run('bash', [join(ROOT, 'scripts/stack.sh'), 'restart-kafka'], {
              env: process.env,
              timeout: 180000,
            });
          } else if (action === 'postgres') {
            count('restart:postgres');
            log('chaos: restarting PostgreSQL');
            const { version, cluster } = clusterServing(Number(process.env['PGPORT'] ?? 5432));
            await run('pg_ctlcluster', ['--skip-systemctl-redirect', version, cluster, 'restart'], {
              timeout: 120000,
            });
          }
        } catch (err) {
          log(`chaos: ${action} failed: ${err instanceof Error ? err.message : String(err)}`);
        }
      }
    })();

    // ---------------------------------------------------------------- load
    const scenarios = listScenarios();
    const started = Date.now();
    const loadDeadline = started + o.loadTimeoutMs;
    let next = 0;
    const worker = async () => {
      for (;;) {
        const i = next++;
        if (i >= o.claims) return;
        if (Date.now() > loadDeadline) {
          closeErrors.push(`#${i}: not started, the load phase ran out of time`);
          continue;
        }
        const facility = o.facilities[i % o.facilities.length]!;
        const client = devClientId.ward(facility);
        const scenario = scenarios[i % scenarios.length]!;
        const overdue = o.overdueEvery > 0 && i % o.overdueEvery === o.overdueEvery - 1;
        // Ended 2–6 h ago (overdue: 26 h ago), whatever the scenario's length: no dates in the future.
        const endedAt = started - (overdue ? 26 : 2 + (i % 5)) * 3600_000 - (i % 60) * 60_000;
        const record = buildEndingAt(
          scenario,
          { facilityCode: facility, maLk: 'PENDING', patientSeed: 50_000 + i },
          endedAt,
        );
        try {
          const deadline = Math.min(Date.now() + (o.encounterTimeoutMs ?? 300_000), loadDeadline + 60_000);
          const reg = await call(
            t,
            client,
            'intake',
            `/v1/facilities/${facility}/visits`,
            registrationFor(record, 'CCCD', `chaos-${o.name}-${i}`),
            (s) => s === 201,
            deadline,
          );
          const maLk = String(reg.json['maLk']);
          record.maLk = maLk;
          const url = `/v1/facilities/${facility}/encounters/${encodeURIComponent(maLk)}`;
          await call(t, client, 'encounter', url, undefined, (s) => s === 200, deadline); // opened from intake.registered
          const events = wardEventsFromRecord(record);
          await publishWardEvents(
            producer,
            wardTopic,
            events.map((ev) => ({
              key: maLk,
              value: JSON.stringify(ev),
              headers: { 'x-facility': facility },
            })),
            deadline,
          );
          await call(t, client, 'encounter', url, undefined, (s) => s === 200, deadline);
          await waitFor(
            'ward events applied',
            async () => {
              const r = await call(t, client, 'encounter', url, undefined, (s) => s === 200, deadline);
              return Number(r.json['ward_events']) >= events.length ? true : undefined;
            },
            Math.max(1000, deadline - Date.now()),
            300,
          );
          // 409 ALREADY_CLOSED: an earlier attempt closed it and its answer was lost to a kill.
          await call(t, client, 'encounter', `${url}/close`, {}, (s) => s === 200 || s === 409, deadline);
          closed.push({ facility, maLk });
        } catch (err) {
          closeErrors.push(`#${i} ${scenario.name}: ${err instanceof Error ? err.message : String(err)}`);
        }
        if ((i + 1) % 100 === 0)
          log(
            `load: ${i + 1}/${o.claims} started, ${closed.length} closed, ${Math.round((Date.now() - started) / 1000)} s`,
          );
      }
    };
    await Promise.all(Array.from({ length: o.concurrency }, worker));
    loadDone = true;
    await monkey;
    log(`load done: ${closed.length} closed in ${Math.round((Date.now() - started) / 1000)} s; draining`);

    // ---------------------------------------------------------------- settle
    await fetch(`${sim}/admin/faults`, { method: 'POST', body: JSON.stringify({}) });
    for (const key of KILLABLE) await t.platform.scale(key, replicas);
    const keyOf = (f: string, m: string) => `${f}|${m}`;
    // Without result routes (production) the lifecycle ends at SUBMITTED: that is final there.
    const final = ['SUBMITTED', 'ACCEPTED', 'REJECTED', 'NEEDS_OPERATOR', 'SUPERSEDED'];
    const terminal = async () =>
      new Map(
        (
          await t.query<{ facility_code: string; ma_lk: string; status: string }>(
            'gatewaySync',
            `SELECT facility_code, ma_lk, status FROM submissions WHERE kind = 'claim' AND version = 1`,
          )
        ).map((r) => [keyOf(r.facility_code, r.ma_lk), r.status]),
      );
    await waitFor(
      'every closed claim at the gateway or in a terminal failure',
      async () => {
        const rows = await terminal();
        const done = closed.filter((c) => final.includes(rows.get(keyOf(c.facility, c.maLk)) ?? '')).length;
        log(`settle: ${done}/${closed.length}`);
        return done === closed.length ? true : undefined;
      },
      o.settleTimeoutMs,
      5000,
    ).catch((err: unknown) => log(`settle: ${err instanceof Error ? err.message : String(err)}`));

    // ---------------------------------------------------------------- verdict
    const received = (
      (await (await fetch(`${sim}/admin/submissions?limit=10000000`)).json()) as {
        submissions: Array<{
          facility: string;
          maLk: string;
          version: number;
          kind: string;
          receivedAt?: string;
        }>;
      }
    ).submissions.filter((s) => s.kind !== 'checkin');
    const perClaim = new Map<string, typeof received>();
    for (const s of received) {
      // By MA_LK, not by the simulator's version: it numbers every submission of an MA_LK (a
      // re-send of the same content is its "version 2"), and the chaos load sends version 1 only,
      // so every submission after the first is a duplicate.
      const k = keyOf(s.facility, s.maLk);
      perClaim.set(k, [...(perClaim.get(k) ?? []), s]);
    }
    const ops = t.platform.url('gatewaySync');
    const subs = new Map(
      (
        await t.query<{
          facility_code: string;
          ma_lk: string;
          status: string;
          deadline: Date;
          missed_notified: boolean;
          last_code: string | null;
          last_error: string | null;
        }>(
          'gatewaySync',
          `SELECT facility_code, ma_lk, status, deadline, missed_notified, last_code, last_error FROM submissions WHERE kind = 'claim' AND version = 1`,
        )
      ).map((r) => [keyOf(r.facility_code, r.ma_lk), r]),
    );
    const details: ChaosResult['details'] = {
      lost: [],
      duplicates: [],
      unlistedDuplicates: [],
      deadlineMissed: [],
      unexplained: [],
      closeErrors,
      notes: [],
    };
    const exactlyOnce = await readExactlyOnce(t);
    if (exactlyOnce.note) details.notes.push(exactlyOnce.note);
    const listed = new Set(
      (exactlyOnce.report?.possibleDuplicates ?? []).map((d) => `${keyOf(d.facility, d.maLk)}|${d.version}`),
    );
    for (const c of closed) {
      const k = keyOf(c.facility, c.maLk);
      const at = perClaim.get(k) ?? [];
      const row = subs.get(k);
      if (at.length > 1) {
        details.duplicates.push(`${k}: ${at.length} submissions at the gateway`);
        if (!listed.has(`${k}|1`))
          details.unlistedDuplicates.push(
            `${k}: received ${at.length} times, not listed by GET /v1/submissions/exactly-once`,
          );
      }
      const receivedAt = at[0] ? Date.parse(at[0].receivedAt ?? '') : NaN;
      if (
        row &&
        (Number.isNaN(receivedAt)
          ? Date.now() > row.deadline.getTime()
          : receivedAt > row.deadline.getTime()) &&
        !row.missed_notified
      )
        details.deadlineMissed.push(`${k}: late and not reported`);
      if (at.length > 0) continue;
      if (!row) {
        details.lost.push(`${k}: closed but unknown to gateway-sync and the gateway`);
        continue;
      }
      // Not at the gateway: the operator API must say why (a terminal status with a code).
      const res = await t.fetchAs('sre', `${ops}/v1/claims/${c.facility}/${encodeURIComponent(c.maLk)}`);
      const history = (await res.json().catch(() => ({}))) as {
        versions?: Array<{ status: string; last_code: string | null; last_error: string | null }>;
      };
      const v = history.versions?.[0];
      const explained =
        res.status === 200 &&
        v &&
        ['REJECTED', 'NEEDS_OPERATOR', 'SUPERSEDED'].includes(v.status) &&
        (v.last_code || v.last_error || v.status === 'SUPERSEDED');
      if (explained) continue;
      if (['REJECTED', 'NEEDS_OPERATOR'].includes(row.status))
        details.unexplained.push(`${k}: ${row.status} without a code or reason`);
      else details.lost.push(`${k}: never reached the gateway, still ${row.status}`);
    }
    // What the gateway simulator itself did to the platform (5xx, hangs, dropped answers…).
    const stats = (await (await fetch(`${sim}/admin/stats`)).json().catch(() => ({}))) as Record<
      string,
      unknown
    >;
    for (const [k, v] of Object.entries(stats))
      if (typeof v === 'number' && !/stored/i.test(k)) faults[`gateway:${k}`] = v;
    return {
      replicas,
      gateway,
      claims: closed.length,
      lost: details.lost.length,
      duplicates: details.duplicates.length,
      stuck: exactlyOnce.report?.stuck ?? exactlyOnce.fallbackStuck,
      ambiguous_sends: exactlyOnce.report?.ambiguousSends ?? null,
      possible_duplicates: exactlyOnce.report ? exactlyOnce.report.possibleDuplicates.length : null,
      deadline_missed: details.deadlineMissed.length,
      unexplained_failures: details.unexplained.length,
      faults,
      failedToClose: closeErrors.length,
      details,
    };
  } finally {
    await producer.disconnect().catch(() => undefined);
    await t.stop();
  }
}

/**
 * The Debian cluster (pg_lsclusters) that listens on `port`: a run against a cluster of its own
 * (PGPORT=25432 after `pg_createcluster 15 chaos -p 25432`) restarts only that one.
 */
function clusterServing(port: number): { version: string; cluster: string } {
  const rows = execFileSync('pg_lsclusters', ['--no-header'], { encoding: 'utf8' })
    .trim()
    .split('\n')
    .map((l) => l.trim().split(/\s+/));
  const row = rows.find((r) => Number(r[2]) === port);
  if (!row) throw new Error(`no local PostgreSQL cluster listens on port ${port} (pg_lsclusters)`);
  return { version: row[0]!, cluster: row[1]! };
}
