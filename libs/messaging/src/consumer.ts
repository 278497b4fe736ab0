import { Consumer, EachBatchPayload, IHeaders, Kafka, KafkaMessage } from 'kafkajs';
import { context } from '@opentelemetry/api';
import { EventContractError, Headers, PlatformError } from '@bhyt/contracts';
import {
  extractTraceContext,
  inSpan,
  Logger,
  messageKeyAttributes,
  Metrics,
  scrubText,
  SpanKind,
} from '@bhyt/observability';
import { deadLetterMessage } from './dead-letter';
import { isInfrastructureOutage, MessagingErrorCode, PoisonMessageError } from './errors';
import { finishedPrefix, runKeyOrdered } from './key-ordered';
import { EventPublisher } from './publisher';
import { logicalTopic, physicalTopic } from './namespace';

export interface ReceivedMessage {
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  value: Buffer | null;
  headers: Record<string, string>;
}

export type MessageHandler = (message: ReceivedMessage) => Promise<void>;

export interface ConsumerOptions {
  groupId: string;
  topics: string[];
  handler: MessageHandler;
  deadLetterTopic: string;
  /** Partitions processed in parallel (ordering is kept within a partition). */
  concurrency?: number;
  /**
   * Messages of one partition handled at the same time, when they have different keys (messages
   * with the same key stay in order, one after the other). 1 = strictly one at a time. Only for
   * handlers whose effects do not depend on the order across keys; with a group commit this is
   * what lets N messages share one database transaction.
   */
  inFlightPerPartition?: number;
  /** Backoff for transient failures, and the bound on them (see DEFAULT_CONSUMER_RETRY). */
  retry?: Partial<ConsumerRetry>;
}

export interface ConsumerRetry {
  /** First backoff; doubles per attempt up to maxMs. */
  initialMs: number;
  maxMs: number;
  /**
   * Attempts before a message whose handler keeps failing is dead-lettered
   * (HANDLER_RETRIES_EXHAUSTED) so that it stops blocking its partition. Outages of the
   * database or the broker (isInfrastructureOutage) do not count: those are retried for ever.
   */
  maxAttempts: number;
}

/** 10 attempts, 0.2 s doubling to 30 s: about 80 s of retries before a message is parked. */
export const DEFAULT_CONSUMER_RETRY: ConsumerRetry = { initialMs: 200, maxMs: 30000, maxAttempts: 10 };

const headerString = (h: IHeaders | undefined): Record<string, string> => {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h ?? {})) {
    if (v === undefined) continue;
    out[k] = Array.isArray(v) ? String(v[0]) : String(v);
  }
  return out;
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Consumes with manual offset commits: an offset is committed only after its message was
 * handled (its state change and outbox rows committed in PostgreSQL) or dead-lettered. A
 * crash between the two re-delivers the message, so handlers must be idempotent (an inbox row,
 * a primary key or an upsert makes the second delivery harmless).
 */
export class EventConsumer {
  private readonly consumer: Consumer;
  private running = false;
  private stopping = false;
  private connected = false;

  constructor(
    kafka: Kafka,
    private readonly publisher: EventPublisher,
    private readonly options: ConsumerOptions,
    private readonly logger: Logger,
  ) {
    this.consumer = kafka.consumer({
      groupId: physicalTopic(options.groupId),
      // A crashed member is evicted after the session timeout; 10 s keeps recovery quick
      // without false evictions (handlers heartbeat while they retry).
      sessionTimeout: Number(process.env['KAFKA_SESSION_TIMEOUT_MS'] ?? 10000),
      heartbeatInterval: 1000,
      // How long the broker holds a fetch when there is nothing to read: a message that arrives
      // meanwhile is answered at once (minBytes 1), so this costs no latency — only idle polling
      // (every consumer of every service fetching 10×/s at 100 ms) and a slightly slower leave.
      maxWaitTimeInMs: 500,
      allowAutoTopicCreation: false,
    });
    this.consumer.on(this.consumer.events.CRASH, (e) => {
      this.logger.error(
        { groupId: options.groupId, error: e.payload.error },
        'consumer crashed; kafkajs restarts it',
      );
    });
  }

  get isRunning(): boolean {
    return this.running && this.connected;
  }

  async start(): Promise<void> {
    await this.publisher.connect();
    await this.consumer.connect();
    this.connected = true;
    for (const topic of this.options.topics)
      await this.consumer.subscribe({ topic: physicalTopic(topic), fromBeginning: true });
    this.running = true;
    await this.consumer.run({
      autoCommit: false,
      partitionsConsumedConcurrently: this.options.concurrency ?? 3,
      eachBatchAutoResolve: false,
      eachBatch: (payload) => this.eachBatch(payload),
    });
  }

  private async eachBatch(payload: EachBatchPayload): Promise<void> {
    const { batch, resolveOffset, heartbeat, commitOffsetsIfNecessary } = payload;
    const window = Math.max(1, this.options.inFlightPerPartition ?? 1);
    let last: string | undefined;
    for (let start = 0; start < batch.messages.length; start += window) {
      if (!payload.isRunning() || payload.isStale() || this.stopping) break;
      const chunk = batch.messages.slice(start, start + window);
      const done = await this.processChunk(logicalTopic(batch.topic), batch.partition, chunk, heartbeat);
      // Commit up to the first message that did not finish (shutting down): the rest is redelivered.
      const finished = finishedPrefix(done);
      for (const message of chunk.slice(0, finished)) resolveOffset(message.offset);
      if (finished > 0) last = chunk[finished - 1]!.offset;
      if (finished < chunk.length) break;
      await heartbeat();
    }
    if (last !== undefined) {
      await this.consumer.commitOffsets([
        { topic: batch.topic, partition: batch.partition, offset: (BigInt(last) + 1n).toString() },
      ]);
      Metrics.consumerLag().set(
        { topic: logicalTopic(batch.topic), partition: String(batch.partition) },
        Number(BigInt(batch.highWatermark) - BigInt(last) - 1n),
      );
    }
    await commitOffsetsIfNecessary();
  }

  /**
   * Handles a chunk of one partition: messages with different keys concurrently, messages with
   * the same key (or no key) in offset order. @returns per message whether it finished.
   */
  private processChunk(
    topic: string,
    partition: number,
    chunk: KafkaMessage[],
    heartbeat: () => Promise<void>,
  ): Promise<boolean[]> {
    return runKeyOrdered(
      chunk,
      (m) => (m.key ? m.key.toString() : ''),
      (m) => this.processWithRetry(topic, partition, m, heartbeat),
    );
  }

  /** @returns false when the consumer is stopping and the message was not finished. */
  private async processWithRetry(
    topic: string,
    partition: number,
    message: KafkaMessage,
    heartbeat: () => Promise<void>,
  ): Promise<boolean> {
    const retry: ConsumerRetry = { ...DEFAULT_CONSUMER_RETRY, ...this.options.retry };
    let counted = 0;
    const received: ReceivedMessage = {
      topic,
      partition,
      offset: message.offset,
      key: message.key ? message.key.toString() : null,
      value: message.value,
      headers: headerString(message.headers),
    };
    const parent = extractTraceContext(received.headers);
    for (let attempt = 0; ; attempt++) {
      try {
        await context.with(parent, () =>
          inSpan(
            `${topic} process`,
            {
              'messaging.system': 'kafka',
              'messaging.operation': 'process',
              'messaging.operation.type': 'process',
              'messaging.destination.name': topic,
              'messaging.kafka.consumer.group': this.options.groupId,
              'messaging.kafka.destination.partition': partition,
              'messaging.kafka.message.offset': Number(message.offset),
              'bhyt.facility': received.headers[Headers.facility] ?? '',
              ...messageKeyAttributes(topic, received.key),
            },
            () => this.options.handler(received),
            { kind: SpanKind.CONSUMER, parent },
          ),
        );
        Metrics.messagesConsumed().inc({ topic, outcome: 'processed' });
        return true;
      } catch (err) {
        // The domain's refusals: the one place where an error kind meets Kafka. A dependency
        // that is down is retried (below, as an outage); every other kind can never succeed.
        if (err instanceof PlatformError && err.kind !== 'unavailable') {
          await this.deadLetter(received, err.code, err.message);
          Metrics.messagesConsumed().inc({ topic, outcome: 'dead-lettered' });
          return true;
        }
        if (err instanceof PoisonMessageError || err instanceof EventContractError) {
          await this.deadLetter(received, err.code, err.message);
          Metrics.messagesConsumed().inc({ topic, outcome: 'dead-lettered' });
          return true;
        }
        const outage = isInfrastructureOutage(err);
        if (!outage && ++counted >= retry.maxAttempts) {
          const reason = `failed ${counted} times, last: ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}`;
          await this.deadLetter(received, MessagingErrorCode.RetriesExhausted, reason);
          Metrics.messagesConsumed().inc({ topic, outcome: 'dead-lettered' });
          return true;
        }
        if (this.stopping) return false;
        const delay = Math.min(retry.maxMs, retry.initialMs * 2 ** Math.min(attempt, 10));
        this.logger.warn(
          {
            topic,
            partition,
            offset: message.offset,
            attempt,
            counted,
            outage,
            delayMs: delay,
            error: err instanceof Error ? { name: err.name, message: scrubText(err.message) } : String(err),
          },
          'handler failed; retrying the same message',
        );
        Metrics.messagesConsumed().inc({ topic, outcome: 'retried' });
        const until = Date.now() + delay;
        while (Date.now() < until) {
          if (this.stopping) return false;
          await sleep(Math.min(1000, until - Date.now()));
          await heartbeat().catch(() => undefined);
        }
      }
    }
  }

  private async deadLetter(message: ReceivedMessage, code: string, reason: string): Promise<void> {
    Metrics.deadLettered().inc({ topic: message.topic, reason: code });
    this.logger.warn(
      {
        topic: message.topic,
        partition: message.partition,
        offset: message.offset,
        code,
        reason: scrubText(reason),
      },
      'message dead-lettered',
    );
    await this.publisher.send([
      deadLetterMessage(
        this.options.deadLetterTopic,
        { ...message, value: message.value ?? Buffer.alloc(0) },
        { code, reason, consumerGroup: this.options.groupId, failedAt: new Date() },
      ),
    ]);
  }

  /** Stops fetching, lets the in-flight message finish, commits, leaves the group. */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.connected) {
      this.connected = false;
      await this.consumer.disconnect();
    }
    this.running = false;
  }
}
