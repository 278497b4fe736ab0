import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { allTopics } from '@bhyt/contracts';
import { loadFacilityRegistry } from '@bhyt/facilities';
import { createKafka, ensureTopics } from '@bhyt/messaging';
import { runDemo } from './demo';
import { writeDemoReports } from './demo-reports';
import { devTokenClient } from './dev-security';
import { imageRef, ImageRun, prepareRunFolder } from './images';
import { Platform, ROOT, stateDir } from './processes';
import { summarize, SimulatorSubmission } from './summary';

/**
 * `npm start [-- --encounters N] [--exit] [--out DIR] [--concurrency C]`: runs all services and
 * the gateway simulator as processes, plays the demo, prints a summary. Without --exit the
 * platform keeps running until Ctrl-C.
 */
interface Args {
  encounters: number;
  exit: boolean;
  out?: string;
  concurrency: number;
  timeoutS: number;
  fromImages: boolean;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { encounters: 60, exit: false, concurrency: 12, timeoutS: 600, fromImages: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === '--encounters') args.encounters = Number(value());
    else if (a === '--exit') args.exit = true;
    else if (a === '--out') args.out = resolve(value());
    else if (a === '--concurrency') args.concurrency = Number(value());
    else if (a === '--timeout') args.timeoutS = Number(value());
    else if (a === '--from-images') args.fromImages = true;
    else if (a === '--help' || a === '-h') {
      console.error(
        'usage: npm start -- [--encounters N] [--exit] [--out DIR] [--concurrency C] [--timeout SECONDS] [--from-images]',
      );
      process.exit(0);
    } else throw new Error(`unknown argument ${a} (try --help)`);
  }
  if (!Number.isInteger(args.encounters) || args.encounters < 0)
    throw new Error('--encounters must be a whole number');
  return args;
}

const tty = process.stderr.isTTY;
let lastLine = 0;
function progress(label: string, done: number, total: number, extra = '') {
  const width = 30;
  const filled = total ? Math.round((done / total) * width) : width;
  const line = `${label.padEnd(10)} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} ${extra}`;
  if (tty) process.stderr.write(`\r${line}\x1b[K`);
  else if (Date.now() - lastLine > 2000 || done === total) {
    process.stderr.write(`${line}\n`);
    lastLine = Date.now();
  }
}

/**
 * --from-images: the images `npm run images` built (IMAGE_TAG, default package.json's version),
 * each checked present before anything starts, and their run folder (copies of the secrets and
 * of the SoftHSM token for uid 1000) in this checkout's .state/images.
 */
function imagesOfThisCheckout(lane: number): ImageRun {
  const tag =
    process.env['IMAGE_TAG'] ??
    (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
  for (const key of ['intake', 'encounter', 'signer', 'gatewaySync', 'reporting'] as const) {
    try {
      execFileSync('buildah', ['inspect', '--type', 'image', imageRef(key, tag)], { stdio: 'ignore' });
    } catch {
      throw new Error(`image ${imageRef(key, tag)} not found: build the images first (npm run images)`);
    }
  }
  const runDir = join(ROOT, '.state', 'images', lane ? `run-l${lane}` : 'run');
  prepareRunFolder(stateDir(), runDir);
  return { tag, runDir, namePrefix: `bhyt${lane ? `-l${lane}` : ''}` };
}

/** The platform started so far: stopped on a failure too, so that no service outlives the runner. */
let running: Platform | undefined;

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const windowHours = Number(process.env['GATEWAY_WINDOW_HOURS'] ?? 24);
  // E2E_LANE=N (a developer's second checkout against the same local stack): its own ports
  // (+N×2000+1500), databases and Kafka namespace, as the test harness does for suites.
  const lane = Number(process.env['E2E_LANE'] ?? 0);
  if (!Number.isInteger(lane) || lane < 0 || lane > 9)
    throw new Error('E2E_LANE must be an integer from 0 to 9');
  const portOffset = lane ? lane * 2000 + 1500 : 0;
  const namespace = lane ? `l${lane}-start.` : '';
  const images = args.fromImages ? imagesOfThisCheckout(lane) : undefined;
  if (lane)
    await ensureTopics(
      createKafka({ brokers: process.env['KAFKA_BROKERS']!.split(','), clientId: 'bhyt-start' }),
      allTopics(),
      namespace,
    );
  const platform = new Platform({
    databaseUrl: process.env['DATABASE_URL']!,
    kafkaBrokers: process.env['KAFKA_BROKERS']!,
    gatewayWindowHours: windowHours,
    ...(lane
      ? { portOffset, databaseSuffix: `_l${lane}_start`, logDir: join(stateDir(), 'logs', `l${lane}-start`) }
      : {}),
    ...(images ? { images } : {}),
    extra: {
      GATEWAY_SIMULATOR_ADMIN_URL: `http://127.0.0.1:${Number(process.env['GATEWAY_SIMULATOR_PORT'] ?? 3199) + portOffset}`,
      ...(lane ? { KAFKA_NAMESPACE: namespace } : {}),
    },
  });
  running = platform;
  const stop = async (code: number) => {
    process.stderr.write('\n› stopping services\n');
    await platform.stop();
    // The run folder holds copies of the dev secrets readable by uid 1000: gone with the containers.
    if (images) rmSync(images.runDir, { recursive: true, force: true });
    process.exit(code);
  };
  process.once('SIGINT', () => void stop(130));
  process.once('SIGTERM', () => void stop(143));

  process.stderr.write(
    images
      ? `› starting the gateway simulator and five services from their images (${imageRef('intake', images.tag).replace('intake', '<service>')})\n`
      : '› starting the gateway simulator and five services\n',
  );
  let started = 0;
  await platform.start((name) => progress('services', ++started, 6, name));
  if (tty) process.stderr.write('\n');
  for (const key of [
    'intake',
    'encounter',
    'signer',
    'gatewaySync',
    'reporting',
    'gatewaySimulator',
  ] as const) {
    process.stderr.write(`  ${key.padEnd(17)} ${platform.url(key)}\n`);
  }

  const facilities = loadFacilityRegistry()
    .list({ activeOnly: true })
    .map((f) => f.code);
  const sim = platform.url('gatewaySimulator');
  await fetch(`${sim}/admin/reset`, { method: 'POST' }).catch(() => undefined);
  process.stderr.write(`› demo: ${args.encounters} encounters across ${facilities.length} facilities\n`);
  const demo = await runDemo({
    intakeUrl: platform.url('intake'),
    encounterUrl: platform.url('encounter'),
    simulatorUrl: platform.url('gatewaySimulator'),
    facilities,
    encounters: args.encounters,
    concurrency: args.concurrency,
    onProgress: (done, failed) =>
      progress('closed', done, args.encounters, failed ? `(${failed} failed)` : ''),
  });
  if (tty) process.stderr.write('\n');
  const closed = demo.filter((d) => d.closedAt);
  for (const d of demo.filter((x) => x.error).slice(0, 5))
    process.stderr.write(`  ! ${d.scenario} at ${d.facilityCode}: ${d.error}\n`);

  // Wait until the simulator has received every closed encounter (or the timeout).
  const deadline = Date.now() + args.timeoutS * 1000;
  let received: SimulatorSubmission[] = [];
  for (;;) {
    const res = await fetch(`${sim}/admin/submissions`).then(
      (r) => r.json() as Promise<{ submissions: SimulatorSubmission[] }>,
    );
    received = res.submissions;
    const have = new Set(received.filter((s) => s.kind !== 'checkin').map((s) => `${s.facility}|${s.maLk}`));
    const n = closed.filter((d) => have.has(`${d.facilityCode}|${d.maLk}`)).length;
    progress('submitted', n, closed.length);
    if (n >= closed.length || Date.now() > deadline) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  if (tty) process.stderr.write('\n');

  const summary = summarize(demo, received, windowHours * 3600_000);
  // The operator API needs a token: the development SRE client.
  const sreToken = await devTokenClient(stateDir(), platform.url('intake'))
    .token('sre')
    .catch(() => '');
  const ops = await fetch(`${platform.url('gatewaySync')}/v1/claims/summary`, {
    headers: { authorization: `Bearer ${sreToken}` },
  })
    .then((r) => r.json())
    .catch(() => ({}));
  process.stdout.write(
    [
      '',
      'Summary',
      `  encounters received   ${summary.encounters}`,
      `  closed and signed     ${summary.closed}`,
      `  submitted (gateway)   ${summary.submitted}`,
      `  rejected              ${summary.rejected}`,
      `  duplicates at gateway ${summary.duplicates}`,
      `  on time               ${summary.onTimePercent}% (window ${windowHours} h)`,
      `  closed→submitted      p50 ${summary.p50ClosedToSubmittedMs ?? '-'} ms, p99 ${summary.p99ClosedToSubmittedMs ?? '-'} ms`,
      `  care types            ${Object.entries(summary.byCareType)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')}`,
      `  identifiers           ${Object.entries(summary.byIdentifier)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')}`,
      `  gateway-sync (all runs) ${JSON.stringify(ops)}`,
      '',
    ].join('\n'),
  );

  if (args.out) {
    mkdirSync(join(args.out, 'submissions'), { recursive: true });
    writeFileSync(join(args.out, 'summary.json'), JSON.stringify({ ...summary, windowHours }, null, 2));
    const records = received.filter((x) => x.kind !== 'checkin');
    for (const s of records) {
      const raw = await fetch(`${sim}/admin/submissions/${encodeURIComponent(s.maGiaoDich)}/raw`);
      if (raw.ok)
        writeFileSync(
          join(
            args.out,
            'submissions',
            `${s.maLk}_v${s.version}_${s.maGiaoDich}.xml`.replace(/[^A-Za-z0-9_.-]/g, '_'),
          ),
          Buffer.from(await raw.arrayBuffer()),
        );
    }
    process.stderr.write(
      `› wrote ${join(args.out, 'summary.json')} and ${records.length} signed claims in ${join(args.out, 'submissions')}\n`,
    );
    const reports = await writeDemoReports(
      platform.url('reporting'),
      platform.url('intake'),
      args.out,
      summary.submitted,
    );
    process.stderr.write(`› wrote ${reports.length} reports to ${join(args.out, 'reports')}\n`);
  }

  const ok = summary.submitted === args.encounters && summary.duplicates === 0;
  if (args.exit) {
    if (!ok)
      process.stderr.write(
        `✗ ${args.encounters - summary.submitted} of ${args.encounters} encounters were not submitted (see .state/logs/)\n`,
      );
    await stop(ok ? 0 : 1);
  }
  process.stderr.write('› platform running; Ctrl-C stops it\n');
}

main().catch(async (err) => {
  console.error(`✗ ${err instanceof Error ? err.message : String(err)}`);
  await running?.stop().catch(() => undefined);
  if (running?.env.images) rmSync(running.env.images.runDir, { recursive: true, force: true });
  process.exit(1);
});
