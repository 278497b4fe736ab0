// Signing throughput: fast path vs xml-crypto vs raw PKCS#11 vs `openssl speed rsa2048`.
//
//   source scripts/lib/stack-env.sh && bash scripts/stack.sh up hsm
//   bash scripts/with-node.sh swc bench libs/signing -d dist --config-file .swcrc --quiet
//   bash scripts/with-node.sh node dist/bench/sign-bench.js [--seconds 3] [--facility 79001]
//
// Targets: 20 KB claims through the fast path >= 50% of openssl's single-process RSA-2048 sign
// rate, and >= 20x the xml-crypto path.
import { execFileSync } from 'node:child_process';
import { cpus } from 'node:os';
import {
  C14N_10,
  ENVELOPED_SIGNATURE,
  FacilityKeyStore,
  Pkcs11Hsm,
  RSA_SHA256,
  SHA256_DIGEST,
  loadHsmConfigFromEnv,
  signXmlDocument,
  signXmlGeneric,
} from '@bhyt/signing';
import type { FacilitySigner, RsaSignMechanism } from '@bhyt/signing';
import { envelopeOfSize } from '../libs/signing/src/testing/samples';
import { SignedXml } from 'xml-crypto';
import type { SignatureAlgorithm } from 'xml-crypto';

/** Plain xml-crypto usage (one parse, computeSignature, getSignedXml) with the HSM as the RSA key. */
export function bareXmlCrypto(xml: string, signer: FacilitySigner): Promise<string> {
  const Alg = class {
    getSignature(data: string, _k: unknown, cb: (e: Error | null, v?: string) => void): void {
      signer.sign(Buffer.from(data)).then((s) => cb(null, s.toString('base64')), cb);
    }
    verifySignature(): boolean {
      return false;
    }
    getAlgorithmName(): string {
      return RSA_SHA256;
    }
  } as unknown as new () => SignatureAlgorithm;
  const sig = new SignedXml({
    privateKey: 'hsm',
    publicCert: signer.certificate.pem,
    canonicalizationAlgorithm: C14N_10,
    signatureAlgorithm: RSA_SHA256,
  });
  sig.SignatureAlgorithms = { ...sig.SignatureAlgorithms, [RSA_SHA256]: Alg };
  sig.addReference({
    xpath: '/*',
    transforms: [ENVELOPED_SIGNATURE],
    digestAlgorithm: SHA256_DIGEST,
    uri: '',
    isEmptyUri: true,
  });
  return new Promise((resolve, reject) =>
    sig.computeSignature(
      xml,
      { location: { reference: "//*[local-name(.)='CHUKYDONVI']", action: 'append' } },
      (e) => (e ? reject(e) : resolve(sig.getSignedXml())),
    ),
  );
}

const argv = process.argv.slice(2);
const arg = (name: string, dflt: string): string => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && argv[i + 1] ? argv[i + 1]! : dflt;
};
const SECONDS = Number(arg('seconds', '3'));
const FACILITY = arg('facility', '79001');
const out = (s: string): void => void process.stdout.write(`${s}\n`);

/** Runs `op` with `concurrency` workers for SECONDS; returns operations per second. */
export async function rate(
  concurrency: number,
  op: (i: number) => Promise<unknown>,
  seconds = SECONDS,
): Promise<number> {
  for (let i = 0; i < Math.min(20, concurrency * 4); i++) await op(i); // warm-up
  let count = 0;
  const end = performance.now() + seconds * 1000;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < end) await op(count++);
    }),
  );
  return count / ((performance.now() - start) / 1000);
}

export function opensslRsa2048(seconds = SECONDS): number {
  const text = execFileSync(
    'openssl',
    ['speed', '-seconds', String(Math.max(1, Math.round(seconds))), 'rsa2048'],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] },
  );
  const m = /rsa\s+2048 bits\s+\S+\s+\S+\s+([\d.]+)/.exec(text);
  if (!m) throw new Error(`cannot parse openssl speed output:\n${text}`);
  return Number(m[1]);
}

const f = (n: number): string => n.toFixed(0).padStart(7);

async function main(): Promise<void> {
  const cfg = loadHsmConfigFromEnv();
  out(
    `node ${process.version}, ${cpus().length} CPUs, UV_THREADPOOL_SIZE=${process.env['UV_THREADPOOL_SIZE'] ?? '4 (default)'}, pool ${cfg.sessions} sessions, ${SECONDS}s per measurement`,
  );
  const openssl = opensslRsa2048();
  out(`openssl speed rsa2048 (single process): ${f(openssl)} sign/s`);

  const hsms: Partial<Record<RsaSignMechanism, { hsm: Pkcs11Hsm; signer: FacilitySigner }>> = {};
  for (const mech of ['CKM_RSA_PKCS', 'CKM_SHA256_RSA_PKCS'] as const) {
    const hsm = await Pkcs11Hsm.open(cfg, { signMechanism: mech });
    hsms[mech] = { hsm, signer: await new FacilityKeyStore(hsm).signerFor(FACILITY) };
  }
  const signedInfoLike = Buffer.alloc(1100, 0x41);
  out('\nraw PKCS#11 RSA-2048 signatures (1.1 KB SignedInfo-sized input):');
  const raw: Record<string, number> = {};
  for (const mech of ['CKM_RSA_PKCS', 'CKM_SHA256_RSA_PKCS'] as const) {
    const { signer } = hsms[mech]!;
    const one = await rate(1, () => signer.sign(signedInfoLike));
    const pool = await rate(cfg.sessions, () => signer.sign(signedInfoLike));
    raw[mech] = pool;
    out(
      `  ${mech.padEnd(20)} 1 session: ${f(one)}/s   ${cfg.sessions} sessions: ${f(pool)}/s   (${((pool / openssl) * 100).toFixed(0)}% of openssl)`,
    );
  }
  const best: RsaSignMechanism =
    raw['CKM_RSA_PKCS']! >= raw['CKM_SHA256_RSA_PKCS']! ? 'CKM_RSA_PKCS' : 'CKM_SHA256_RSA_PKCS';
  out(`  faster mechanism: ${best}`);
  const signer = hsms[best]!.signer;

  out('\nsigned envelopes per second (HSM key, concurrency = pool size):');
  out('  size     fast path   xml-crypto   signXmlGeneric   fast/xml-crypto   fast/openssl');
  let verdict = '';
  for (const size of [2_000, 20_000, 200_000]) {
    const xml = envelopeOfSize(size);
    const bytes = Buffer.byteLength(xml);
    const fast = await rate(cfg.sessions, () => signXmlDocument(xml, signer));
    const bare = await rate(cfg.sessions, () => bareXmlCrypto(xml, signer));
    const generic = await rate(cfg.sessions, () => signXmlGeneric(xml, signer));
    const r1 = fast / bare;
    const r2 = fast / openssl;
    out(
      `  ${(bytes / 1000).toFixed(1).padStart(6)} KB ${f(fast)}/s   ${f(bare)}/s   ${f(generic)}/s   ${r1.toFixed(1).padStart(12)}x   ${(r2 * 100).toFixed(0).padStart(10)}%`,
    );
    if (size === 20_000) {
      verdict = `20 KB target: ${(r2 * 100).toFixed(0)}% of openssl (target >= 50%: ${r2 >= 0.5 ? 'met' : 'NOT met'}), ${r1.toFixed(1)}x xml-crypto (target >= 20x: ${r1 >= 20 ? 'met' : 'NOT met'})`;
    }
  }
  out(`\n${verdict}`);
  for (const { hsm } of Object.values(hsms)) await hsm.close();
}

// Also imported by bench/run.ts (npm run bench), which reuses the measurements above.
if (require.main === module) {
  main().catch((e: unknown) => {
    console.error(e instanceof Error ? e.message : String(e));
    process.exit(1);
  });
}
