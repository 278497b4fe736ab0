import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { Kafka } from 'kafkajs';
import { Headers } from '@bhyt/contracts';
import {
  createKafka,
  deleteNamespaceTopics,
  ensureTopics,
  EventPublisher,
  MessagingErrorCode,
  OutgoingMessage,
} from '@bhyt/messaging';
import { createLogger } from '@bhyt/observability';
import {
  enqueueOutbox,
  OutboxInboxMigration1700000000000,
  OutboxLz4Migration1700000000001,
  OutboxParkingMigration1700000000002,
} from './outbox';
import { OutboxRelay } from './outbox-relay';
import { freshDatabase, laneOf, type FreshDatabase } from './testing';

/**
 * The relay against a real PostgreSQL and Kafka: two replicas relaying one key publish its
 * events in order, and a row the broker refuses (larger than message.max.bytes) is parked on
 * the dead-letter topic after a few attempts while the rest flows.
 */
jest.setTimeout(90_000);

const lane = laneOf() ? `_l${laneOf()}` : '';

describe('the outbox relay on PostgreSQL and Kafka', () => {
  const brokers = process.env['KAFKA_BROKERS'];
  // Topic names carry the namespace themselves: the relay and the publisher use them as given.
  const ns = `int-relay${lane}-${randomBytes(3).toString('hex')}.`;
  const events = `${ns}relay.events.v1`;
  const deadLetters = `${ns}platform.dead-letter.v1`;
  const logger = createLogger('persistence-int-relay');
  let db: FreshDatabase;
  let ds: DataSource;
  let kafka: Kafka;
  const publishers: EventPublisher[] = [];

  const publisher = () => {
    const p = new EventPublisher(kafka);
    publishers.push(p);
    return p;
  };
  const relay = (p: EventPublisher, options: { batchSize?: number; maxPublishAttempts?: number } = {}) =>
    new OutboxRelay(ds, p, logger, {
      url: db.url,
      database: db.database,
      deadLetterTopic: deadLetters,
      consumerGroup: 'int-relay',
      ...options,
    });
  const enqueue = (rows: Array<{ key: string; value: string }>) =>
    ds.transaction((m) =>
      enqueueOutbox(
        m,
        rows.map((r): OutgoingMessage => ({
          topic: events,
          key: r.key,
          value: r.value,
          headers: { [Headers.facility]: '79001' },
        })),
      ),
    );

  /** Everything on a topic so far, in partition order: [key, value, headers]. */
  async function readTopic(
    topic: string,
    expected: number,
  ): Promise<Array<{ key: string; value: string; headers: Record<string, string> }>> {
    const consumer = kafka.consumer({
      groupId: `${ns}reader-${randomBytes(3).toString('hex')}`,
      maxWaitTimeInMs: 200,
    });
    const out: Array<{ key: string; value: string; headers: Record<string, string> }> = [];
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`read ${out.length} of ${expected} messages from ${topic}`)),
        30_000,
      );
      void consumer.run({
        eachMessage: async ({ message }) => {
          const headers: Record<string, string> = {};
          for (const [k, v] of Object.entries(message.headers ?? {})) headers[k] = String(v);
          out.push({ key: message.key?.toString() ?? '', value: message.value?.toString() ?? '', headers });
          if (out.length >= expected) {
            clearTimeout(timer);
            resolve();
          }
        },
      });
    });
    await consumer.disconnect();
    return out;
  }

  beforeAll(async () => {
    if (!brokers)
      throw new Error(
        'integration tests need the local stack: run them through `npm test` (it exports KAFKA_BROKERS)',
      );
    db = await freshDatabase(
      'persistence_int_relay',
      [
        OutboxInboxMigration1700000000000,
        OutboxLz4Migration1700000000001,
        OutboxParkingMigration1700000000002,
      ],
      { applicationName: 'persistence-int-relay', poolSize: 6 },
    );
    ds = db.ds;
    kafka = createKafka({ brokers: brokers.split(','), clientId: 'persistence-int-relay' });
    await ensureTopics(
      kafka,
      [
        { name: events, partitions: 1, retentionMs: 3_600_000, description: 'relay test events' },
        { name: deadLetters, partitions: 1, retentionMs: 3_600_000, description: 'relay test dead letters' },
      ],
      '',
    );
  });

  beforeEach(async () => {
    await ds.query(`DELETE FROM outbox`);
  });

  afterAll(async () => {
    for (const p of publishers) await p.disconnect().catch(() => undefined);
    if (kafka) await deleteNamespaceTopics(kafka, ns).catch(() => undefined);
    await db?.drop();
  });

  it("publishes one key's events in order when a second replica relays while the first is still sending the earlier one", async () => {
    await enqueue([
      { key: 'claim-A', value: 'A1' },
      { key: 'claim-A', value: 'A2' },
    ]);
    const real = publisher();
    await real.connect();
    let entered!: () => void;
    const inSend = new Promise<void>((r) => (entered = r));
    // Replica 1's broker round trip is slow: it holds A1 while replica 2 looks for work.
    const slow = {
      send: async (messages: OutgoingMessage[]) => {
        entered();
        await new Promise((r) => setTimeout(r, 1500));
        await real.send(messages);
      },
    } as unknown as EventPublisher;
    const first = relay(slow, { batchSize: 1 }).relayOnce();
    await inSend;
    const second = publisher();
    const secondTook = await relay(second, { batchSize: 1 }).relayOnce();
    expect(await first).toBe(1);
    // Replica 2 took nothing of claim-A while A1 was being sent; A2 goes on the next pass.
    expect(secondTook).toBe(0);
    expect(await relay(second, { batchSize: 1 }).relayOnce()).toBe(1);
    expect((await readTopic(events, 2)).map((m) => m.value)).toEqual(['A1', 'A2']);
  });

  it('parks a row larger than the broker accepts on the dead-letter topic after three attempts, keeps it whole, and publishes the rest in order', async () => {
    const huge = 'x'.repeat(1_500_000); // over the broker's default message.max.bytes (1 MiB)
    await enqueue([
      { key: 'claim-B', value: 'B1' },
      { key: 'claim-C', value: huge },
      { key: 'claim-D', value: 'D1' },
      { key: 'claim-C', value: 'C2' },
    ]);
    const r = relay(publisher(), { maxPublishAttempts: 3 });
    const passes: number[] = [];
    for (let i = 0; i < 5 && (await ds.query(`SELECT 1 FROM outbox`)).length > 0; i++)
      passes.push(await r.relayOnce());
    // Pass 1: B1 and D1 (C waits behind its first row), passes 2–3 count, pass 3 parks; then C2.
    expect(passes).toEqual([2, 0, 1, 1]);
    expect(await ds.query(`SELECT id FROM outbox`)).toEqual([]);
    const parked = (await ds.query(
      `SELECT msg_key, length(value) AS bytes, publish_attempts, reason FROM outbox_parked`,
    )) as Array<{ msg_key: string; bytes: number; publish_attempts: number; reason: string }>;
    expect(parked).toHaveLength(1);
    expect(parked[0]).toMatchObject({ msg_key: 'claim-C', bytes: huge.length, publish_attempts: 3 });
    expect(parked[0]!.reason).toMatch(/not published after 3 attempts/);
    const letters = await readTopic(deadLetters, 1);
    expect(letters[0]!.key).toBe('claim-C');
    expect(letters[0]!.headers[Headers.dlqReasonCode]).toBe(MessagingErrorCode.Unpublishable);
    expect(letters[0]!.headers[Headers.dlqSourceTopic]).toBe(events);
    expect(letters[0]!.headers[Headers.dlqReason]).toMatch(/kept in outbox_parked/);
    const published = (await readTopic(events, 5)).slice(2).map((m) => m.value); // after the first test's two
    expect(published).toEqual(['B1', 'D1', 'C2']);
  });
});
