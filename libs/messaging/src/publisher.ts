import { CompressionTypes, Kafka, Partitioners, Producer } from 'kafkajs';
import { Metrics } from '@bhyt/observability';
import { physicalTopic } from './namespace';

export interface OutgoingMessage {
  topic: string;
  key: string;
  value: string | Buffer;
  headers: Record<string, string>;
}

/** Bytes per produce request: below the broker's default message.max.bytes (1 MiB) with room for framing. */
export const MAX_REQUEST_BYTES = 900 * 1024;

const approxBytes = (m: OutgoingMessage): number => {
  let n =
    64 +
    Buffer.byteLength(m.key) +
    (typeof m.value === 'string' ? Buffer.byteLength(m.value) : m.value.length);
  for (const [k, v] of Object.entries(m.headers)) n += k.length + Buffer.byteLength(v) + 8;
  return n;
};

/** Splits messages, order kept, into chunks of at most `maxBytes` (a bigger message goes alone). */
export function chunkByBytes(messages: OutgoingMessage[], maxBytes: number): OutgoingMessage[][] {
  const chunks: OutgoingMessage[][] = [];
  let current: OutgoingMessage[] = [];
  let size = 0;
  for (const m of messages) {
    const b = approxBytes(m);
    if (current.length > 0 && size + b > maxBytes) {
      chunks.push(current);
      current = [];
      size = 0;
    }
    current.push(m);
    size += b;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

/**
 * A send that failed part-way: the first `published` messages were acknowledged by the broker
 * (chunks go in order), the rest were not. `cause` is the broker's or the client's error.
 */
export class PublishFailedError extends Error {
  constructor(
    readonly published: number,
    override readonly cause: unknown,
  ) {
    super(
      `publish failed after ${published} messages: ${cause instanceof Error ? cause.message : String(cause)}`,
    );
    this.name = 'PublishFailedError';
  }
}

/**
 * The one producer of a service: idempotent, acks from all in-sync replicas. Used by the
 * outbox relay and the dead-letter path; services never publish around the outbox.
 */
export class EventPublisher {
  private readonly producer: Producer;
  private connected = false;

  constructor(kafka: Kafka) {
    // Murmur2 (Java-compatible) partitioning: the same key lands on the same partition as with
    // Kafka's own clients, so per-claim ordering holds across languages.
    this.producer = kafka.producer({
      idempotent: true,
      maxInFlightRequests: 5,
      allowAutoTopicCreation: false,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
  }

  async connect(): Promise<void> {
    if (!this.connected) {
      await this.producer.connect();
      this.connected = true;
    }
  }

  get isConnected(): boolean {
    return this.connected;
  }

  async send(messages: OutgoingMessage[]): Promise<void> {
    if (messages.length === 0) return;
    await this.connect();
    // One produce request per chunk, in order: a record batch larger than the broker's
    // message.max.bytes (1 MiB by default) is refused whole, so a relay backlog of 500 claims
    // (10–30 KB each) would otherwise fail on every retry and never drain.
    let published = 0;
    for (const chunk of chunkByBytes(messages, MAX_REQUEST_BYTES)) {
      const byTopic = new Map<string, OutgoingMessage[]>();
      for (const m of chunk) {
        const list = byTopic.get(m.topic);
        if (list) list.push(m);
        else byTopic.set(m.topic, [m]);
      }
      try {
        await this.producer.sendBatch({
          acks: -1,
          compression: CompressionTypes.None,
          topicMessages: [...byTopic.entries()].map(([topic, list]) => ({
            topic: physicalTopic(topic),
            messages: list.map((m) => ({ key: m.key, value: m.value, headers: m.headers })),
          })),
        });
      } catch (err) {
        throw new PublishFailedError(published, err);
      }
      published += chunk.length;
      for (const [topic, list] of byTopic) Metrics.messagesPublished().inc({ topic }, list.length);
    }
  }

  /** Flushes in-flight sends (kafkajs awaits them) and closes the connection. */
  async disconnect(): Promise<void> {
    if (this.connected) {
      this.connected = false;
      await this.producer.disconnect();
    }
  }
}
