import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { freshDatabase, type FreshDatabase } from '@bhyt/persistence/testing';
import { Encounters1700000000200 } from './migrations/1700000000200-encounters';
import { CheckinsHealthBook1700000000201 } from './migrations/1700000000201-checkins-health-book';
import { HealthBookStore } from './health-book.store';

/** The health-book store against a real PostgreSQL: a patient's encounters and entries, and the read audit. */
jest.setTimeout(60_000);

describe('health-book store in PostgreSQL', () => {
  let db: FreshDatabase;
  let ds: DataSource;
  let store: HealthBookStore;

  const draft = (maLk: string) => ({ maLk, patient: { fullName: 'X' }, cards: [] });
  async function encounter(facility: string, patientRef: string, minutesAgo: number): Promise<string> {
    const maLk = `${facility}_2099_01_${randomUUID().slice(0, 7)}`;
    await ds.query(
      `INSERT INTO encounters (facility_code, ma_lk, care_type, status, draft, patient_ref, opened_at) VALUES ($1,$2,'OUTPATIENT_VISIT','OPEN',$3,$4, now() - ($5::int * interval '1 minute'))`,
      [facility, maLk, JSON.stringify(draft(maLk)), patientRef, minutesAgo],
    );
    return maLk;
  }

  beforeAll(async () => {
    db = await freshDatabase(
      'encounter_int_health_book_store',
      [Encounters1700000000200, CheckinsHealthBook1700000000201],
      { poolSize: 2 },
    );
    ds = db.ds;
    store = new HealthBookStore(ds);
  });

  beforeEach(async () => {
    await ds.query(`TRUNCATE encounters, health_book_entries, health_book_reads`);
  });

  afterAll(async () => {
    await db?.drop();
  });

  it("reads a patient's encounters at every facility, latest opened first, and none of another patient's", async () => {
    const patient = randomUUID();
    const older = await encounter('79001', patient, 60);
    const latest = await encounter('01001', patient, 5);
    await encounter('79001', randomUUID(), 1);
    const found = await store.transaction((m) => store.encountersOf(m, patient));
    expect(found).toEqual([
      { facilityCode: '01001', draft: draft(latest), openedAt: expect.any(Date) },
      { facilityCode: '79001', draft: draft(older), openedAt: expect.any(Date) },
    ]);
    expect(await store.transaction((m) => store.encountersOf(m, randomUUID()))).toEqual([]);
  });

  it("reads a patient's entries, one per closed version", async () => {
    const patient = randomUUID();
    for (const version of [1, 2]) {
      await ds.query(
        `INSERT INTO health_book_entries (facility_code, ma_lk, version, patient_ref, admitted_at, entry) VALUES ('79001', 'LK1', $1, $2, now(), $3)`,
        [version, patient, JSON.stringify({ version })],
      );
    }
    const entries = await store.transaction((m) => store.entriesOf(m, patient));
    expect(entries.map((e) => (e as unknown as { version: number }).version).sort()).toEqual([1, 2]);
  });

  it('records a read attempt, and keeps none when its transaction rolls back', async () => {
    const patientRef = randomUUID();
    const read = {
      actor: 'staff-1',
      actorRole: 'DOCTOR',
      facilityCode: '79001',
      patientRef,
      purpose: 'TREATMENT',
      outcome: 'NO_CARE_RELATIONSHIP',
      episodes: 0,
    };
    await store.transaction((m) => store.recordRead(m, read));
    await expect(
      store.transaction(async (m) => {
        await store.recordRead(m, { ...read, outcome: 'GRANTED' });
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    const rows = (await ds.query(
      `SELECT actor, actor_role, facility_code, patient_ref, purpose, outcome, episodes, read_at FROM health_book_reads`,
    )) as Array<Record<string, unknown>>;
    expect(rows).toEqual([
      {
        actor: 'staff-1',
        actor_role: 'DOCTOR',
        facility_code: '79001',
        patient_ref: patientRef,
        purpose: 'TREATMENT',
        outcome: 'NO_CARE_RELATIONSHIP',
        episodes: 0,
        read_at: expect.any(Date),
      },
    ]);
  });
});
