import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Verifies a signed document with xmlsec1 (an independent C implementation):
 * the embedded X509Certificate must chain to `trustedPem`; only same-document empty URIs
 * are dereferenced.
 */
export function xmlsec1Verify(xml: string, trustedPem: string): { ok: boolean; output: string } {
  const dir = mkdtempSync(join(tmpdir(), 'xmlsec1-'));
  try {
    const file = join(dir, 'signed.xml');
    writeFileSync(file, xml);
    const r = spawnSync(
      'xmlsec1',
      ['--verify', '--enabled-reference-uris', 'empty', '--trusted-pem', trustedPem, file],
      { encoding: 'utf8' },
    );
    return { ok: r.status === 0, output: `${r.stdout}${r.stderr}` };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
