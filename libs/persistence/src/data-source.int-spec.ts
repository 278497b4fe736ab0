import { DataSource, MigrationInterface, QueryRunner } from 'typeorm';
import { openDatabase } from './data-source';
import { scratchDatabase, type ScratchDatabase } from './testing';

/**
 * Replicas of one service start together on a database nobody has created yet, each running the
 * migrations at start-up: against a real PostgreSQL, every one of them must come up and each
 * migration must run exactly once.
 */
jest.setTimeout(60_000);

/** Not idempotent on purpose: a second run fails (CREATE TABLE) or leaves a second row. */
class CreateLedger1700000000900 implements MigrationInterface {
  name = 'CreateLedger1700000000900';
  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE ledger (id serial PRIMARY KEY, note text NOT NULL)`);
    await q.query(`SELECT pg_sleep(0.2)`); // widens the window in which a second replica would step in
    await q.query(`INSERT INTO ledger (note) VALUES ('created')`);
  }
  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE ledger`);
  }
}

class AddLedgerEntry1700000000901 implements MigrationInterface {
  name = 'AddLedgerEntry1700000000901';
  async up(q: QueryRunner): Promise<void> {
    await q.query(`INSERT INTO ledger (note) VALUES ('second')`);
  }
  async down(q: QueryRunner): Promise<void> {
    await q.query(`DELETE FROM ledger WHERE note = 'second'`);
  }
}

describe('migrations when several replicas start at once', () => {
  const sources: DataSource[] = [];
  // Not created here: creating it is what the five replicas race to do.
  let db: ScratchDatabase;

  beforeAll(async () => {
    db = await scratchDatabase('persistence_int_migrate');
  });

  afterAll(async () => {
    for (const ds of sources) if (ds.isInitialized) await ds.destroy();
    await db?.drop();
  });

  it('brings up five data sources started together on a fresh database and runs each migration once', async () => {
    const opened = await Promise.allSettled(
      Array.from({ length: 5 }, (_, i) =>
        openDatabase({
          url: db.url,
          database: db.database,
          migrations: [CreateLedger1700000000900, AddLedgerEntry1700000000901],
          applicationName: `persistence-int-migrate-${i}`,
          poolSize: 1,
        }),
      ),
    );
    for (const r of opened) if (r.status === 'fulfilled') sources.push(r.value);
    expect(
      opened.filter((r) => r.status === 'rejected').map((r) => String((r as PromiseRejectedResult).reason)),
    ).toEqual([]);
    const ledger = (await sources[0]!.query(`SELECT note FROM ledger ORDER BY id`)) as Array<{
      note: string;
    }>;
    expect(ledger.map((r) => r.note)).toEqual(['created', 'second']);
    const ran = (await sources[0]!.query(`SELECT name FROM migrations ORDER BY id`)) as Array<{
      name: string;
    }>;
    expect(ran.map((r) => r.name)).toEqual(['CreateLedger1700000000900', 'AddLedgerEntry1700000000901']);
  });
});
