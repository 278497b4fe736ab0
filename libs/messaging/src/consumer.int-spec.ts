import { randomBytes } from 'node:crypto';
import { Kafka } from 'kafkajs';
import { Headers } from '@bhyt/contracts';
import { createLogger } from '@bhyt/observability';
import { EventConsumer, ReceivedMessage } from './consumer';
import { MessagingErrorCode } from './errors';
import { createKafka } from './kafka';
import { deleteNamespaceTopics, ensureTopics } from './namespace';
import { EventPublisher } from './publisher';

/**
 * The consumer against a real Kafka broker: a message whose handler keeps failing with an
 * error that is not poison is dead-lettered after maxAttempts with its reason, and the
 * messages behind it on the partition are handled; an outage-like error is retried beyond
 * maxAttempts.
 */
jest.setTimeout(90_000);

const lane = process.env['E2E_LANE'] ? `-l${process.env['E2E_LANE']}` : '';

describe('consuming from Kafka when a handler keeps failing', () => {
  const brokers = process.env['KAFKA_BROKERS'];
  const ns = `int-consumer${lane}-${randomBytes(3).toString('hex')}.`;
  const events = `${ns}consumer.events.v1`;
  const deadLetters = `${ns}platform.dead-letter.v1`;
  const logger = createLogger('messaging-int-consumer');
  let kafka: Kafka;
  let publisher: EventPublisher;
  const consumers: EventConsumer[] = [];

  const waitUntil = async (what: string, probe: () => boolean, timeoutMs = 45_000) => {
    const deadline = Date.now() + timeoutMs;
    while (!probe()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };

  beforeAll(async () => {
    if (!brokers)
      throw new Error(
        'integration tests need the local stack: run them through `npm test` (it exports KAFKA_BROKERS)',
      );
    kafka = createKafka({ brokers: brokers.split(','), clientId: 'messaging-int-consumer' });
    await ensureTopics(
      kafka,
      [
        { name: events, partitions: 1, retentionMs: 3_600_000, description: 'consumer test events' },
        {
          name: deadLetters,
          partitions: 1,
          retentionMs: 3_600_000,
          description: 'consumer test dead letters',
        },
      ],
      '',
    );
    publisher = new EventPublisher(kafka);
    await publisher.connect();
  });

  afterAll(async () => {
    for (const c of consumers) await c.stop().catch(() => undefined);
    await publisher?.disconnect().catch(() => undefined);
    if (kafka) await deleteNamespaceTopics(kafka, ns).catch(() => undefined);
  });

  it('dead-letters a message whose handler failed five times with its reason, then handles the next one; a database outage is retried past the bound', async () => {
    const attempts = new Map<string, number>();
    const handled: string[] = [];
    const consumer = new EventConsumer(
      kafka,
      publisher,
      {
        groupId: `${ns}group`,
        topics: [events],
        deadLetterTopic: deadLetters,
        retry: { initialMs: 20, maxMs: 100, maxAttempts: 5 },
        handler: async (m: ReceivedMessage) => {
          const value = m.value!.toString();
          const n = (attempts.get(value) ?? 0) + 1;
          attempts.set(value, n);
          if (value === 'always-fails')
            throw new TypeError('cannot read properties of undefined (reading "dischargedAt")');
          // PostgreSQL restarting: 57P01 admin_shutdown, as pg reports it, for longer than the bound.
          if (value === 'database-down' && n <= 8)
            throw Object.assign(new Error('terminating connection due to administrator command'), {
              code: '57P01',
            });
          handled.push(value);
        },
      },
      logger,
    );
    consumers.push(consumer);
    const letters: ReceivedMessage[] = [];
    const reader = new EventConsumer(
      kafka,
      publisher,
      {
        groupId: `${ns}reader`,
        topics: [deadLetters],
        deadLetterTopic: deadLetters,
        handler: async (m) => void letters.push(m),
      },
      logger,
    );
    consumers.push(reader);
    await Promise.all([consumer.start(), reader.start()]);
    await publisher.send(
      ['always-fails', 'database-down', 'fine'].map((value) => ({
        topic: events,
        key: 'claim-1',
        value,
        headers: { [Headers.facility]: '79001' },
      })),
    );

    await waitUntil('the messages behind the failing one handled', () => handled.length === 2);
    expect(handled).toEqual(['database-down', 'fine']);
    expect(attempts.get('always-fails')).toBe(5);
    expect(attempts.get('database-down')).toBe(9);
    await waitUntil('the dead letter', () => letters.length === 1);
    const letter = letters[0]!;
    expect(letter.value!.toString()).toBe('always-fails');
    expect(letter.headers[Headers.dlqReasonCode]).toBe(MessagingErrorCode.RetriesExhausted);
    expect(letter.headers[Headers.dlqReason]).toMatch(
      /^failed 5 times, last: TypeError: cannot read properties/,
    );
    expect(letter.headers[Headers.dlqSourceTopic]).toBe(events);
    expect(letter.headers[Headers.dlqConsumerGroup]).toBe(`${ns}group`);
  });
});
