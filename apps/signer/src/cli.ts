// Signer CLI for hospital IT. Uses the same HSM environment as the signer service:
// PKCS11_MODULE, HSM_TOKEN_LABEL, HSM_PIN_FILE (or HSM_PIN), SOFTHSM2_CONF for SoftHSM.
//
//   node dist/apps/signer/src/cli.js sign --facility 79001 in.xml out.xml [--generic]
//   node dist/apps/signer/src/cli.js verify file.xml [--trusted ca.pem] [--cert-sha256 HEX]   (exit 0 valid, 1 invalid)
//   node dist/apps/signer/src/cli.js list [--warn-days 30]
//
// Exit codes: 0 ok / valid, 1 invalid signature or signing error, 2 usage error.
import { readFileSync, writeFileSync } from 'node:fs';
import {
  FacilityKeyStore,
  Pkcs11Hsm,
  SigningError,
  importPemChain,
  isSigningError,
  loadHsmConfigFromEnv,
  signXmlDocument,
  signXmlGeneric,
  verifyXmlSignature,
} from '@bhyt/signing';
import type { VerifyOptions } from '@bhyt/signing';

const USAGE = `usage:
  signer-cli sign --facility <code> <in.xml> <out.xml> [--generic]
  signer-cli verify <file.xml> [--trusted <ca.pem>] [--cert-sha256 <hex>]
  signer-cli list [--warn-days <n>]`;

class UsageError extends Error {}

interface Parsed {
  positional: string[];
  flags: Map<string, string | true>;
}

function parseArgs(args: string[], valued: string[]): Parsed {
  const positional: string[] = [];
  const flags = new Map<string, string | true>();
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a.startsWith('--')) {
      const [name, inline] = a.slice(2).split('=', 2) as [string, string | undefined];
      if (valued.includes(name)) {
        const v = inline ?? args[++i];
        if (v === undefined) throw new UsageError(`--${name} needs a value`);
        flags.set(name, v);
      } else flags.set(name, true);
    } else positional.push(a);
  }
  return { positional, flags };
}

const out = (line: string): void => void process.stdout.write(`${line}\n`);

async function withStore<R>(fn: (store: FacilityKeyStore) => Promise<R>, warnDays?: number): Promise<R> {
  const hsm = await Pkcs11Hsm.open({ ...loadHsmConfigFromEnv(), sessions: 1 });
  try {
    return await fn(new FacilityKeyStore(hsm, warnDays === undefined ? {} : { warnDays }));
  } finally {
    await hsm.close();
  }
}

async function sign(args: string[]): Promise<number> {
  const { positional, flags } = parseArgs(args, ['facility']);
  const facility = flags.get('facility');
  if (typeof facility !== 'string' || positional.length !== 2) throw new UsageError('sign needs --facility <code> <in.xml> <out.xml>');
  const [input, output] = positional as [string, string];
  const xml = readFileSync(input, 'utf8');
  return withStore(async (store) => {
    const signer = await store.signerFor(facility);
    let signedXml: string;
    let path = 'fast';
    if (flags.has('generic')) {
      signedXml = await signXmlGeneric(xml, signer);
      path = 'generic';
    } else {
      try {
        signedXml = (await signXmlDocument(xml, signer)).signedXml;
      } catch (e) {
        if (!isSigningError(e, 'NOT_CANONICAL')) throw e;
        process.stderr.write(`note: ${e.message}; using the generic (xml-crypto) path\n`);
        signedXml = await signXmlGeneric(xml, signer);
        path = 'generic';
      }
    }
    writeFileSync(output, signedXml);
    out(`signed ${input} -> ${output} (facility ${facility}, key ${signer.keyId.slice(0, 16)}, cert sha256 ${signer.certificate.sha256}, ${path} path)`);
    return 0;
  });
}

function verify(args: string[]): number {
  const { positional, flags } = parseArgs(args, ['trusted', 'cert-sha256']);
  if (positional.length !== 1) throw new UsageError('verify needs exactly one file');
  const opts: VerifyOptions = {};
  const trusted = flags.get('trusted');
  if (typeof trusted === 'string') opts.trusted = importPemChain(readFileSync(trusted, 'utf8'));
  const sha = flags.get('cert-sha256');
  if (typeof sha === 'string') opts.expectedCertificateSha256 = sha;
  const r = verifyXmlSignature(readFileSync(positional[0]!, 'utf8'), opts);
  if (r.valid) {
    out(`valid: signed by ${r.certificate?.subject.replace(/\n/g, ', ')} (cert sha256 ${r.certificateSha256}, expires ${r.certificate?.notAfter.toISOString().slice(0, 10)})`);
    return 0;
  }
  out(`INVALID: ${r.reason}`);
  return 1;
}

async function list(args: string[]): Promise<number> {
  const { flags } = parseArgs(args, ['warn-days']);
  const warn = flags.get('warn-days');
  const warnDays = typeof warn === 'string' ? Number(warn) : undefined;
  if (warnDays !== undefined && !Number.isFinite(warnDays)) throw new UsageError('--warn-days needs a number');
  return withStore(async (store) => {
    const keys = await store.list();
    out(['FACILITY', 'KEY_ID', 'CURRENT', 'DAYS_LEFT', 'STATUS', 'NOT_AFTER', 'SUBJECT'].join('\t'));
    for (const k of keys) {
      const c = k.certificate;
      out(
        [k.facilityCode, k.keyId.slice(0, 16), k.current ? 'yes' : 'no', c ? String(c.daysToExpiry) : '-', c ? c.status : 'no-certificate', c ? c.notAfter.toISOString().slice(0, 10) : '-', c?.subject ?? '-'].join(
          '\t',
        ),
      );
    }
    return 0;
  }, warnDays);
}

async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  switch (cmd) {
    case 'sign':
      return sign(rest);
    case 'verify':
      return verify(rest);
    case 'list':
      return list(rest);
    case undefined:
    case '-h':
    case '--help':
      out(USAGE);
      return cmd === undefined ? 2 : 0;
    default:
      throw new UsageError(`unknown command ${cmd}`);
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    if (e instanceof UsageError) {
      console.error(`${e.message}\n${USAGE}`);
      process.exit(2);
    }
    console.error(e instanceof SigningError ? `error [${e.code}]: ${e.message}` : `error: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  },
);
