import type { DataSource, EntityManager } from 'typeorm';
import { GroupCommit } from './group-commit';

/** A DataSource double that records statements per transaction; COMMIT can be made to fail. */
function fakeDataSource() {
  const transactions: string[][] = [];
  const state = { failCommit: false };
  const ds = {
    async transaction<T>(work: (m: EntityManager) => Promise<T>): Promise<T> {
      const log: string[] = ['BEGIN'];
      transactions.push(log);
      const m = { query: async (sql: string) => void log.push(sql) } as unknown as EntityManager;
      try {
        const result = await work(m);
        if (state.failCommit) throw new Error('commit failed: connection reset');
        log.push('COMMIT');
        return result;
      } catch (err) {
        log.push('ROLLBACK');
        throw err;
      }
    },
  } as unknown as DataSource;
  return { ds, transactions, state };
}

describe('GroupCommit', () => {
  it('runs units submitted in the same turn in one transaction and gives each its own result', async () => {
    const { ds, transactions } = fakeDataSource();
    const gc = new GroupCommit(ds);
    const results = await Promise.all(
      [1, 2, 3].map((n) => gc.run(async (m) => (await m.query(`INSERT ${n}`), n * 10))),
    );
    expect(results).toEqual([10, 20, 30]);
    expect(transactions).toEqual([['BEGIN', 'INSERT 1', 'INSERT 2', 'INSERT 3', 'COMMIT']]);
  });

  it('runs the units of a failed shared transaction again one by one, so that only the failing unit rejects', async () => {
    const { ds, transactions } = fakeDataSource();
    const gc = new GroupCommit(ds);
    const outcomes = await Promise.allSettled([
      gc.run(async (m) => m.query('INSERT ok-1')),
      gc.run(async (m) => {
        await m.query('INSERT bad');
        throw new Error('duplicate key');
      }),
      gc.run(async (m) => m.query('INSERT ok-2')),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((outcomes[1] as PromiseRejectedResult).reason.message).toBe('duplicate key');
    expect(transactions[0]!.at(-1)).toBe('ROLLBACK');
    expect(transactions.slice(1)).toEqual([
      ['BEGIN', 'INSERT ok-1', 'COMMIT'],
      ['BEGIN', 'INSERT bad', 'ROLLBACK'],
      ['BEGIN', 'INSERT ok-2', 'COMMIT'],
    ]);
  });

  it('rejects a unit whose own transaction cannot commit either, so that its caller retries', async () => {
    const { ds, state } = fakeDataSource();
    state.failCommit = true;
    const gc = new GroupCommit(ds);
    const outcomes = await Promise.allSettled([gc.run(async () => 'a'), gc.run(async () => 'b')]);
    expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'rejected']);
  });

  it('does not resolve a unit before its transaction has committed', async () => {
    const { ds, transactions } = fakeDataSource();
    const gc = new GroupCommit(ds);
    let committedWhenResolved: boolean | undefined;
    await gc
      .run(async (m) => m.query('INSERT x'))
      .then(() => {
        committedWhenResolved = transactions[0]!.includes('COMMIT');
      });
    expect(committedWhenResolved).toBe(true);
  });

  it('puts units submitted while a transaction is being written into the next transaction', async () => {
    const { ds, transactions } = fakeDataSource();
    const gc = new GroupCommit(ds);
    let late: Promise<unknown> | undefined;
    const first = gc.run(async (m) => {
      late = gc.run(async (m2) => m2.query('INSERT late'));
      await m.query('INSERT first');
    });
    await first;
    await late;
    expect(transactions).toHaveLength(2);
    expect(transactions[1]).toContain('INSERT late');
  });

  it('splits a burst larger than the batch size into several transactions', async () => {
    const { ds, transactions } = fakeDataSource();
    const gc = new GroupCommit(ds, { maxBatch: 4 });
    await Promise.all(Array.from({ length: 10 }, (_, i) => gc.run(async (m) => m.query(`INSERT ${i}`))));
    expect(transactions.map((t) => t.filter((q) => q.startsWith('INSERT')).length)).toEqual([4, 4, 2]);
  });
});
