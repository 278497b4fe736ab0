import { runChaos } from './chaos';

/**
 * `npm run chaos [-- --claims N] [--concurrency C] [--no-broker-restarts]`: the long chaos
 * variant (10,000 claims by default). It restarts the shared Kafka broker and PostgreSQL, so run
 * it when no other suite uses the local stack. The last line is the verdict as JSON.
 */
async function main() {
  const argv = process.argv.slice(2);
  const arg = (name: string, fallback: number) => {
    const i = argv.indexOf(name);
    return i >= 0 ? Number(argv[i + 1]) : fallback;
  };
  const shared = !argv.includes('--no-broker-restarts');
  const started = Date.now();
  const result = await runChaos({
    name: 'chaos_long',
    portOffset: 990,
    claims: arg('--claims', 10_000),
    facilities: ['79001', '79002', '01001', '48001'],
    concurrency: arg('--concurrency', 24),
    faultEveryMs: arg('--fault-every-ms', 20_000),
    killServices: true,
    restartKafka: shared,
    restartPostgres: shared,
    gatewayFaults: true,
    overdueEvery: 200,
    loadTimeoutMs: arg('--load-timeout-s', 5400) * 1000,
    settleTimeoutMs: 1_800_000,
    log: (line) => process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${line}\n`),
  });
  const { details, faults, failedToClose, ...verdict } = result;
  for (const [what, list] of Object.entries(details)) for (const line of list.slice(0, 20)) process.stderr.write(`  ${what}: ${line}\n`);
  process.stderr.write(`faults injected: ${JSON.stringify(faults)}; encounters that failed to close: ${failedToClose}; ${Math.round((Date.now() - started) / 1000)} s\n`);
  console.log(JSON.stringify(verdict));
  const ok = verdict.lost === 0 && verdict.duplicates === 0 && verdict.unexplained_failures === 0 && verdict.deadline_missed === 0 && verdict.claims >= arg('--claims', 10_000);
  process.exit(ok ? 0 : 1);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? (err.stack ?? err.message) : err);
  process.exit(2);
});
