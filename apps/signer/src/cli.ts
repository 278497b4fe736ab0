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
import type { FacilityIdentity, VerifyOptions } from '@bhyt/signing';
import {
  createFacilityKeyRequest,
  DevCa,
  importFacilityCertificate,
  retireFacilityKey,
  rotateFacilityKey,
} from '@bhyt/signing';
import { loadFacilityRegistry } from '@bhyt/facilities';
import { join } from 'node:path';

const USAGE = `usage:
  signer-cli sign --facility <code> <in.xml> <out.xml> [--generic]
  signer-cli verify <file.xml> [--trusted <ca.pem>] [--cert-sha256 <hex>]
  signer-cli list [--warn-days <n>]
  signer-cli csr --facility <code> --out <file.csr>          new key pair in the HSM + request for the CA
  signer-cli import-cert --facility <code> <cert.pem>        store the issued certificate next to its key
  signer-cli rotate --facility <code>                        development: new key + certificate from the dev CA
  signer-cli retire --facility <code> --key-id <id>          remove an old (not current) key`;

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

async function withStore<R>(
  fn: (store: FacilityKeyStore, hsm: Pkcs11Hsm) => Promise<R>,
  warnDays?: number,
): Promise<R> {
  const hsm = await Pkcs11Hsm.open({ ...loadHsmConfigFromEnv(), sessions: 1 });
  try {
    return await fn(new FacilityKeyStore(hsm, warnDays === undefined ? {} : { warnDays }), hsm);
  } finally {
    await hsm.close();
  }
}

async function sign(args: string[]): Promise<number> {
  const { positional, flags } = parseArgs(args, ['facility']);
  const facility = flags.get('facility');
  if (typeof facility !== 'string' || positional.length !== 2)
    throw new UsageError('sign needs --facility <code> <in.xml> <out.xml>');
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
    out(
      `signed ${input} -> ${output} (facility ${facility}, key ${signer.keyId.slice(0, 16)}, cert sha256 ${signer.certificate.sha256}, ${path} path)`,
    );
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
    out(
      `valid: signed by ${r.certificate?.subject.replace(/\n/g, ', ')} (cert sha256 ${r.certificateSha256}, expires ${r.certificate?.notAfter.toISOString().slice(0, 10)})`,
    );
    return 0;
  }
  out(`INVALID: ${r.reason}`);
  return 1;
}

async function list(args: string[]): Promise<number> {
  const { flags } = parseArgs(args, ['warn-days']);
  const warn = flags.get('warn-days');
  const warnDays = typeof warn === 'string' ? Number(warn) : undefined;
  if (warnDays !== undefined && !Number.isFinite(warnDays))
    throw new UsageError('--warn-days needs a number');
  return withStore(async (store) => {
    const keys = await store.list();
    out(['FACILITY', 'KEY_ID', 'CURRENT', 'DAYS_LEFT', 'STATUS', 'NOT_AFTER', 'SUBJECT'].join('\t'));
    for (const k of keys) {
      const c = k.certificate;
      out(
        [
          k.facilityCode,
          k.keyId.slice(0, 16),
          k.current ? 'yes' : 'no',
          c ? String(c.daysToExpiry) : '-',
          c ? c.status : 'no-certificate',
          c ? c.notAfter.toISOString().slice(0, 10) : '-',
          c?.subject ?? '-',
        ].join('\t'),
      );
    }
    return 0;
  }, warnDays);
}

function facilityOf(code: string): FacilityIdentity {
  const f = loadFacilityRegistry().get(code);
  return { code: f.code, name: f.name, province: f.province };
}

async function csr(args: string[]): Promise<number> {
  const { flags } = parseArgs(args, ['facility', 'out']);
  const facility = flags.get('facility');
  const file = flags.get('out');
  if (typeof facility !== 'string' || typeof file !== 'string')
    throw new UsageError('csr needs --facility <code> --out <file.csr>');
  return withStore(async (_store, hsm) => {
    const r = await createFacilityKeyRequest(hsm, facilityOf(facility));
    // "-" writes the request to stdout (pods have a read-only root filesystem).
    if (file === '-') process.stdout.write(r.csrPem);
    else writeFileSync(file, r.csrPem);
    process.stderr.write(
      `key ${r.keyId.slice(0, 16)} generated in the HSM for facility ${facility}; request written to ${file === '-' ? 'stdout' : file}\n`,
    );
    return 0;
  });
}

async function importCert(args: string[]): Promise<number> {
  const { positional, flags } = parseArgs(args, ['facility']);
  const facility = flags.get('facility');
  if (typeof facility !== 'string' || positional.length !== 1)
    throw new UsageError('import-cert needs --facility <code> <cert.pem>');
  return withStore(async (store, hsm) => {
    const source = positional[0]!;
    const r = await importFacilityCertificate(
      hsm,
      facility,
      readFileSync(source === '-' ? 0 : source, 'utf8'),
    );
    store.invalidate(facility);
    out(
      `certificate sha256 ${r.certificate.sha256} stored with key ${r.keyId.slice(0, 16)} (expires ${r.certificate.notAfter.toISOString().slice(0, 10)})`,
    );
    return 0;
  });
}

async function rotate(args: string[]): Promise<number> {
  const { flags } = parseArgs(args, ['facility']);
  const facility = flags.get('facility');
  if (typeof facility !== 'string') throw new UsageError('rotate needs --facility <code>');
  const stateDir = process.env['STATE_DIR'] ?? '.state';
  const ca = DevCa.loadOrCreate(process.env['DEV_CA_DIR'] ?? join(stateDir, 'dev-ca'));
  return withStore(async (store, hsm) => {
    const r = await rotateFacilityKey(
      hsm,
      facilityOf(facility),
      { ca, certDir: join(stateDir, 'certs') },
      store,
    );
    out(
      `facility ${facility}: new key ${r.keyId.slice(0, 16)}; previous keys ${r.previousKeyIds.map((k) => k.slice(0, 16)).join(', ') || 'none'} stay usable until retired`,
    );
    return 0;
  });
}

async function retire(args: string[]): Promise<number> {
  const { flags } = parseArgs(args, ['facility', 'key-id']);
  const facility = flags.get('facility');
  const keyId = flags.get('key-id');
  if (typeof facility !== 'string' || typeof keyId !== 'string')
    throw new UsageError('retire needs --facility <code> --key-id <id>');
  return withStore(async (store, hsm) => {
    const entry = (await store.entries(facility)).find((e) => e.keyId.startsWith(keyId.toLowerCase()));
    if (!entry) throw new SigningError('NO_KEY_FOR_FACILITY', `facility ${facility} has no key ${keyId}`);
    await retireFacilityKey(hsm, facility, entry.keyId, {
      certDir: join(process.env['STATE_DIR'] ?? '.state', 'certs'),
      store,
    });
    out(`key ${entry.keyId.slice(0, 16)} of facility ${facility} retired`);
    return 0;
  });
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
    case 'csr':
      return csr(rest);
    case 'import-cert':
      return importCert(rest);
    case 'rotate':
      return rotate(rest);
    case 'retire':
      return retire(rest);
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
    console.error(
      e instanceof SigningError
        ? `error [${e.code}]: ${e.message}`
        : `error: ${e instanceof Error ? e.message : String(e)}`,
    );
    process.exit(1);
  },
);
