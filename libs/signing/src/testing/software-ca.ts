import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DevCa, buildCsr } from '../certificates';
import type { IssueOptions } from '../certificates';
import { createSoftwareSigner } from '../signer';
import type { FacilitySigner } from '../signer';
import { createSign } from 'node:crypto';

/** A throw-away dev CA and a software-key facility signer issued by it (unit tests only). */
export async function softwareFacility(
  code = '79001',
  issue: IssueOptions = {},
): Promise<{ ca: DevCa; signer: FacilitySigner; keyPem: string }> {
  const ca = DevCa.loadOrCreate(mkdtempSync(join(tmpdir(), 'bhyt-ca-')));
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = publicKey.export({ format: 'jwk' });
  const keyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const csr = await buildCsr(
    [
      { name: 'CN', value: `Bệnh viện Mẫu ${code}` },
      { name: 'OU', value: code },
      { name: 'C', value: 'VN' },
    ],
    { modulus: Buffer.from(jwk.n!, 'base64url'), publicExponent: Buffer.from(jwk.e!, 'base64url') },
    (data) => Promise.resolve(createSign('RSA-SHA256').update(data).sign(keyPem)),
  );
  const cert = ca.issueFromCsr(csr, issue);
  return { ca, signer: createSoftwareSigner(code, keyPem, cert.pem), keyPem };
}
