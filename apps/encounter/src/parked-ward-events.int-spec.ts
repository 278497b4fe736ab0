import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { Headers, HTTP_STATUS_OF_KIND, isPlatformError, Topics } from '@bhyt/contracts';
import { OutboxInboxMigration1700000000000 } from '@bhyt/persistence';
import { freshDatabase, type FreshDatabase } from '@bhyt/persistence/testing';
import { Encounters1700000000200 } from './migrations/1700000000200-encounters';
import { CheckinsHealthBook1700000000201 } from './migrations/1700000000201-checkins-health-book';
import { ParkedWardEventOrigin1700000000202 } from './migrations/1700000000202-parked-ward-event-origin';
import { ParkedWardEvents } from './parked-ward-events';
import { ParkedWardEventStore } from './parked-ward-event.store';

/**
 * The sweeper against a real PostgreSQL: replicas sweeping side by side move each expired
 * event exactly once, an event locked by an encounter opening right now is skipped (not waited
 * for), and fresh events stay.
 */
jest.setTimeout(60_000);

describe('sweeping parked ward events in PostgreSQL', () => {
  let db: FreshDatabase;
  let ds: DataSource;
  const facilities = {
    has: (c: string) => ['79001', '01001'].includes(c),
    list: () => [{ code: '79001' }, { code: '01001' }],
  };
  const logger = { warn: () => undefined };
  const sweeper = () =>
    new ParkedWardEvents(new ParkedWardEventStore(ds), facilities, logger, {
      maxAgeMinutes: 60,
      sweepIntervalMs: 60_000,
      consumerGroup: 'bhyt-encounter-ward-events',
      batchSize: 25,
    });

  async function park(n: number, minutesAgo: number, facility = '79001'): Promise<string[]> {
    const ids = Array.from({ length: n }, () => randomUUID());
    for (const [i, id] of ids.entries()) {
      const maLk = `${facility}_2099_01_${String(i).padStart(7, '0')}`;
      const event = {
        eventId: id,
        facilityCode: facility,
        maLk,
        type: 'note.recorded',
        occurredAt: '2099-01-01T00:00:00Z',
        source: 'HIS',
        data: { text: 'clinical' },
      };
      await ds.query(
        `INSERT INTO parked_ward_events (event_id, facility_code, ma_lk, occurred_at, event, raw, origin, received_at) VALUES ($1,$2,$3,$4,$5,$6,$7, now() - ($8::int * interval '1 minute'))`,
        [
          id,
          facility,
          maLk,
          event.occurredAt,
          JSON.stringify(event),
          JSON.stringify(event),
          JSON.stringify({
            topic: Topics.wardEvents.name,
            partition: 0,
            offset: String(i),
            key: maLk,
            headers: { [Headers.facility]: facility },
          }),
          minutesAgo,
        ],
      );
    }
    return ids;
  }

  const deadLetters = async () =>
    (await ds.query(`SELECT value, headers FROM outbox WHERE topic = $1`, [
      Topics.deadLetter.name,
    ])) as Array<{ value: string; headers: Record<string, string> }>;
  const parkedIds = async () =>
    ((await ds.query(`SELECT event_id FROM parked_ward_events`)) as Array<{ event_id: string }>)
      .map((r) => r.event_id)
      .sort();

  beforeAll(async () => {
    db = await freshDatabase(
      'encounter_int_parked',
      [
        OutboxInboxMigration1700000000000,
        Encounters1700000000200,
        CheckinsHealthBook1700000000201,
        ParkedWardEventOrigin1700000000202,
      ],
      { poolSize: 8 },
    );
    ds = db.ds;
  });

  beforeEach(async () => {
    await ds.query(`DELETE FROM parked_ward_events`);
    await ds.query(`DELETE FROM outbox`);
  });

  afterAll(async () => {
    await db?.drop();
  });

  it('moves every expired event exactly once when three replicas sweep at the same time, and leaves fresh ones', async () => {
    const expired = await park(180, 61);
    const fresh = await park(7, 59);
    const results = await Promise.all([sweeper(), sweeper(), sweeper()].map((s) => s.sweep()));
    expect(results.reduce((n, r) => n + r.moved, 0)).toBe(180);
    const letters = await deadLetters();
    const ids = letters.map((l) => (JSON.parse(l.value) as { eventId: string }).eventId);
    expect(new Set(ids).size).toBe(180);
    expect(ids.sort()).toEqual([...expired].sort());
    expect(letters.every((l) => l.headers[Headers.dlqReasonCode] === 'ENCOUNTER_NEVER_OPENED')).toBe(true);
    expect(await parkedIds()).toEqual([...fresh].sort());
    expect((await sweeper().sweep()).moved).toBe(0);
  });

  it('skips an expired event an opening encounter holds, instead of waiting for it', async () => {
    const [held, other] = await park(2, 120);
    const opening = ds.createQueryRunner();
    await opening.connect();
    await opening.startTransaction();
    try {
      await opening.query(`SELECT 1 FROM parked_ward_events WHERE event_id = $1 FOR UPDATE`, [held]);
      let timer: NodeJS.Timeout | undefined;
      const blocked = new Promise<'blocked'>((r) => (timer = setTimeout(() => r('blocked'), 5000)));
      const result = await Promise.race([sweeper().sweep(), blocked]).finally(() => clearTimeout(timer));
      expect(result).toEqual({ moved: 1 });
      expect(await parkedIds()).toEqual([held]);
      expect((await deadLetters()).map((l) => (JSON.parse(l.value) as { eventId: string }).eventId)).toEqual([
        other,
      ]);
    } finally {
      await opening.rollbackTransaction();
      await opening.release();
    }
  });

  it('lists a facility newest first with the total, and never the payload', async () => {
    const older = await park(3, 30);
    const [newest] = await park(1, 1);
    await park(2, 5, '01001');
    const page = await sweeper().list('79001', 2);
    expect(page.total).toBe(4);
    expect(page.events.map((e) => e.eventId)).toEqual([newest, expect.any(String)]);
    expect(older).toContain(page.events[1]!.eventId);
    expect(page.events[0]).toEqual({
      eventId: newest,
      maLk: expect.stringMatching(/^79001_/),
      type: 'note.recorded',
      occurredAt: '2099-01-01T00:00:00.000Z',
      receivedAt: expect.any(String),
      ageSeconds: expect.any(Number),
      expiresAt: expect.any(String),
    });
    expect(page.events[0]!.ageSeconds).toBeGreaterThanOrEqual(59);
    expect(JSON.stringify(page)).not.toContain('clinical');
    const unknown = await sweeper()
      .list('99999', 10)
      .catch((err: unknown) => err);
    expect(isPlatformError(unknown) ? HTTP_STATUS_OF_KIND[unknown.kind] : unknown).toBe(404);
  });
});
