import { CompressionTypes, Kafka, Partitioners, Producer } from 'kafkajs';
import { Metrics } from '@bhyt/observability';
import { physicalTopic } from './namespace';

export interface OutgoingMessage {
  topic: string;
  key: string;
  value: string | Buffer;
  headers: Record<string, string>;
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
    this.producer = kafka.producer({ idempotent: true, maxInFlightRequests: 5, allowAutoTopicCreation: false, createPartitioner: Partitioners.DefaultPartitioner });
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
    const byTopic = new Map<string, OutgoingMessage[]>();
    for (const m of messages) byTopic.set(m.topic, [...(byTopic.get(m.topic) ?? []), m]);
    await this.producer.sendBatch({
      acks: -1,
      compression: CompressionTypes.None,
      topicMessages: [...byTopic.entries()].map(([topic, list]) => ({
        topic: physicalTopic(topic),
        messages: list.map((m) => ({ key: m.key, value: m.value, headers: m.headers })),
      })),
    });
    for (const [topic, list] of byTopic) Metrics.messagesPublished().inc({ topic }, list.length);
  }

  /** Flushes in-flight sends (kafkajs awaits them) and closes the connection. */
  async disconnect(): Promise<void> {
    if (this.connected) {
      this.connected = false;
      await this.producer.disconnect();
    }
  }
}
