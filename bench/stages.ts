/*
 * Per-stage throughput, each stage alone: XML 130 build + validate + serialize (bench/xml130-bench.ts),
 * signing 20 KB claims through the fast path and xml-crypto (bench/sign-bench.ts), the outbox relay
 * (PostgreSQL → Kafka), and gateway-sync's submission rate against the simulator.
 */
import { Client } from 'pg';
import { Topics } from '@bhyt/contracts';
import { loadFacilityRegistry } from '@bhyt/facilities';
import { GatewayClient, staticAccountResolver } from '@bhyt/gateway-client';
import {
  createEvent,
  createKafka,
  deleteNamespaceTopics,
  ensureTopics,
  EventPublisher,
  OutgoingMessage,
} from '@bhyt/messaging';
import { createLogger } from '@bhyt/observability';
import {
  databaseUrl,
  enqueueOutbox,
  OutboxInboxMigration1700000000000,
  OutboxRelay,
  openDatabase,
} from '@bhyt/persistence';
import { FacilityKeyStore, loadHsmConfigFromEnv, Pkcs11Hsm, signXmlDocument } from '@bhyt/signing';
import { buildEnvelope, EncounterRecord } from '@bhyt/xml130';
import { listScenarios } from '@bhyt/xml130/testing';
import { envelopeOfSize } from '../libs/signing/src/testing/samples';
import { CLAIM_MIX, SyntheticClaim, seededRandom } from './claim-mix';
import { bareXmlCrypto, rate } from './sign-bench';
import { run as xmlRun } from './xml130-bench';

const quiet = (): ReturnType<typeof createLogger> => createLogger('bench', 'warn');

/** XML 130 build + validate + serialize + envelope, one core, for the claim mix and two fixed shapes. */
export function xmlStage(seconds: number): { mix: number; outpatient: number; inpatient40: number } {
  const scenarios = new Map(listScenarios().map((s) => [s.name, s]));
  const weighted = Object.entries(CLAIM_MIX).filter(([n]) => scenarios.has(n));
  const total = weighted.reduce((s, [, w]) => s + w, 0);
  const rnd = seededRandom(7);
  const mixRecord = (i: number): EncounterRecord => {
    let pick = rnd() * total;
    const name = weighted.find(([, w]) => (pick -= w) < 0)?.[0] ?? 'outpatientVisit';
    const s = scenarios.get(name)!;
    return s.build({
      patientSeed: i,
      maLk: `LK${i}`,
      extraDrugLines: s.careType === 'INPATIENT' ? i % 40 : 0,
    });
  };
  // xml130-bench's run() reports claims per CPU-second of the process (fair on a shared machine).
  const perCpuSecond = (r: number | { cpuRate: number }): number => (typeof r === 'number' ? r : r.cpuRate);
  const outpatient = perCpuSecond(
    xmlRun(
      'outpatient visit',
      (i) => scenarios.get('outpatientVisit')!.build({ patientSeed: i, maLk: `LK${i}` }),
      seconds,
    ),
  );
  const inpatient40 = perCpuSecond(
    xmlRun(
      'inpatient, 40 lines',
      (i) => scenarios.get('inpatient')!.build({ patientSeed: i, maLk: `LK${i}`, extraDrugLines: 33 }),
      seconds,
    ),
  );
  const mix = perCpuSecond(xmlRun('claim mix', mixRecord, seconds));
  return { mix, outpatient, inpatient40 };
}

/** 20 KB envelopes signed per second with the HSM key, concurrency = pool size. */
export async function signingStage(
  seconds: number,
  facility = '79001',
): Promise<{ fast: number; xmlCrypto: number; bytes: number }> {
  const cfg = loadHsmConfigFromEnv();
  const hsm = await Pkcs11Hsm.open(cfg);
  try {
    const signer = await new FacilityKeyStore(hsm).signerFor(facility);
    const xml = envelopeOfSize(20_000);
    const fast = await rate(cfg.sessions, () => signXmlDocument(xml, signer), seconds);
    const xmlCrypto = await rate(cfg.sessions, () => bareXmlCrypto(xml, signer), seconds);
    return { fast, xmlCrypto, bytes: Buffer.byteLength(xml) };
  } finally {
    await hsm.close();
  }
}

/**
 * The outbox relay alone: `values.length` rows (real encounter.closed events) written to a fresh
 * outbox, then relayed to a bench topic by OutboxRelay.relayOnce until the backlog is empty.
 */
export async function outboxRelayStage(
  url: string,
  brokers: string,
  values: string[],
): Promise<{ rowsPerS: number; rows: number; avgBytes: number }> {
  const database = 'bhyt_bench_outbox';
  const admin = new Client({ connectionString: databaseUrl(url, 'postgres') });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  await admin.end();
  const kafka = createKafka({ brokers: brokers.split(','), clientId: 'bhyt-bench-relay' });
  const ns = `bench-relay-${process.pid}.`;
  await ensureTopics(
    kafka,
    [{ name: Topics.encounterClosed.name, partitions: 6, retentionMs: 3600_000, description: 'bench' }],
    ns,
  );
  const ds = await openDatabase({
    url,
    database,
    migrations: [OutboxInboxMigration1700000000000],
    applicationName: 'bench-relay',
  });
  const publisher = new EventPublisher(kafka);
  try {
    await publisher.connect();
    for (let i = 0; i < values.length; i += 200) {
      const chunk: OutgoingMessage[] = values.slice(i, i + 200).map((v, k) => ({
        topic: `${ns}${Topics.encounterClosed.name}`,
        key: `K${i + k}`,
        value: v,
        headers: { 'bhyt-event-id': String(i + k) },
      }));
      await ds.transaction((m) => enqueueOutbox(m, chunk));
    }
    const relay = new OutboxRelay(ds, publisher, quiet(), { url, database });
    const t0 = performance.now();
    let rows = 0;
    for (let n = await relay.relayOnce(); n > 0; n = await relay.relayOnce()) rows += n;
    const secs = (performance.now() - t0) / 1000;
    return {
      rowsPerS: rows / secs,
      rows,
      avgBytes: values.reduce((s, v) => s + v.length, 0) / values.length,
    };
  } finally {
    await publisher.disconnect();
    await ds.destroy();
    await deleteNamespaceTopics(kafka, ns).catch(() => undefined);
  }
}

export interface SignedClaim {
  facilityCode: string;
  maLk: string;
  careType: SyntheticClaim['payload']['careType'];
  encounterEnd: string;
  signedXml: string;
  documentSha256: string;
  certificateSha256: string;
}

/** Signs the claims in this process (not measured): input for the submission stages. */
export async function signClaims(claims: SyntheticClaim[]): Promise<SignedClaim[]> {
  const cfg = loadHsmConfigFromEnv();
  const hsm = await Pkcs11Hsm.open(cfg);
  const keys = new FacilityKeyStore(hsm);
  try {
    const out: SignedClaim[] = new Array(claims.length);
    let next = 0;
    await Promise.all(
      Array.from({ length: cfg.sessions }, async () => {
        while (next < claims.length) {
          const i = next++;
          const c = claims[i]!.payload;
          const signed = await signXmlDocument(
            buildEnvelope({ facilityCode: c.facilityCode, ngayLap: '20261125', files: c.tables }),
            await keys.signerFor(c.facilityCode),
          );
          out[i] = {
            facilityCode: c.facilityCode,
            maLk: c.maLk,
            careType: c.careType,
            encounterEnd: c.encounterEnd,
            signedXml: signed.signedXml,
            documentSha256: signed.documentSha256,
            certificateSha256: signed.certificateSha256,
          };
        }
      }),
    );
    return out;
  } finally {
    await hsm.close();
  }
}

export interface SimSubmission {
  maLk: string;
  facility: string;
  kind: string;
  receivedAt: string;
  duplicateOf: string | null;
}

export async function simulatorStats(
  sim: string,
): Promise<{ received: number; accepted: number; rejected: number }> {
  return (await (await fetch(`${sim}/admin/stats`)).json()) as {
    received: number;
    accepted: number;
    rejected: number;
  };
}

export async function simulatorSubmissionsWith(sim: string, prefix: string): Promise<SimSubmission[]> {
  const body = (await (await fetch(`${sim}/admin/submissions?limit=1000000`)).json()) as {
    submissions: SimSubmission[];
  };
  return body.submissions.filter((s) => s.maLk.startsWith(prefix));
}

/** Waits until the simulator has accepted `count` more submissions than `base`, or times out. */
export async function waitAccepted(
  sim: string,
  base: number,
  count: number,
  timeoutMs: number,
  onTick?: (n: number) => void,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const s = await simulatorStats(sim);
    onTick?.(s.accepted + s.rejected - base);
    if (s.accepted + s.rejected - base >= count) return true;
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 200));
  }
}

/**
 * Sustained rate: receipts between the 10th and the 90th percentile over the time they took, so
 * that neither the warm-up nor a straggler (a retried claim waits its backoff) decides the figure.
 */
export function steadyRate(receivedAtMs: number[]): number {
  const t = [...receivedAtMs].sort((a, b) => a - b);
  if (t.length < 10) return NaN;
  const from = Math.floor(t.length * 0.1);
  const to = Math.ceil(t.length * 0.9) - 1;
  const secs = (t[to]! - t[from]!) / 1000;
  return secs > 0 ? (to - from) / secs : NaN;
}

/**
 * gateway-sync alone: already-signed claims published as claim.signed in the bench platform's
 * namespace; measured from the simulator's receipt times (consumer → submissions row →
 * scheduler → HTTP → simulator).
 */
export async function gatewaySyncStage(
  brokers: string,
  namespace: string,
  sim: string,
  signed: SignedClaim[],
  prefix: string,
  timeoutMs: number,
): Promise<{ perS: number; complete: boolean }> {
  const kafka = createKafka({ brokers: brokers.split(','), clientId: 'bhyt-bench-gs' });
  const publisher = new EventPublisher(kafka);
  await publisher.connect();
  try {
    const base = await simulatorStats(sim);
    const messages = signed.map((s) => {
      const { message } = createEvent(Topics.claimSigned.name, {
        facilityCode: s.facilityCode,
        key: s.maLk,
        payload: {
          facilityCode: s.facilityCode,
          maLk: s.maLk,
          version: 1,
          careType: s.careType,
          encounterEnd: s.encounterEnd,
          signedAt: new Date().toISOString(),
          documentSha256: s.documentSha256,
          certificateSha256: s.certificateSha256,
          signedXmlBase64: Buffer.from(s.signedXml, 'utf8').toString('base64'),
        },
      });
      return { ...message, topic: `${namespace}${message.topic}` };
    });
    for (let i = 0; i < messages.length; i += 100) await publisher.send(messages.slice(i, i + 100));
    const complete = await waitAccepted(sim, base.accepted + base.rejected, signed.length, timeoutMs);
    const subs = await simulatorSubmissionsWith(sim, prefix);
    return { perS: steadyRate(subs.map((s) => Date.parse(s.receivedAt))), complete };
  } finally {
    await publisher.disconnect();
  }
}

/** The simulator's own rate: the gateway client posting signed claims directly, 16 at a time (gateway-sync's default). */
export async function simulatorStage(
  sim: string,
  signed: SignedClaim[],
  concurrency = 16,
): Promise<{ perS: number; failures: number }> {
  const registry = loadFacilityRegistry();
  const client = new GatewayClient({
    baseUrl: sim,
    accounts: staticAccountResolver(
      Object.fromEntries(
        registry
          .list()
          .map((f) => [f.code, { username: f.gatewayAccount, password: `dev-password-${f.code}` }]),
      ),
    ),
  });
  let next = 0;
  let failures = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < signed.length) {
        const s = signed[next++]!;
        const outcome = await client.submitClaim({
          facilityCode: s.facilityCode,
          signedXml: Buffer.from(s.signedXml, 'utf8'),
        });
        if (outcome.kind !== 'accepted') failures++;
      }
    }),
  );
  return { perS: signed.length / ((performance.now() - t0) / 1000), failures };
}
