/*
 * npm run bench (scripts/bench.sh): the machine's limits, each pipeline stage alone, and the whole
 * pipeline end to end — measured side by side in ONE run, because absolute figures drift on shared
 * machines and only the ratios travel. Prints a table and writes bench/results.json.
 *
 *   npm run bench -- [--claims 4000] [--load-seconds 15] [--rate 200] [--seconds 3] [--profile] [--skip-limits] [--e2e-only]
 *
 * --profile runs every service with node --cpu-prof and prints where each one spent its CPU.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { Services } from '@bhyt/contracts';
import { ALL_SERVICES } from '../tools/platform/processes';
import { requireStackEnv, startTestPlatform, TestPlatform } from '../test/support/harness';
import { syntheticClaims } from './claim-mix';
import { cpuByPid, cpuDelta, e2eFixedLoad, e2eSaturation } from './e2e';
import { kafkaProducerPerf, pgbenchInsertTps, pkcs11SignRate } from './limits';
import { profilesByPid, summarizeProfile } from './profile';
import { opensslRsa2048 } from './sign-bench';
import {
  gatewaySyncStage,
  outboxRelayStage,
  signClaims,
  signingStage,
  simulatorStage,
  xmlStage,
} from './stages';

const ROOT = join(__dirname, '..', '..');
const argv = process.argv.slice(2);
const arg = (name: string, dflt: number): number => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && argv[i + 1] ? Number(argv[i + 1]) : dflt;
};
const flag = (name: string): boolean => argv.includes(`--${name}`);
const CLAIMS = arg('claims', 4000);
const LOAD_SECONDS = arg('load-seconds', 15);
const RATE = arg('rate', 200);
const SECONDS = arg('seconds', 3);
const PROFILE = flag('profile');
/** Only the end-to-end runs (no limits, no stages): for quick before/after comparisons. */
const E2E_ONLY = flag('e2e-only');
const PORT_OFFSET = 1000;
const log = (s: string): void => void process.stderr.write(`› ${s}\n`);

interface Row {
  stage: string;
  value: number;
  unit: string;
  limit?: string;
  limitValue?: number;
}

async function main(): Promise<void> {
  const { databaseUrl, brokers } = requireStackEnv();
  delete process.env['KAFKA_NAMESPACE']; // the bench process names physical topics itself
  const results: Record<string, unknown> = {};
  const rows: Row[] = [];
  const started = new Date();

  // ------------------------------------------------------------------ limits
  log('limits: openssl speed rsa2048');
  const openssl = opensslRsa2048(SECONDS);
  log('limits: raw PKCS#11 sign rate');
  const pkcs11 = await pkcs11SignRate(SECONDS);
  let kafka2k = { recordsPerS: NaN, mbPerS: NaN, avgLatencyMs: NaN };
  let kafkaClaim = { recordsPerS: NaN, mbPerS: NaN, avgLatencyMs: NaN };
  let pgTps = NaN;
  const claimsForSize = syntheticClaims(400, 'SIZE', 1);
  const avgClosedBytes = Math.round(
    claimsForSize.reduce((s, c) => s + JSON.stringify(c.payload).length, 0) / claimsForSize.length,
  );
  if (!flag('skip-limits') && !E2E_ONLY) {
    log('limits: Kafka ProducerPerformance, 2000-byte records');
    kafka2k = await kafkaProducerPerf(brokers, 200_000, 2000);
    log(`limits: Kafka ProducerPerformance, ${avgClosedBytes}-byte records (average encounter.closed)`);
    kafkaClaim = await kafkaProducerPerf(brokers, 20_000, avgClosedBytes);
    log('limits: pgbench single-row INSERT transactions');
    pgTps = await pgbenchInsertTps(databaseUrl, 2000, 8, Math.max(3, SECONDS + 2));
  }
  Object.assign(results, {
    openssl_rsa2048_sign_per_s: openssl,
    pkcs11_sign_per_s: pkcs11.pool,
    pkcs11_sign_per_s_one_session: pkcs11.oneSession,
    kafka_producer_records_per_s: kafka2k.recordsPerS,
    kafka_producer_mb_per_s: kafka2k.mbPerS,
    kafka_producer_claim_size_records_per_s: kafkaClaim.recordsPerS,
    kafka_producer_claim_size_bytes: avgClosedBytes,
    pgbench_insert_tps: pgTps,
  });

  // ------------------------------------------------------------------ stages alone
  let xml = { mix: NaN, outpatient: NaN, inpatient40: NaN };
  let sign = { fast: NaN, xmlCrypto: NaN };
  let relay = { rowsPerS: NaN, avgBytes: NaN };
  if (!E2E_ONLY) {
    log('stage: XML 130 build + validate + serialize');
    xml = xmlStage(SECONDS);
    log('stage: signing 20 KB (fast path, xml-crypto)');
    sign = await signingStage(SECONDS);
    log('stage: outbox relay');
    const relayClaims = syntheticClaims(3000, 'RELAY', 3);
    relay = await outboxRelayStage(
      databaseUrl,
      brokers,
      relayClaims.map((c) => JSON.stringify({ payload: c.payload })),
    );
    Object.assign(results, {
      xml_build_validate_serialize_per_s: xml.mix,
      xml_outpatient_per_s: xml.outpatient,
      xml_inpatient40_per_s: xml.inpatient40,
      sign20k_per_s: sign.fast,
      xml_crypto_sign20k_per_s: sign.xmlCrypto,
      outbox_relay_rows_per_s: relay.rowsPerS,
      outbox_relay_avg_bytes: Math.round(relay.avgBytes),
    });
  }

  // ------------------------------------------------------------------ platform
  const runId = started.toISOString().slice(11, 19).replaceAll(':', '');
  const profileDir = join(process.env['STATE_DIR'] ?? join(ROOT, '.state'), 'bench', `profiles-${runId}`);
  // The submission lane's concurrency is a deployment setting (spec: no documented gateway rate
  // limit). The defaults (16 in flight, 8 per facility account) cap submissions near 115/s on
  // these 2 shared cores, below what the rest of the pipeline does; the bench measures the
  // platform at 32/16 and says so in its output. Override with the same variables.
  const extra: Record<string, string> = {
    LOG_LEVEL: 'warn',
    GATEWAY_SIMULATOR_LOG_LEVEL: 'warn',
    GATEWAY_CONCURRENCY: process.env['GATEWAY_CONCURRENCY'] ?? '32',
    GATEWAY_CONCURRENCY_PER_FACILITY: process.env['GATEWAY_CONCURRENCY_PER_FACILITY'] ?? '16',
  };
  if (PROFILE) {
    mkdirSync(profileDir, { recursive: true });
    extra['NODE_OPTIONS'] =
      `${process.env['NODE_OPTIONS'] ?? ''} --cpu-prof --cpu-prof-dir=${profileDir}`.trim();
  }
  log(
    `starting the bench platform (port offset ${PORT_OFFSET}${PROFILE ? ', --cpu-prof' : ''}, GATEWAY_CONCURRENCY ${extra['GATEWAY_CONCURRENCY']}/${extra['GATEWAY_CONCURRENCY_PER_FACILITY']} per facility)`,
  );
  const t: TestPlatform = await startTestPlatform('bench', PORT_OFFSET, extra);
  const pids = new Map<number, string>();
  for (const key of ALL_SERVICES) {
    const pid = t.platform.get(key).child?.pid;
    if (pid) pids.set(pid, Services[key].name);
  }
  const label = (pid: number, p: { comm: string; cmd: string }): string =>
    pids.get(pid) ??
    (p.comm === 'java' && p.cmd.includes('kafka.Kafka')
      ? 'kafka'
      : p.comm.startsWith('postgres') || p.cmd.startsWith('postgres')
        ? 'postgresql'
        : pid === process.pid
          ? 'bench driver'
          : 'other');
  const sim = t.platform.url('gatewaySimulator');
  const cpu: Record<string, Record<string, number>> = {};
  try {
    if (!E2E_ONLY) {
      log('signing claims for the submission stages (not measured)');
      const [simClaims, gsClaims] = [
        syntheticClaims(1000, `SIM${runId}`, 5),
        syntheticClaims(1500, `GS${runId}`, 6),
      ];
      const signed = await signClaims([...simClaims, ...gsClaims]);
      log('stage: simulator alone (gateway client → simulator, 16 in flight)');
      const simRate = await simulatorStage(sim, signed.slice(0, simClaims.length));
      log('stage: gateway-sync (claim.signed → simulator)');
      const gs = await gatewaySyncStage(
        brokers,
        t.namespace,
        sim,
        signed.slice(simClaims.length),
        `GS${runId}`,
        180_000,
      );
      Object.assign(results, { simulator_submit_per_s: simRate.perS, gateway_sync_submit_per_s: gs.perS });
    }

    // Each timed run starts from an idle platform: the previous run's backlog (reporting's
    // projections, the result poller) would otherwise compete with it for the two cores.
    const settle = async (what: string): Promise<void> => {
      const t0 = Date.now();
      for (;;) {
        const fresh = (await (
          await t.fetchAs('sre', `${t.platform.url('reporting')}/v1/reports/freshness`)
        )
          .json()
          .catch(() => ({}))) as { upToDate?: boolean };
        const [open] = await t.query<{ n: number }>(
          'gatewaySync',
          `SELECT count(*)::int AS n FROM submissions WHERE status IN ('DUE', 'IN_FLIGHT', 'SUBMITTED')`,
        );
        if ((fresh.upToDate && open?.n === 0) || Date.now() - t0 > 180_000) break;
        await new Promise((r) => setTimeout(r, 1000));
      }
      log(`  platform idle again before ${what} (${((Date.now() - t0) / 1000).toFixed(0)} s)`);
    };
    // A warm-up batch through the whole pipeline, not measured: JIT, connection pools, consumer
    // group assignments. Without it a cold platform's first seconds decide the short run.
    log('warming up the pipeline (500 claims, not measured)');
    await e2eSaturation(
      brokers,
      t.namespace,
      sim,
      syntheticClaims(500, `WARM${runId}`, 19),
      `WARM${runId}`,
      300_000,
    );
    await settle('the saturation run');
    log(`end to end at saturation: ${CLAIMS} claims`);
    const satClaims = syntheticClaims(CLAIMS, `SAT${runId}`, 11);
    const before = cpuByPid();
    const t0 = Date.now();
    const sat = await e2eSaturation(brokers, t.namespace, sim, satClaims, `SAT${runId}`, 600_000, (n) => {
      if (n % 500 < 20) log(`  ${n}/${CLAIMS} at the simulator`);
    });
    const wall = (Date.now() - t0) / 1000;
    cpu['saturation'] = cpuDelta(before, cpuByPid(), label);
    cpu['saturation']['(wall seconds × cores)'] = wall * cpus().length;
    await settle('the below-capacity run');
    // The same latency below capacity: how the pipeline behaves when it is not queueing.
    const belowRate = Math.max(10, Math.floor(0.7 * sat.steadyPerS));
    log(`end to end at ${belowRate}/s (70% of the measured capacity) for ${LOAD_SECONDS} s`);
    const below = await e2eFixedLoad(
      brokers,
      t.namespace,
      sim,
      syntheticClaims(Math.round(belowRate * LOAD_SECONDS), `LOW${runId}`, 17),
      `LOW${runId}`,
      belowRate,
      600_000,
    );
    Object.assign(results, {
      e2e_below_capacity_offered_per_s: below.offeredPerS,
      e2e_p50_ms_below_capacity: below.latencyMs.p50,
      e2e_p99_ms_below_capacity: below.latencyMs.p99,
    });
    await settle(`the ${RATE}/s run`);
    log(`end to end at a fixed ${RATE}/s for ${LOAD_SECONDS} s`);
    const loadClaims = syntheticClaims(Math.round(RATE * LOAD_SECONDS), `LOAD${runId}`, 13);
    const before2 = cpuByPid();
    const t1 = Date.now();
    const load = await e2eFixedLoad(brokers, t.namespace, sim, loadClaims, `LOAD${runId}`, RATE, 600_000);
    cpu['fixed_load'] = cpuDelta(before2, cpuByPid(), label);
    cpu['fixed_load']['(wall seconds × cores)'] = ((Date.now() - t1) / 1000) * cpus().length;
    Object.assign(results, {
      e2e_claims_per_s: sat.steadyPerS,
      e2e_claims_per_s_overall: sat.overallPerS,
      e2e_publish_per_s: sat.publishPerS,
      e2e_complete: sat.complete && load.complete,
      e2e_duplicates: sat.duplicates,
      e2e_offered_per_s: load.offeredPerS,
      e2e_p50_ms_at_200: load.latencyMs.p50,
      e2e_p95_ms_at_200: load.latencyMs.p95,
      e2e_p99_ms_at_200: load.latencyMs.p99,
      e2e_max_ms_at_200: load.latencyMs.max,
      cpu_seconds: cpu,
    });
  } finally {
    log('stopping the bench platform');
    await t.stop();
  }

  // ------------------------------------------------------------------ profiles
  if (PROFILE) {
    const profiles: Record<string, unknown> = {};
    for (const [pid, file] of profilesByPid(profileDir)) {
      const service = pids.get(pid);
      if (!service) continue;
      const s = summarizeProfile(file, ROOT);
      profiles[service] = s;
      process.stdout.write(
        `\nprofile ${service}: busy ${((s.totalMs - s.idleMs) / 1000).toFixed(1)} s, GC ${(s.gcMs / 1000).toFixed(1)} s (${file})\n`,
      );
      process.stdout.write(
        `  by area: ${s.byArea.map((a) => `${a.area} ${(a.share * 100).toFixed(0)}%`).join(', ')}\n`,
      );
      for (const f of s.top.slice(0, 8))
        process.stdout.write(`  ${(f.share * 100).toFixed(1).padStart(5)}%  ${f.name}\n`);
    }
    results['profiles'] = profiles;
  }

  // ------------------------------------------------------------------ table
  const r = results as Record<string, number>;
  const f0 = (n: number | undefined): string => (n === undefined || Number.isNaN(n) ? '—' : n.toFixed(0));
  rows.push(
    { stage: 'limit: openssl speed rsa2048 (1 process)', value: openssl, unit: 'sign/s' },
    {
      stage: `limit: PKCS#11 raw RSA-2048 sign (${pkcs11.sessions} sessions)`,
      value: pkcs11.pool,
      unit: 'sign/s',
      limit: 'openssl',
      limitValue: openssl,
    },
    {
      stage: 'limit: Kafka ProducerPerformance 2000 B, acks=all',
      value: kafka2k.recordsPerS,
      unit: 'records/s',
    },
    {
      stage: `limit: Kafka ProducerPerformance ${avgClosedBytes} B`,
      value: kafkaClaim.recordsPerS,
      unit: 'records/s',
    },
    { stage: 'limit: pgbench 1-row INSERT txns (8 clients)', value: pgTps, unit: 'txn/s' },
    {
      stage: 'XML 130 build+validate+serialize (mix, 1 core)',
      value: xml.mix,
      unit: 'claims/s',
      limit: 'e2e target 500/s',
      limitValue: 500,
    },
    {
      stage: 'sign 20 KB, fast path',
      value: sign.fast,
      unit: 'claims/s',
      limit: 'openssl (target ≥ 50%)',
      limitValue: openssl,
    },
    {
      stage: 'sign 20 KB, fast path vs raw PKCS#11',
      value: sign.fast,
      unit: 'claims/s',
      limit: 'PKCS#11 raw',
      limitValue: pkcs11.pool,
    },
    {
      stage: 'sign 20 KB, xml-crypto',
      value: sign.xmlCrypto,
      unit: 'claims/s',
      limit: 'openssl',
      limitValue: openssl,
    },
    {
      stage: `outbox relay (${Math.round(relay.avgBytes / 1000)} KB rows)`,
      value: relay.rowsPerS,
      unit: 'rows/s',
      limit: 'Kafka perf, same size',
      limitValue: kafkaClaim.recordsPerS,
    },
    {
      stage: 'simulator alone (gateway client, 16 in flight)',
      value: r['simulator_submit_per_s']!,
      unit: 'claims/s',
    },
    {
      stage: 'gateway-sync → simulator',
      value: r['gateway_sync_submit_per_s']!,
      unit: 'claims/s',
      limit: 'simulator alone',
      limitValue: r['simulator_submit_per_s']!,
    },
    {
      stage: 'END TO END at saturation (closed → submitted)',
      value: r['e2e_claims_per_s']!,
      unit: 'claims/s',
      limit: 'target 500/s',
      limitValue: 500,
    },
    {
      stage: 'END TO END vs raw PKCS#11 (1 signature/claim)',
      value: r['e2e_claims_per_s']!,
      unit: 'claims/s',
      limit: 'PKCS#11 raw',
      limitValue: pkcs11.pool,
    },
    { stage: `END TO END p50 latency at ${RATE}/s`, value: r['e2e_p50_ms_at_200']!, unit: 'ms' },
    { stage: `END TO END p95 latency at ${RATE}/s`, value: r['e2e_p95_ms_at_200']!, unit: 'ms' },
    {
      stage: `END TO END p99 latency at ${RATE}/s`,
      value: r['e2e_p99_ms_at_200']!,
      unit: 'ms',
      limit: 'target ≤ 2000 ms',
      limitValue: 2000,
    },
    {
      stage: `END TO END p50 latency at ${f0(r['e2e_below_capacity_offered_per_s'])}/s (70% of capacity)`,
      value: r['e2e_p50_ms_below_capacity']!,
      unit: 'ms',
    },
    {
      stage: `END TO END p99 latency at ${f0(r['e2e_below_capacity_offered_per_s'])}/s (70% of capacity)`,
      value: r['e2e_p99_ms_below_capacity']!,
      unit: 'ms',
      limit: '2000 ms',
      limitValue: 2000,
    },
  );
  const f = (n: number | undefined): string =>
    n === undefined || Number.isNaN(n) ? '—' : n >= 100 ? n.toFixed(0) : n.toFixed(1);
  const out = (s: string): void => void process.stdout.write(`${s}\n`);
  out(
    `\nnode ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? '?'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, load ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
  );
  out(
    `${'stage'.padEnd(50)} ${'figure'.padStart(9)} ${'unit'.padEnd(10)} ${'limit'.padEnd(24)} ${'ratio'.padStart(7)}`,
  );
  for (const row of rows) {
    const ratio = row.limitValue
      ? row.unit === 'ms'
        ? row.value / row.limitValue
        : row.value / row.limitValue
      : undefined;
    out(
      `${row.stage.padEnd(50)} ${f(row.value).padStart(9)} ${row.unit.padEnd(10)} ${(row.limit ?? '').padEnd(24)} ${ratio === undefined ? '' : `${(ratio * 100).toFixed(0)}%`.padStart(7)}`,
    );
  }
  const cpuSat = cpu['saturation'];
  if (cpuSat) {
    out(
      `\nCPU seconds during the saturation run (${f(cpuSat['(wall seconds × cores)'])} core-seconds available):`,
    );
    // Per claim: what one claim costs each component; 2 cores ÷ the sum is the machine's ceiling.
    const ours = Object.entries(cpuSat).filter(([k]) => !k.startsWith('(') && k !== 'other');
    out(
      `  ${ours
        .sort((a, b) => b[1] - a[1])
        .map(([k, v]) => `${k} ${v.toFixed(1)} s (${((v * 1000) / CLAIMS).toFixed(1)} ms/claim)`)
        .join(', ')}, other processes ${f(cpuSat['other'])} s`,
    );
    const perClaimMs = (ours.reduce((s, [, v]) => s + v, 0) * 1000) / CLAIMS;
    out(
      `  → ${perClaimMs.toFixed(1)} CPU-ms per claim: ceiling ≈ ${f((cpus().length * 1000) / perClaimMs)} claims/s on ${cpus().length} cores with nothing else running`,
    );
    results['e2e_cpu_ms_per_claim'] = perClaimMs;
  }
  const verdict = (ok: boolean): string => (ok ? 'met' : 'NOT met');
  out(
    `\ntargets: end to end ≥ 500/s: ${verdict(r['e2e_claims_per_s']! >= 500)}; p99 ≤ 2 s at ${RATE}/s: ${verdict(r['e2e_p99_ms_at_200']! <= 2000)}; sign 20 KB ≥ 50% of openssl: ${Number.isNaN(sign.fast) ? 'not measured' : verdict(sign.fast >= 0.5 * openssl)}`,
  );
  results['machine'] = {
    node: process.version,
    cpus: cpus().length,
    model: cpus()[0]?.model,
    memGiB: Math.round(totalmem() / 2 ** 30),
    loadavgAtEnd: loadavg(),
  };
  results['run'] = {
    startedAt: started.toISOString(),
    claims: CLAIMS,
    loadSeconds: LOAD_SECONDS,
    rate: RATE,
    seconds: SECONDS,
    profile: PROFILE,
    gatewayConcurrency: extra['GATEWAY_CONCURRENCY'],
    gatewayConcurrencyPerFacility: extra['GATEWAY_CONCURRENCY_PER_FACILITY'],
  };
  // A quick --e2e-only run must not overwrite the full run's figures.
  const resultsFile = E2E_ONLY ? 'bench/results-e2e.json' : 'bench/results.json';
  writeFileSync(join(ROOT, resultsFile), `${JSON.stringify(results, null, 2)}\n`);
  out(`wrote ${resultsFile}`);
  if (!PROFILE) rmSync(profileDir, { recursive: true, force: true });
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(e instanceof Error ? (e.stack ?? e.message) : String(e));
    process.exit(1);
  },
);
