import { randomBytes, randomUUID } from 'node:crypto';
import { OutboxInboxMigration1700000000000, OutboxLz4Migration1700000000001 } from '@bhyt/persistence';
import { freshDatabase, type FreshDatabase } from '@bhyt/persistence/testing';
import { CardCheckStore } from './card-check.store';
import { INTAKE_MIGRATIONS } from './migrations';
import { piiCipherFromEnv } from './pii-cipher';
import { RegistrationStore } from './registration.store';

/** The card re-check store against a real PostgreSQL: leases, postponing, answers recorded once. */
jest.setTimeout(60_000);

const cipher = piiCipherFromEnv({ PII_DATA_KEY: randomBytes(32).toString('hex'), PII_DATA_KEY_ID: 'k1' });
const pii = { fullName: 'Trần Thị Mẫu', birthDate: '19900202', sex: '2', address: null, citizenId: null };

describe('card check store in PostgreSQL', () => {
  let db: FreshDatabase;
  let store: CardCheckStore;
  let registration: RegistrationStore;

  async function pendingVisit(dueInMs = -1000): Promise<string> {
    const patientRef = randomUUID();
    const visitId = randomUUID();
    await registration.transaction(async (m) => {
      await registration.createPatient(m, patientRef, pii);
      await registration.insertVisit(m, {
        visitId,
        facilityCode: '79001',
        maLk: `79001_2026_01_${visitId.slice(0, 7)}`,
        maBn: 'BN1',
        patientRef,
        careType: 'OUTPATIENT_VISIT',
        identifierType: 'BHYT_CARD',
        insured: true,
        cardNumber: 'DN4797912345678',
        cardCheck: 'PENDING',
        registeredAt: new Date(),
        requestId: randomUUID(),
        cardCheckCode: 'TIMEOUT',
        cardCheckedAt: null,
        cardNextCheckAt: new Date(Date.now() + dueInMs),
        requestFingerprint: 'f'.repeat(64),
      });
    });
    return visitId;
  }
  const row = async (visitId: string) =>
    (
      (await db.ds.query(
        `SELECT card_check, card_check_code, card_check_attempts, card_checked_at, card_next_check_at FROM visits WHERE visit_id = $1`,
        [visitId],
      )) as Array<{
        card_check: string;
        card_check_code: string | null;
        card_check_attempts: number;
        card_checked_at: Date | null;
        card_next_check_at: Date | null;
      }>
    )[0]!;

  beforeAll(async () => {
    db = await freshDatabase(
      'intake_int_card_check_store',
      [OutboxInboxMigration1700000000000, OutboxLz4Migration1700000000001, ...INTAKE_MIGRATIONS],
      { poolSize: 4 },
    );
    store = new CardCheckStore(db.ds, cipher);
    registration = new RegistrationStore(db.ds, cipher);
  });

  beforeEach(async () => {
    await db.ds.query(`TRUNCATE visits, patient_identifiers, patients`);
  });

  afterAll(async () => {
    await db?.drop();
  });

  it('leases due checks once, with the decrypted data for the lookup and the attempt counted', async () => {
    const due = await pendingVisit();
    await pendingVisit(60_000);
    const taken = await store.takeDue(20);
    expect(taken).toEqual([
      expect.objectContaining({
        visitId: due,
        facilityCode: '79001',
        cardNumber: 'DN4797912345678',
        pii,
        attempts: 1,
      }),
    ]);
    expect(taken[0]!.maLk).toMatch(/^79001_2026_01_/);
    // Leased: a second round (another replica) finds nothing due.
    expect(await store.takeDue(20)).toEqual([]);
    expect((await row(due)).card_next_check_at!.getTime()).toBeGreaterThan(Date.now() + 50_000);
  });

  it('takes at most the limit per round', async () => {
    for (let i = 0; i < 3; i++) await pendingVisit();
    expect(await store.takeDue(2)).toHaveLength(2);
    expect(await store.takeDue(2)).toHaveLength(1);
  });

  it('postpones an unanswered check: still PENDING, with the code and the next time', async () => {
    const id = await pendingVisit();
    await store.takeDue(20);
    await store.postpone(id, 'GATEWAY_DOWN', 10_000);
    const r = await row(id);
    expect([r.card_check, r.card_check_code, r.card_check_attempts]).toEqual(['PENDING', 'GATEWAY_DOWN', 1]);
    expect(r.card_next_check_at!.getTime()).toBeLessThan(Date.now() + 20_000);
  });

  it('records an answer once: a second answer for the same visit reports false', async () => {
    const id = await pendingVisit();
    const checkedAt = new Date();
    expect(
      await store.transaction((m) =>
        store.recordAnswer(m, id, { cardCheck: 'VALID', code: '000', checkedAt }),
      ),
    ).toBe(true);
    expect(
      await store.transaction((m) =>
        store.recordAnswer(m, id, { cardCheck: 'INVALID', code: '010', checkedAt }),
      ),
    ).toBe(false);
    const r = await row(id);
    expect([r.card_check, r.card_check_code, r.card_next_check_at]).toEqual(['VALID', '000', null]);
    expect(r.card_checked_at!.getTime()).toBe(checkedAt.getTime());
  });
});
