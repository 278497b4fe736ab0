import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DevCa } from '@bhyt/signing';

/**
 * The key lifecycle hospital IT runs with the signer CLI, against the real SoftHSM token:
 * request a key, have it certified, import the certificate, sign with the new key, retire the
 * old one. Every signature is checked by xmlsec1.
 */
const ROOT = join(__dirname, '../../..');
const CLI = join(ROOT, 'dist/apps/signer/src/cli.js');
const FACILITY = '96903';

function cli(args: string[], env: NodeJS.ProcessEnv): string {
  return execFileSync(process.execPath, [CLI, ...args], {
    env,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

describe('signer CLI key lifecycle', () => {
  if (!process.env['SOFTHSM2_CONF'])
    throw new Error('SoftHSM environment missing: run through `npm test` (it exports SOFTHSM2_CONF)');
  const dir = mkdtempSync(join(tmpdir(), 'signer-cli-'));
  const registry = join(dir, 'facilities.json');
  writeFileSync(
    registry,
    JSON.stringify({
      facilities: [
        {
          code: FACILITY,
          name: 'Phòng khám Kiểm thử',
          level: 'private',
          province: '96',
          gatewayAccount: `${FACILITY}_BV`,
          certificateAlias: `facility-${FACILITY}`,
        },
      ],
    }),
  );
  const env = {
    ...process.env,
    FACILITY_REGISTRY_FILE: registry,
    STATE_DIR: dir,
    DEV_CA_DIR: join(dir, 'ca'),
  };
  const ca = DevCa.loadOrCreate(join(dir, 'ca'));

  const keysOf = () =>
    cli(['list'], env)
      .split('\n')
      .filter((l) => l.startsWith(`${FACILITY}\t`))
      .map((l) => l.split('\t'));

  it('creates a key in the HSM with a request, imports its certificate and signs with it', () => {
    cli(['csr', '--facility', FACILITY, '--out', join(dir, 'req.csr')], env);
    const issued = ca.issueFromCsr(readFileSync(join(dir, 'req.csr'), 'utf8'));
    writeFileSync(join(dir, 'cert.pem'), issued.pem);
    const before = keysOf();
    cli(['import-cert', '--facility', FACILITY, join(dir, 'cert.pem')], env);
    const after = keysOf();
    const current = after.find((k) => k[2] === 'yes');
    expect(current).toBeDefined();
    expect(before.some((k) => k[1] === current![1] && k[4] === 'no-certificate')).toBe(true);

    const doc =
      '<?xml version="1.0" encoding="utf-8"?><CHI_TIEU_TRANG_THAI_KCB><DSACH_TRANG_THAI_KCB><TRANG_THAI_KCB><MA_LK>LK1</MA_LK></TRANG_THAI_KCB></DSACH_TRANG_THAI_KCB><CHUKYDONVI></CHUKYDONVI></CHI_TIEU_TRANG_THAI_KCB>';
    writeFileSync(join(dir, 'in.xml'), doc);
    cli(['sign', '--facility', FACILITY, join(dir, 'in.xml'), join(dir, 'out.xml')], env);
    execFileSync(
      'xmlsec1',
      [
        '--verify',
        '--enabled-reference-uris',
        'empty',
        '--pubkey-cert-pem',
        join(dir, 'cert.pem'),
        join(dir, 'out.xml'),
      ],
      { stdio: 'pipe' },
    );
  });

  it('refuses a certificate whose key is not in the HSM', () => {
    // Any certificate whose public key was not generated in this HSM, e.g. another CA's own.
    DevCa.loadOrCreate(join(dir, 'other-ca'));
    writeFileSync(join(dir, 'stranger.pem'), readFileSync(join(dir, 'other-ca', 'ca-cert.pem')));
    expect(() => cli(['import-cert', '--facility', FACILITY, join(dir, 'stranger.pem')], env)).toThrow(
      /matches no key/,
    );
  });

  it('rotates to a new current key and retires the old one, but never the current one', () => {
    const old = keysOf().find((k) => k[2] === 'yes')![1]!;
    cli(['rotate', '--facility', FACILITY], env);
    const keys = keysOf();
    const current = keys.find((k) => k[2] === 'yes')![1]!;
    expect(current).not.toBe(old);
    expect(() => cli(['retire', '--facility', FACILITY, '--key-id', current], env)).toThrow(/current key/);
    cli(['retire', '--facility', FACILITY, '--key-id', old], env);
    expect(keysOf().some((k) => k[1] === old)).toBe(false);
    // Clean up the test facility's keys so the dev token stays tidy.
    for (const k of keysOf().filter((x) => x[2] !== 'yes'))
      cli(['retire', '--facility', FACILITY, '--key-id', k[1]!], env);
  });
});
