import { finishedPrefix, runKeyOrdered } from './key-ordered';

const tick = () => new Promise((r) => setImmediate(r));

describe('runKeyOrdered', () => {
  it('keeps the messages of one key in order while other keys run alongside', async () => {
    const log: string[] = [];
    const items = [
      { key: 'A', id: 'a1' },
      { key: 'B', id: 'b1' },
      { key: 'A', id: 'a2' },
    ];
    await runKeyOrdered(
      items,
      (i) => i.key,
      async (i) => {
        log.push(`start ${i.id}`);
        await tick();
        log.push(`end ${i.id}`);
        return true;
      },
    );
    // b1 starts before a1 ends (concurrent keys); a2 starts only after a1 ended (same key).
    expect(log.indexOf('start b1')).toBeLessThan(log.indexOf('end a1'));
    expect(log.indexOf('start a2')).toBeGreaterThan(log.indexOf('end a1'));
  });

  it('does not start the later messages of a key once one of its messages was left unfinished', async () => {
    const started: string[] = [];
    const done = await runKeyOrdered(
      ['A1', 'B1', 'A2'],
      (i) => i[0]!,
      async (i) => {
        started.push(i);
        return i !== 'A1';
      },
    );
    expect(done).toEqual([false, true, false]);
    expect(started).not.toContain('A2');
  });
});

describe('finishedPrefix', () => {
  it('counts only the leading finished messages, so no offset is committed past an unfinished one', () => {
    expect(finishedPrefix([true, true, false, true])).toBe(2);
    expect(finishedPrefix([true, true])).toBe(2);
    expect(finishedPrefix([false, true])).toBe(0);
  });
});
