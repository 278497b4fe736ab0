import { join } from 'node:path';
import { DevCa, validateChain } from './certificates';
import { FacilityKeyStore } from './key-store';
import { Pkcs11Hsm } from './pkcs11-hsm';
import { ensureFacilityKey, retireFacilityKey, rotateFacilityKey } from './provisioning';
import { signXmlDocument } from './sign-fast';
import { signXmlGeneric } from './sign-generic';
import { verifyXmlSignature } from './verify';
import { hsmConfigForTests } from './testing/hsm-env';
import { canonicalSamples, sampleCheckin, sampleEnvelope } from './testing/samples';
import { softwareFacility } from './testing/software-ca';
import { xmlsec1Verify } from './testing/xmlsec1';
import { xml130Documents } from './testing/xml130-documents';

jest.setTimeout(120_000); // RSA key generation in SoftHSM takes a variable time; nothing here is timed

const TEST_FACILITY = { code: '99901', name: 'Bệnh viện Kiểm thử Tích hợp', province: '99' };
const ROTATION_FACILITY = { code: '99902', name: 'Trạm Y tế Kiểm thử Xoay khoá', province: '99' };

let hsm: Pkcs11Hsm;
let store: FacilityKeyStore;
let ca: DevCa;
let certDir: string;

beforeAll(async () => {
  const cfg = hsmConfigForTests(4);
  ca = DevCa.loadOrCreate(process.env['DEV_CA_DIR']!);
  certDir = join(process.env['STATE_DIR']!, 'certs', 'int-test');
  hsm = await Pkcs11Hsm.open(cfg);
  store = new FacilityKeyStore(hsm);
  await ensureFacilityKey(hsm, TEST_FACILITY, { ca, certDir });
});

afterAll(async () => {
  await hsm?.close();
});

describe('Pkcs11Hsm on SoftHSM', () => {
  it('reports itself healthy while open', async () => {
    await expect(hsm.health()).resolves.toBe(true);
  });

  it('shares one C_Initialize and login between two connections of the same process', async () => {
    const second = await Pkcs11Hsm.open(hsmConfigForTests(2));
    await expect(second.health()).resolves.toBe(true);
    await second.close();
    await expect(second.health()).resolves.toBe(false);
    await expect(hsm.health()).resolves.toBe(true);
    const signer = await store.signerFor(TEST_FACILITY.code);
    await expect(signer.sign(Buffer.from('still logged in'))).resolves.toHaveLength(256);
  });

  it('gives the same signature with CKM_RSA_PKCS over a DigestInfo and with CKM_SHA256_RSA_PKCS', async () => {
    const other = await Pkcs11Hsm.open(hsmConfigForTests(1), {
      signMechanism: hsm.signMechanism === 'CKM_RSA_PKCS' ? 'CKM_SHA256_RSA_PKCS' : 'CKM_RSA_PKCS',
    });
    try {
      const a = await store.signerFor(TEST_FACILITY.code);
      const b = await new FacilityKeyStore(other).signerFor(TEST_FACILITY.code);
      const data = Buffer.from('<SignedInfo>…</SignedInfo>');
      expect((await a.sign(data)).equals(await b.sign(data))).toBe(true);
    } finally {
      await other.close();
    }
  });
});

describe('facility keys in the HSM', () => {
  it('issues the facility certificate from an HSM-signed request, chained to the dev CA', async () => {
    const signer = await store.signerFor(TEST_FACILITY.code);
    expect(signer.certificate.subject).toContain('Bệnh viện Kiểm thử Tích hợp');
    expect(validateChain([signer.certificate], [ca.certificate])).toEqual({ valid: true });
    expect(signer.keyId).toMatch(/^[0-9a-f]{40}$/);
  });

  it('is idempotent when provisioning an existing facility', async () => {
    const before = await store.signerFor(TEST_FACILITY.code);
    const r = await ensureFacilityKey(hsm, TEST_FACILITY, { ca, certDir });
    expect(r).toMatchObject({ status: 'exists', keyId: before.keyId });
  });

  it('lists facility keys with their certificate expiry in days', async () => {
    const keys = await store.list();
    const mine = keys.find((k) => k.facilityCode === TEST_FACILITY.code && k.current);
    expect(mine?.certificate?.daysToExpiry).toBeGreaterThan(300);
    expect(mine?.certificate?.status).toBe('ok');
  });

  it('refuses a facility without a key with NO_KEY_FOR_FACILITY', async () => {
    await expect(store.signerFor('00000')).rejects.toMatchObject({ code: 'NO_KEY_FOR_FACILITY' });
  });

  it('rotates a key: new documents use the new key, the old one works until it is retired', async () => {
    const first = await ensureFacilityKey(hsm, ROTATION_FACILITY, { ca, certDir });
    const rotated = await rotateFacilityKey(hsm, ROTATION_FACILITY, { ca, certDir }, store);
    expect(rotated.keyId).not.toBe(first.keyId);
    expect(rotated.previousKeyIds).toContain(first.keyId);
    const current = await store.signerFor(ROTATION_FACILITY.code);
    expect(current.keyId).toBe(rotated.keyId);
    const old = await store.signerFor(ROTATION_FACILITY.code, { keyId: first.keyId });
    const signedOld = await signXmlDocument(sampleCheckin(1), old);
    expect(xmlsec1Verify(signedOld.signedXml, ca.certPath).ok).toBe(true);
    for (const id of rotated.previousKeyIds)
      await retireFacilityKey(hsm, ROTATION_FACILITY.code, id, { certDir, store });
    await expect(store.signerFor(ROTATION_FACILITY.code, { keyId: first.keyId })).rejects.toMatchObject({
      code: 'NO_KEY_FOR_FACILITY',
    });
    await expect(retireFacilityKey(hsm, ROTATION_FACILITY.code, rotated.keyId)).rejects.toMatchObject({
      code: 'BAD_INPUT',
    });
  });
});

describe('signing with the HSM', () => {
  it.each(canonicalSamples())(
    'signs %s so that xmlsec1 verifies it and the generic path gives the same bytes',
    async (_name, xml) => {
      const signer = await store.signerFor(TEST_FACILITY.code);
      const fast = await signXmlDocument(xml, signer);
      expect(await signXmlGeneric(xml, signer)).toBe(fast.signedXml);
      const r = xmlsec1Verify(fast.signedXml, ca.certPath);
      expect(r.output).toContain('OK');
      expect(r.ok).toBe(true);
      expect(verifyXmlSignature(fast.signedXml, { trusted: [ca.certificate] })).toMatchObject({
        valid: true,
        certificateSha256: signer.certificate.sha256,
      });
    },
  );

  it.each(xml130Documents())(
    'signs the libs/xml130 document %s so that xmlsec1 verifies it',
    async (_name, xml) => {
      const signer = await store.signerFor(TEST_FACILITY.code);
      const fast = await signXmlDocument(xml, signer);
      expect(await signXmlGeneric(xml, signer)).toBe(fast.signedXml);
      expect(xmlsec1Verify(fast.signedXml, ca.certPath)).toMatchObject({ ok: true });
    },
  );

  it('makes xmlsec1 fail on a document with one byte changed', async () => {
    const signer = await store.signerFor(TEST_FACILITY.code);
    const { signedXml } = await signXmlDocument(sampleEnvelope(2), signer);
    const i = signedXml.indexOf('<MACSKCB>79001') + '<MACSKCB>7900'.length;
    const tampered = `${signedXml.slice(0, i)}2${signedXml.slice(i + 1)}`;
    expect(tampered.length).toBe(signedXml.length);
    expect(xmlsec1Verify(tampered, ca.certPath).ok).toBe(false);
    expect(verifyXmlSignature(tampered).valid).toBe(false);
  });

  it('makes xmlsec1 reject a certificate that the trusted CA did not issue', async () => {
    const stranger = await softwareFacility('79009');
    const { signedXml } = await signXmlDocument(sampleCheckin(1), stranger.signer);
    expect(xmlsec1Verify(signedXml, ca.certPath).ok).toBe(false);
    expect(xmlsec1Verify(signedXml, stranger.ca.certPath).ok).toBe(true);
  });

  it('survives many parallel signatures on a pool of four sessions', async () => {
    const signer = await store.signerFor(TEST_FACILITY.code);
    const docs = Array.from({ length: 400 }, (_, i) =>
      sampleCheckin(1 + (i % 3)).replace('<STT>1</STT>', `<STT>${i}</STT>`),
    );
    const results = await Promise.all(docs.map((d) => signXmlDocument(d, signer)));
    expect(new Set(results.map((r) => r.documentSha256)).size).toBe(400);
    for (const r of results.filter((_, i) => i % 40 === 0))
      expect(verifyXmlSignature(r.signedXml).valid).toBe(true);
    await expect(hsm.health()).resolves.toBe(true);
  });
});
