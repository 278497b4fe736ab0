import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import forge from 'node-forge';
import { daysToExpiry, expiryStatus, importPemChain, importPkcs12, validateChain } from './certificates';
import { loadHsmConfigFromEnv } from './config';
import { SessionPool } from './session-pool';
import { softwareFacility } from './testing/software-ca';

jest.setTimeout(60_000); // RSA key generation for the throw-away CAs takes a variable time

describe('loadHsmConfigFromEnv', () => {
  const pinFile = join(mkdtempSync(join(tmpdir(), 'pin-')), 'pin');
  writeFileSync(pinFile, 'secret-pin-123\n');

  it('reads the PIN from HSM_PIN_FILE and defaults to four sessions', () => {
    expect(
      loadHsmConfigFromEnv({ PKCS11_MODULE: '/m.so', HSM_TOKEN_LABEL: 't', HSM_PIN_FILE: pinFile }),
    ).toEqual({
      modulePath: '/m.so',
      tokenLabel: 't',
      pin: 'secret-pin-123',
      sessions: 4,
    });
  });

  it('names the missing variable', () => {
    expect(() => loadHsmConfigFromEnv({ HSM_TOKEN_LABEL: 't', HSM_PIN: 'x' })).toThrow(/PKCS11_MODULE/);
    expect(() => loadHsmConfigFromEnv({ PKCS11_MODULE: '/m.so', HSM_PIN: 'x' })).toThrow(/HSM_TOKEN_LABEL/);
    expect(() => loadHsmConfigFromEnv({ PKCS11_MODULE: '/m.so', HSM_TOKEN_LABEL: 't' })).toThrow(
      /HSM_PIN_FILE/,
    );
  });

  it('never puts the PIN in an error message', () => {
    try {
      loadHsmConfigFromEnv({
        PKCS11_MODULE: '/m.so',
        HSM_TOKEN_LABEL: 't',
        HSM_PIN: 'secret-pin-123',
        HSM_SESSIONS: 'many',
      });
      throw new Error('expected a failure');
    } catch (e) {
      expect((e as Error).message).not.toContain('secret-pin-123');
      expect((e as Error).message).toMatch(/HSM_SESSIONS/);
    }
  });
});

describe('SessionPool', () => {
  it('lends each session to one operation at a time and serves waiters in order', async () => {
    const pool = new SessionPool(['a', 'b']);
    const inUse = new Set<string>();
    let maxConcurrent = 0;
    await Promise.all(
      Array.from({ length: 20 }, () =>
        pool.use(async (s) => {
          expect(inUse.has(s)).toBe(false);
          inUse.add(s);
          maxConcurrent = Math.max(maxConcurrent, inUse.size);
          await new Promise((r) => setImmediate(r));
          inUse.delete(s);
        }),
      ),
    );
    expect(maxConcurrent).toBe(2);
    expect(pool.inUse).toBe(0);
  });

  it('rejects waiters when drained', async () => {
    const pool = new SessionPool(['a']);
    const s = await pool.acquire();
    const waiting = pool.acquire();
    const drained = pool.drain();
    await expect(waiting).rejects.toMatchObject({ code: 'HSM_CLOSED' });
    pool.release(s);
    await drained;
    await expect(pool.acquire()).rejects.toMatchObject({ code: 'HSM_CLOSED' });
  });
});

describe('certificates', () => {
  it('validates a facility certificate against its CA and rejects it against another CA', async () => {
    const a = await softwareFacility('79001');
    const b = await softwareFacility('79002');
    expect(validateChain([a.signer.certificate], [a.ca.certificate])).toEqual({ valid: true });
    expect(validateChain([a.signer.certificate, a.ca.certificate], [a.ca.certificate])).toEqual({
      valid: true,
    });
    expect(validateChain([a.signer.certificate], [b.ca.certificate]).valid).toBe(false);
    const later = new Date(a.signer.certificate.notAfter.getTime() + 86_400_000);
    expect(validateChain([a.signer.certificate], [a.ca.certificate], later)).toMatchObject({
      valid: false,
      reason: expect.stringMatching(/expired/),
    });
  });

  it('computes days to expiry and the warning status', async () => {
    const { signer } = await softwareFacility('79001', { days: 20 });
    expect(daysToExpiry(signer.certificate)).toBe(19);
    expect(expiryStatus(signer.certificate, 30)).toBe('expiring');
    expect(expiryStatus(signer.certificate, 10)).toBe('ok');
  });

  it('imports a PEM chain and a PKCS#12 file with its key', async () => {
    const { signer, ca, keyPem } = await softwareFacility('79001');
    const chain = importPemChain(signer.certificate.pem + ca.certificate.pem);
    expect(chain.map((c) => c.sha256)).toEqual([signer.certificate.sha256, ca.certificate.sha256]);
    const p12 = forge.pkcs12.toPkcs12Asn1(
      forge.pki.privateKeyFromPem(keyPem),
      [
        forge.pki.certificateFromPem(ca.certificate.pem),
        forge.pki.certificateFromPem(signer.certificate.pem),
      ],
      'mật khẩu',
      { algorithm: '3des' },
    );
    const der = Buffer.from(forge.asn1.toDer(p12).getBytes(), 'binary');
    const imported = importPkcs12(der, 'mật khẩu');
    expect(imported.certificates.map((c) => c.sha256)).toEqual([
      signer.certificate.sha256,
      ca.certificate.sha256,
    ]);
    expect(imported.privateKeyPem).toMatch(/BEGIN PRIVATE KEY/);
    expect(() => importPkcs12(der, 'wrong')).toThrow(/PKCS#12/);
  });
});
