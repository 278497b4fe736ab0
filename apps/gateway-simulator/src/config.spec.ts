import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadCertificateDir, loadConfigInput, md5Upper, normaliseConfig } from './config';
import { makeCertificate } from './test-fixtures';

describe('simulator configuration', () => {
  it('defaults to the dev facilities with account <code>_BV and the development password', () => {
    const config = normaliseConfig(loadConfigInput({}, `${__dirname}/../../..`), {});
    expect([...config.facilities.keys()]).toEqual(['79001', '79002', '01001', '48001']);
    expect(config.accounts.get('79001_BV')).toMatchObject({
      facility: '79001',
      passwordMd5: md5Upper('dev-password-79001'),
      locked: false,
    });
    expect(config.signaturePolicy).toBe('enforce');
  });

  it('takes the development password from GATEWAY_SIMULATOR_PASSWORD when set', () => {
    const env = { GATEWAY_SIMULATOR_PASSWORD: 'p' };
    const config = normaliseConfig(loadConfigInput(env, `${__dirname}/../../..`), env);
    expect(config.accounts.get('48001_BV')?.passwordMd5).toBe(md5Upper('p'));
  });

  it('loads registered certificates from <facilityCode>.pem files and ignores other files', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gw-certs-'));
    const a = makeCertificate('A');
    const b = makeCertificate('B');
    writeFileSync(join(dir, '79001.pem'), a.certPem + b.certPem);
    writeFileSync(join(dir, 'notes.txt'), 'x');
    const certs = loadCertificateDir(dir);
    expect(Object.keys(certs)).toEqual(['79001']);
    expect(certs['79001']).toHaveLength(2);
  });
});
