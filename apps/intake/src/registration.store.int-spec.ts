import { randomBytes, randomUUID } from 'node:crypto';
import { OutboxInboxMigration1700000000000, OutboxLz4Migration1700000000001 } from '@bhyt/persistence';
import { freshDatabase, type FreshDatabase } from '@bhyt/persistence/testing';
import { INTAKE_MIGRATIONS } from './migrations';
import { piiCipherFromEnv } from './pii-cipher';
import { RegistrationStore, type NewVisit } from './registration.store';

/** The registration store against a real PostgreSQL: visits, MA_LK numbers and encrypted patients. */
jest.setTimeout(60_000);

const cipher = piiCipherFromEnv({ PII_DATA_KEY: randomBytes(32).toString('hex'), PII_DATA_KEY_ID: 'k1' });
const pii = {
  fullName: 'Nguyễn Văn Mẫu',
  birthDate: '19800101',
  sex: '1',
  address: 'Số 1 Đường Mẫu',
  citizenId: '079080000001',
};

describe('registration store in PostgreSQL', () => {
  let db: FreshDatabase;
  let store: RegistrationStore;

  const visit = (patientRef: string, over: Partial<NewVisit> = {}): NewVisit => ({
    visitId: randomUUID(),
    facilityCode: '79001',
    maLk: `79001_2026_01_${randomUUID().slice(0, 7)}`,
    maBn: 'BN00000001',
    patientRef,
    careType: 'OUTPATIENT_VISIT',
    identifierType: 'CCCD',
    insured: true,
    cardNumber: 'DN4797912345678',
    cardCheck: 'PENDING',
    registeredAt: new Date('2026-01-05T02:00:00Z'),
    requestId: randomUUID(),
    cardCheckCode: 'GATEWAY_DOWN',
    cardCheckedAt: null,
    cardNextCheckAt: new Date(Date.now() + 5000),
    requestFingerprint: 'f'.repeat(64),
    ...over,
  });
  const patient = async () => {
    const ref = randomUUID();
    await store.transaction((m) => store.createPatient(m, ref, pii));
    return ref;
  };

  beforeAll(async () => {
    db = await freshDatabase(
      'intake_int_registration_store',
      [OutboxInboxMigration1700000000000, OutboxLz4Migration1700000000001, ...INTAKE_MIGRATIONS],
      { poolSize: 4 },
    );
    store = new RegistrationStore(db.ds, cipher);
  });

  afterAll(async () => {
    await db?.drop();
  });

  it('keeps a patient only as ciphertext that decrypts back under the same patientRef', async () => {
    const ref = await patient();
    const [row] = (await db.ds.query(`SELECT pii, pii_key_id FROM patients WHERE patient_ref = $1`, [
      ref,
    ])) as Array<{ pii: Buffer; pii_key_id: string }>;
    for (const v of [pii.fullName, pii.citizenId, pii.birthDate, pii.address])
      expect(row!.pii.includes(Buffer.from(v, 'utf8'))).toBe(false);
    expect(row!.pii_key_id).toBe('k1');
    expect(cipher.decrypt(row!.pii, ref)).toEqual(pii);
  });

  it('finds a patient again by any linked identifier hash, and links a hash only once', async () => {
    const ref = await patient();
    await store.transaction((m) => store.linkIdentifiers(m, ref, 'CCCD', ['h-cccd', 'h-card']));
    await store.transaction((m) => store.linkIdentifiers(m, ref, 'BHYT_CARD', ['h-card']));
    expect(await store.transaction((m) => store.findPatientRefs(m, ['h-card', 'h-other']))).toEqual([ref]);
    expect(await store.transaction((m) => store.findPatientRefs(m, ['h-none']))).toEqual([]);
  });

  it('hands out increasing MA_LK sequence numbers as text', async () => {
    const a = await store.transaction((m) => store.nextMaLkSequence(m));
    const b = await store.transaction((m) => store.nextMaLkSequence(m));
    expect(typeof a).toBe('string');
    expect(Number(b)).toBeGreaterThan(Number(a));
  });

  it('answers a visit by its facility and requestId, mapped to camelCase', async () => {
    const ref = await patient();
    const v = visit(ref);
    await store.transaction((m) => store.insertVisit(m, v));
    expect(await store.findByRequest('79001', v.requestId)).toEqual({
      visitId: v.visitId,
      maLk: v.maLk,
      patientRef: ref,
      cardCheck: 'PENDING',
      cardCheckCode: 'GATEWAY_DOWN',
      requestFingerprint: v.requestFingerprint,
    });
    expect(await store.findByRequest('79002', v.requestId)).toBeUndefined();
    expect(await store.findByRequest('79001', randomUUID())).toBeUndefined();
  });

  it('refuses a second visit with the same facility and requestId with the unique violation', async () => {
    const ref = await patient();
    const v = visit(ref);
    await store.transaction((m) => store.insertVisit(m, v));
    await expect(
      store.transaction((m) => store.insertVisit(m, visit(ref, { requestId: v.requestId }))),
    ).rejects.toMatchObject({ code: '23505' });
  });
});
