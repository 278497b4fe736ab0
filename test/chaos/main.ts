import { runChaos } from './chaos';
import { chaosVerdict } from './verdict';

/**
 * `npm run chaos [-- --claims N] [--replicas R] [--gateway production] [--concurrency C]
 * [--no-broker-restarts] [--no-postgres-restarts] [--encounter-timeout-s S]`: the long chaos variant (10,000 claims by
 * default, one process per service unless --replicas). It restarts the Kafka broker at
 * KAFKA_BROKERS and PostgreSQL, so run it when no other suite uses the local stack, or against a
 * broker of its own (docs/runbook.md, "Chaos runs"). The last line is the verdict as JSON.
 */
// Ctrl-C or a kill ends the run through process.exit, whose hook stops every service started.
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(130));

async function main() {
  const argv = process.argv.slice(2);
  const arg = (name: string, fallback: number) => {
    const i = argv.indexOf(name);
    return i >= 0 ? Number(argv[i + 1]) : fallback;
  };
  const gatewayArg = argv.includes('--gateway') ? argv[argv.indexOf('--gateway') + 1] : 'simulator';
  if (gatewayArg !== 'simulator' && gatewayArg !== 'production')
    throw new Error('--gateway must be simulator or production');
  const claims = arg('--claims', 10_000);
  const started = Date.now();
  const result = await runChaos({
    name: 'chaos_long',
    portOffset: 990,
    replicas: arg('--replicas', 1),
    gateway: gatewayArg,
    claims,
    facilities: ['79001', '79002', '01001', '48001'],
    concurrency: arg('--concurrency', 24),
    faultEveryMs: arg('--fault-every-ms', 20_000),
    killServices: true,
    restartKafka: !argv.includes('--no-broker-restarts'),
    restartPostgres: !argv.includes('--no-broker-restarts') && !argv.includes('--no-postgres-restarts'),
    gatewayFaults: true,
    overdueEvery: 200,
    loadTimeoutMs: arg('--load-timeout-s', 5400) * 1000,
    encounterTimeoutMs: arg('--encounter-timeout-s', 300) * 1000,
    settleTimeoutMs: arg('--settle-timeout-s', 1800) * 1000,
    log: (line) => process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${line}\n`),
  });
  const { details, faults, failedToClose, ...verdict } = result;
  for (const [what, list] of Object.entries(details))
    for (const line of list.slice(0, 20)) process.stderr.write(`  ${what}: ${line}\n`);
  process.stderr.write(
    `faults injected: ${JSON.stringify(faults)}; encounters that failed to close: ${failedToClose}; ${Math.round((Date.now() - started) / 1000)} s\n`,
  );
  console.log(JSON.stringify(verdict));
  const failures = chaosVerdict(result, claims);
  for (const f of failures) process.stderr.write(`verdict: ${f}\n`);
  process.exit(failures.length === 0 ? 0 : 1);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? (err.stack ?? err.message) : err);
  process.exit(2);
});
