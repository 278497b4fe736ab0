import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { Topics } from '@bhyt/contracts';
import type { WardEvent } from '@bhyt/encounter-domain';
import { OutboxInboxMigration1700000000000 } from '@bhyt/persistence';
import { freshDatabase, type FreshDatabase } from '@bhyt/persistence/testing';
import { Encounters1700000000200 } from './migrations/1700000000200-encounters';
import { CheckinsHealthBook1700000000201 } from './migrations/1700000000201-checkins-health-book';
import { ParkedWardEventOrigin1700000000202 } from './migrations/1700000000202-parked-ward-event-origin';
import { ParkedWardEventStore } from './parked-ward-event.store';

/** The parked ward event store against a real PostgreSQL: what it moves, samples and lists, in domain shapes. */
jest.setTimeout(60_000);

describe('parked ward event store in PostgreSQL', () => {
  let db: FreshDatabase;
  let ds: DataSource;
  let store: ParkedWardEventStore;

  async function park(minutesAgo: number, facility = '79001', raw = true): Promise<string> {
    const id = randomUUID();
    const maLk = `${facility}_2099_01_${id.slice(0, 7)}`;
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
        raw ? JSON.stringify(event) : null,
        raw
          ? JSON.stringify({
              topic: Topics.wardEvents.name,
              partition: 2,
              offset: '41',
              key: maLk,
              headers: {},
            })
          : null,
        minutesAgo,
      ],
    );
    return id;
  }
  const letter = (p: { eventId: string }) => ({
    topic: Topics.deadLetter.name,
    key: p.eventId,
    value: p.eventId,
    headers: {},
  });
  const outbox = async () =>
    ((await ds.query(`SELECT value FROM outbox`)) as Array<{ value: string }>).map((r) => r.value);
  const parked = async () =>
    (
      (await ds.query(`SELECT event_id FROM parked_ward_events ORDER BY event_id`)) as Array<{
        event_id: string;
      }>
    ).map((r) => r.event_id);

  beforeAll(async () => {
    db = await freshDatabase(
      'encounter_int_parked_store',
      [
        OutboxInboxMigration1700000000000,
        Encounters1700000000200,
        CheckinsHealthBook1700000000201,
        ParkedWardEventOrigin1700000000202,
      ],
      { poolSize: 4 },
    );
    ds = db.ds;
    store = new ParkedWardEventStore(ds);
  });

  beforeEach(async () => {
    await ds.query(`TRUNCATE parked_ward_events, outbox`);
  });

  afterAll(async () => {
    await db?.drop();
  });

  it('parks an event once, finds it by eventId, and hands an opening encounter its events in the order they happened', async () => {
    const maLk = '79001_2099_01_0000001';
    const event = (eventId: string, occurredAt: string) =>
      ({
        eventId,
        facilityCode: '79001',
        maLk,
        type: 'note.recorded',
        occurredAt,
        source: 'HIS',
        data: { text: 'clinical' },
      }) as unknown as WardEvent;
    const origin = { topic: Topics.wardEvents.name, partition: 0, offset: '7', key: maLk, headers: {} };
    const later = event(randomUUID(), '2099-01-01T02:00:00.000Z');
    const earlier = event(randomUUID(), '2099-01-01T01:00:00.000Z');
    await ds.transaction((m) => store.park(m, later, JSON.stringify(later), origin));
    await ds.transaction((m) => store.park(m, later, 'redelivered', origin));
    await ds.transaction((m) => store.park(m, earlier, JSON.stringify(earlier), origin));
    const other = await park(1, '79001');
    expect(await ds.transaction((m) => store.find(m, later.eventId))).toEqual(later);
    expect(await ds.transaction((m) => store.find(m, randomUUID()))).toBeUndefined();
    const taken = await ds.transaction((m) => store.takeForEncounter(m, '79001', maLk));
    expect(taken).toEqual([earlier, later]);
    expect(await parked()).toEqual([other]);
    expect(await ds.transaction((m) => store.takeForEncounter(m, '79001', maLk))).toEqual([]);
  });

  it('moves only events older than the maximum age, oldest first up to the limit, with their dead letters in the same transaction', async () => {
    const oldest = await park(180);
    const older = await park(120, '01001', false);
    const old = await park(61);
    const fresh = await park(59);
    const first = await store.moveExpired(60, 2, letter);
    expect(first.now).toBeInstanceOf(Date);
    expect(first.moved.map((p) => p.eventId)).toEqual([oldest, older]);
    expect(first.moved[0]).toEqual({
      eventId: oldest,
      facilityCode: '79001',
      maLk: expect.stringMatching(/^79001_/),
      receivedAt: expect.any(Date),
      raw: expect.stringContaining(oldest),
      origin: expect.objectContaining({ partition: 2, offset: '41' }),
      event: null,
    });
    // Without the raw value the parsed event is what the dead letter carries.
    expect(first.moved[1]).toMatchObject({
      facilityCode: '01001',
      raw: null,
      origin: null,
      event: expect.objectContaining({ eventId: older }),
    });
    expect((await outbox()).sort()).toEqual([oldest, older].sort());
    const second = await store.moveExpired(60, 2, letter);
    expect(second.moved.map((p) => p.eventId)).toEqual([old]);
    expect((await store.moveExpired(60, 2, letter)).moved).toEqual([]);
    expect(await parked()).toEqual([fresh]);
  });

  it('keeps the rows when writing the dead letters fails', async () => {
    const id = await park(90);
    await expect(
      store.moveExpired(60, 10, () => {
        throw new Error('no dead letter');
      }),
    ).rejects.toThrow('no dead letter');
    expect(await parked()).toEqual([id]);
    expect(await outbox()).toEqual([]);
  });

  it('samples count and oldest age per facility that has anything parked', async () => {
    await park(30);
    await park(10);
    await park(5, '01001');
    const samples = (await store.samplePerFacility()).sort((a, b) =>
      a.facilityCode.localeCompare(b.facilityCode),
    );
    expect(samples.map((s) => [s.facilityCode, s.count])).toEqual([
      ['01001', 1],
      ['79001', 2],
    ]);
    expect(samples[1]!.oldestSeconds).toBeGreaterThanOrEqual(30 * 60 - 1);
    expect(samples[1]!.oldestSeconds).toBeLessThan(31 * 60);
  });

  it('lists a facility newest first with its total, in domain shapes and without the payload', async () => {
    await park(30);
    const newest = await park(1);
    await park(5, '01001');
    const page = await store.listByFacility('79001', 1);
    expect(page.total).toBe(2);
    expect(page.events).toEqual([
      {
        eventId: newest,
        maLk: expect.stringMatching(/^79001_/),
        type: 'note.recorded',
        occurredAt: new Date('2099-01-01T00:00:00Z'),
        receivedAt: expect.any(Date),
        ageSeconds: expect.any(Number),
      },
    ]);
    expect(page.events[0]!.ageSeconds).toBeGreaterThanOrEqual(59);
    expect(await store.listByFacility('01002', 10)).toEqual({ total: 0, events: [] });
  });
});
