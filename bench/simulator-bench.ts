/*
 * Gateway simulator CPU per submission, on realistic signed claims (the bench claim mix, built by
 * libs/xml130 and signed by the platform's fast signer with a throw-away software key).
 *
 *   bash scripts/with-node.sh node_modules/.bin/swc apps libs bench -d /tmp/simbench --config-file .swcrc --copy-files --quiet
 *   NODE_PATH=$PWD/node_modules bash scripts/with-node.sh node /tmp/simbench/bench/simulator-bench.js [--seconds 5] [--claims 200]
 *
 * Two figures:
 * - in-process: decodeFile → checkContent → verifyFacilitySignature, the simulator's per-submission
 *   path without HTTP, on one thread (µs per submission, submissions per CPU-second);
 * - http: the simulator in a worker thread serving the real routes, a keep-alive client in the main
 *   thread with 8 requests in flight; the simulator thread's own CPU time per submission.
 */
import { once } from 'node:events';
import { Agent, request } from 'node:http';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { signXmlDocument } from '@bhyt/signing';
import { buildEnvelope } from '@bhyt/xml130';
import { md5Upper, type SimulatorConfigInput } from '../apps/gateway-simulator/src/config';
import { registerCertificates, verifyFacilitySignature } from '../apps/gateway-simulator/src/signature';
import { startGatewaySimulator } from '../apps/gateway-simulator/src/simulator';
import { checkContent, decodeFile } from '../apps/gateway-simulator/src/validation';
import { softwareFacility } from '../libs/signing/src/testing/software-ca';
import { BENCH_FACILITIES, syntheticClaims } from './claim-mix';

interface SignedClaim {
  readonly facility: string;
  readonly fileHSBase64: string;
  readonly bytes: number;
}

interface WorkerInput {
  readonly config: SimulatorConfigInput;
  readonly certificates: Record<string, string[]>;
}

const argv = process.argv.slice(2);
const arg = (name: string, dflt: string): string => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && argv[i + 1] ? argv[i + 1]! : dflt;
};
const out = (s: string): void => void process.stdout.write(`${s}\n`);
const password = (code: string): string => `bench-${code}`;
const cpuUs = (u: NodeJS.CpuUsage): number => u.user + u.system;

async function signedClaims(
  count: number,
): Promise<{ claims: SignedClaim[]; certificates: Record<string, string[]> }> {
  const certificates: Record<string, string[]> = {};
  const signers = new Map<string, Awaited<ReturnType<typeof softwareFacility>>['signer']>();
  for (const code of BENCH_FACILITIES) {
    const { signer } = await softwareFacility(code);
    signers.set(code, signer);
    certificates[code] = [signer.certificate.pem];
  }
  const claims: SignedClaim[] = [];
  for (const c of syntheticClaims(count, 'SIMBENCH')) {
    const xml = buildEnvelope({
      facilityCode: c.payload.facilityCode,
      ngayLap: '20261125',
      files: c.payload.tables,
    });
    const signed = await signXmlDocument(xml, signers.get(c.payload.facilityCode)!);
    const bytes = Buffer.from(signed.signedXml, 'utf8');
    claims.push({
      facility: c.payload.facilityCode,
      fileHSBase64: bytes.toString('base64'),
      bytes: bytes.length,
    });
  }
  return { claims, certificates };
}

function simulatorConfig(): SimulatorConfigInput {
  return {
    facilities: BENCH_FACILITIES.map((code) => ({
      code,
      accounts: [{ username: `${code}_BV`, password: password(code) }],
    })),
    processingDelayMs: 1,
  };
}

/** The per-submission validation path, in this thread. */
function inProcess(
  claims: readonly SignedClaim[],
  certificates: Record<string, string[]>,
  seconds: number,
): { usPerSubmission: number; perCpuSecond: number } {
  const registered = new Map(
    Object.entries(certificates).map(([f, pems]) => [f, registerCertificates(pems)]),
  );
  const modes = {
    rootShape: 'sync',
    envelope: 'sync',
    loaiHoSoSet: 'sync',
    innerXml: 'sync',
    sameMaLk: 'sync',
    tableShape: 'sync',
    fields: 'async',
  } as const;
  const one = (c: SignedClaim): void => {
    const decoded = decodeFile(c.fileHSBase64, 20 * 1024 * 1024);
    const content = checkContent('record', decoded.doc, decoded.xmlText, c.facility, modes, '3176');
    const verdict = verifyFacilitySignature(
      content.xmlText,
      content.doc,
      registered.get(c.facility)!,
      new Date(),
    );
    if (verdict.status !== 'valid' || content.asyncErrors.length > 0)
      throw new Error(`bench claim not accepted: ${JSON.stringify(verdict)}`);
  };
  for (let i = 0; i < 50; i++) one(claims[i % claims.length]!); // warm-up
  let n = 0;
  const cpu0 = process.cpuUsage();
  const end = performance.now() + seconds * 1000;
  while (performance.now() < end) one(claims[n++ % claims.length]!);
  const us = cpuUs(process.cpuUsage(cpu0));
  return { usPerSubmission: us / n, perCpuSecond: (n * 1e6) / us };
}

function post(
  agent: Agent,
  base: string,
  path: string,
  body: string,
  headers: Record<string, string>,
): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${base}${path}`,
      {
        method: 'POST',
        agent,
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          'content-length': Buffer.byteLength(body),
          ...headers,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** The simulator in a worker thread; the worker's own CPU time per accepted submission. */
async function overHttp(
  claims: readonly SignedClaim[],
  certificates: Record<string, string[]>,
  seconds: number,
): Promise<{ usPerSubmission: number; perCpuSecond: number; perWallSecond: number }> {
  const worker = new Worker(__filename, {
    workerData: { config: simulatorConfig(), certificates } satisfies WorkerInput,
  });
  const [url] = (await once(worker, 'message')) as [string];
  const threadCpu = async (): Promise<number> => {
    worker.postMessage('cpu');
    return ((await once(worker, 'message')) as [number])[0];
  };
  const agent = new Agent({ keepAlive: true, maxSockets: 8 });
  try {
    const headers = new Map<string, Record<string, string>>();
    for (const code of BENCH_FACILITIES) {
      const login = await post(
        agent,
        url,
        '/api/token/take',
        new URLSearchParams({ username: `${code}_BV`, password: md5Upper(password(code)) }).toString(),
        {},
      );
      const key = login['APIKey'] as Record<string, string>;
      headers.set(code, {
        accessToken: key['access_token']!,
        tokenId: key['id_token']!,
        passwordHash: md5Upper(password(code)),
      });
    }
    const forms = claims.map((c) =>
      new URLSearchParams({
        username: `${c.facility}_BV`,
        loaiHoSo: '130',
        maTinh: c.facility.slice(0, 2),
        maCSKCB: c.facility,
        fileHSBase64: c.fileHSBase64,
      }).toString(),
    );
    let next = 0;
    const submit = async (): Promise<void> => {
      const i = next++ % claims.length;
      const body = await post(
        agent,
        url,
        '/api/qd130/guiHoSoXmlQD130',
        forms[i]!,
        headers.get(claims[i]!.facility)!,
      );
      if (body['maKetQua'] !== '200') throw new Error(`bench claim rejected: ${JSON.stringify(body)}`);
    };
    for (let i = 0; i < 50; i++) await submit(); // warm-up
    const start = next;
    const cpu0 = await threadCpu();
    const t0 = performance.now();
    const end = t0 + seconds * 1000;
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (performance.now() < end) await submit();
      }),
    );
    const wall = (performance.now() - t0) / 1000;
    const us = (await threadCpu()) - cpu0;
    const n = next - start;
    return { usPerSubmission: us / n, perCpuSecond: (n * 1e6) / us, perWallSecond: n / wall };
  } finally {
    agent.destroy();
    await worker.terminate();
  }
}

async function workerMain(input: WorkerInput): Promise<void> {
  const sim = await startGatewaySimulator({
    port: 0,
    config: input.config,
    certificates: input.certificates,
  });
  parentPort!.on('message', () => parentPort!.postMessage(cpuUs(process.threadCpuUsage())));
  parentPort!.postMessage(sim.url);
}

async function main(): Promise<void> {
  const seconds = Number(arg('seconds', '5'));
  const { claims, certificates } = await signedClaims(Number(arg('claims', '200')));
  const sizes = claims.map((c) => c.bytes).sort((a, b) => a - b);
  out(
    `claims: ${claims.length} signed envelopes, median ${sizes[sizes.length >> 1]} B, mean ${Math.round(sizes.reduce((s, b) => s + b, 0) / sizes.length)} B, max ${sizes[sizes.length - 1]} B`,
  );
  const p = inProcess(claims, certificates, seconds);
  out(
    `in-process (decode + content checks + signature): ${p.usPerSubmission.toFixed(0)} µs/submission, ${p.perCpuSecond.toFixed(0)} submissions per CPU-second`,
  );
  const h = await overHttp(claims, certificates, seconds);
  out(
    `http (simulator thread CPU): ${h.usPerSubmission.toFixed(0)} µs/submission, ${h.perCpuSecond.toFixed(0)} submissions per CPU-second` +
      ` (${h.perWallSecond.toFixed(0)}/s wall, client in the same process)`,
  );
}

if (isMainThread) {
  main().catch((e: unknown) => {
    console.error(e);
    process.exit(1);
  });
} else {
  workerMain(workerData as WorkerInput).catch((e: unknown) => {
    console.error(e);
    process.exit(1);
  });
}
