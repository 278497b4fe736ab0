import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { Client, Pool } from 'pg';
import { allTopics, Services, ServiceKey } from '@bhyt/contracts';
import { createKafka, deleteNamespaceTopics, ensureTopics } from '@bhyt/messaging';
import { databaseUrl } from '@bhyt/persistence';
import { laneOf } from '@bhyt/persistence/testing';
import { Platform, stateDir } from '../../tools/platform/processes';
import { devTokenClient } from '../../tools/platform/dev-security';

/**
 * A whole platform for one e2e suite: its own Kafka namespace (topics and consumer groups),
 * its own databases (dropped first) and its own ports, so that suites and a running demo
 * never see each other's events. Talks to the real broker, PostgreSQL and SoftHSM.
 */
export interface TestPlatform {
  platform: Platform;
  namespace: string;
  suffix: string;
  query<T = Record<string, unknown>>(service: ServiceKey, sql: string, params?: unknown[]): Promise<T[]>;
  /** An access token of a development client (`ward-79001`, `doctor-79001`, `it-79001`, `province-79`, `sre`). */
  token(clientId: string): Promise<string>;
  /** fetch with that client's bearer token. */
  fetchAs(clientId: string, url: string, init?: RequestInit): Promise<Response>;
  stop(): Promise<void>;
}

export function requireStackEnv(): { databaseUrl: string; brokers: string } {
  const databaseUrlEnv = process.env['DATABASE_URL'];
  const brokers = process.env['KAFKA_BROKERS'];
  if (!databaseUrlEnv || !brokers || !process.env['SOFTHSM2_CONF']) {
    throw new Error(
      'e2e tests need the local stack: run them through `npm test` (it starts Kafka, PostgreSQL and SoftHSM and exports their settings)',
    );
  }
  return { databaseUrl: databaseUrlEnv, brokers };
}

/**
 * `E2E_LANE=N` (1–9) moves a whole run to its own databases and ports (+N×2000), so that two
 * checkouts can run the same suites against one local stack at the same time (the lane is read
 * once for every test, in @bhyt/persistence/testing).
 */

/** A suite's port offset moved to this run's lane. */
export const lanePortOffset = (suitePortOffset: number): number => suitePortOffset + laneOf() * 2000;

/** A suite's database suffix in this run's lane. */
export const laneSuffix = (name: string): string => (laneOf() ? `_l${laneOf()}_${name}` : `_${name}`);

/** How the platform runs: processes per service, and the gateway simulator's mode. */
export interface PlatformShape {
  replicas?: number;
  /**
   * `production`: the simulator behaves as the real gateway (GATEWAY_SIMULATOR_MODE=production:
   * no lookup, no result routes) and gateway-sync is not given the simulator's admin API.
   */
  gateway?: 'simulator' | 'production';
}

export async function startTestPlatform(
  name: string,
  suitePortOffset: number,
  extra: Record<string, string> = {},
  shape: PlatformShape = {},
): Promise<TestPlatform> {
  const { databaseUrl: url, brokers } = requireStackEnv();
  const portOffset = lanePortOffset(suitePortOffset);
  const suffix = laneSuffix(name);
  const namespace = `${name}-${randomBytes(3).toString('hex')}.`;
  const admin = new Client({ connectionString: databaseUrl(url, 'postgres') });
  await admin.connect();
  for (const s of Object.values(Services))
    await admin.query(`DROP DATABASE IF EXISTS ${s.database}${suffix} WITH (FORCE)`);
  await admin.end();
  // Fresh logs per run: suites read them (e.g. to prove no personal data is written).
  const logDir = `${process.env['STATE_DIR'] ?? '.state'}/logs/${laneSuffix(name).slice(1)}`;
  rmSync(logDir, { recursive: true, force: true });
  const kafka = createKafka({ brokers: brokers.split(','), clientId: 'bhyt-e2e' });
  // A busy broker can answer the metadata check right after creating topics with "does not host
  // this topic-partition": try again (creation is idempotent).
  for (let attempt = 1; ; attempt++) {
    try {
      await ensureTopics(kafka, allTopics(), namespace);
      break;
    } catch (err) {
      if (attempt >= 4) throw err;
      await new Promise((r) => setTimeout(r, 2000 * attempt));
    }
  }
  const platform = new Platform({
    databaseUrl: url,
    kafkaBrokers: brokers,
    databaseSuffix: suffix,
    portOffset,
    extra: {
      KAFKA_NAMESPACE: namespace,
      ...(shape.gateway === 'production'
        ? {}
        : { GATEWAY_SIMULATOR_ADMIN_URL: `http://127.0.0.1:${Services.gatewaySimulator.port + portOffset}` }),
      LOG_LEVEL: 'warn',
      ...extra,
    },
    ...(shape.gateway === 'production' ? { simulatorExtra: { GATEWAY_SIMULATOR_MODE: 'production' } } : {}),
    replicas: shape.replicas ?? 1,
    logDir,
  });
  try {
    await platform.start();
  } catch (err) {
    // A service that did not come up: stop the ones that did, or they outlive the suite.
    await platform.stop().catch(() => undefined);
    throw err;
  }
  const pools = new Map<ServiceKey, Pool>();
  const tokens = devTokenClient(stateDir(), platform.url('intake'));
  return {
    platform,
    namespace,
    suffix,
    token: (clientId) => tokens.token(clientId),
    async fetchAs(clientId, url, init = {}) {
      const headers = new Headers(init.headers);
      headers.set('authorization', `Bearer ${await tokens.token(clientId)}`);
      if (init.body !== undefined && !headers.has('content-type'))
        headers.set('content-type', 'application/json');
      return fetch(url, { ...init, headers });
    },
    async query<T>(service: ServiceKey, sql: string, params: unknown[] = []) {
      // One pool per service, registered before it connects: concurrent first queries must not
      // each open a client (the extra one would never be closed and keep jest alive).
      let pool = pools.get(service);
      if (!pool) {
        pool = new Pool({
          connectionString: databaseUrl(url, `${Services[service].database}${suffix}`),
          max: 2,
        });
        pools.set(service, pool);
      }
      return (await pool.query(sql, params)).rows as T[];
    },
    async stop() {
      for (const pool of pools.values()) await pool.end().catch(() => undefined);
      await platform.stop();
      await deleteNamespaceTopics(kafka, namespace).catch(() => undefined);
    },
  };
}

export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs = 120000,
  intervalMs = 500,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

export async function simulatorSubmissions(sim: string): Promise<
  Array<{
    maGiaoDich: string;
    facility: string;
    maLk: string;
    version: number;
    kind: string;
    sha256: string;
    duplicateOf?: string;
    status: string;
    signature?: unknown;
  }>
> {
  const res = await fetch(`${sim}/admin/submissions`);
  return ((await res.json()) as { submissions: never[] }).submissions;
}
