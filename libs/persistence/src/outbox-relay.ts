import { Client } from 'pg';
import { DataSource, EntityManager } from 'typeorm';
import {
  deadLetterMessage,
  MAX_REQUEST_BYTES,
  MessagingErrorCode,
  PublishFailedError,
  type EventPublisher,
  type OutgoingMessage,
} from '@bhyt/messaging';
import { Headers, Topics } from '@bhyt/contracts';
import { context, Span, SpanStatusCode, trace } from '@opentelemetry/api';
import {
  extractTraceContext,
  injectTraceHeaders,
  Logger,
  messageKeyAttributes,
  Metrics,
  scrubText,
  SpanKind,
  tracer,
} from '@bhyt/observability';
import { databaseUrl } from './data-source';

export interface OutboxRelayOptions {
  batchSize?: number;
  /** Poll interval when no NOTIFY arrives (a safety net; NOTIFY wakes the relay at once). */
  idleMs?: number;
  /** Failed publications of one row before it is parked (OUTBOX_MAX_PUBLISH_ATTEMPTS). */
  maxPublishAttempts?: number;
  /** Where a parked row's dead letter goes (platform.dead-letter.v1), and the group named in it. */
  deadLetterTopic?: string;
  consumerGroup?: string;
}

interface OutboxRow {
  id: string;
  topic: string;
  msg_key: string;
  headers: Record<string, string>;
  value: string;
  publish_attempts: number;
}

/**
 * Keys are spread over this many advisory-lock buckets; a relay publishes a row only while it
 * holds the row's bucket, so one key is relayed by one replica at a time. More buckets, more
 * replicas in parallel; each is one lock in PostgreSQL's shared lock table per relay.
 */
const KEY_BUCKETS = 64;
/** The first half of the two-int advisory lock key ("outb"): keeps clear of other locks. */
const OUTBOX_LOCK_CLASS = 0x6f757462;

/** Whether the broker refused the request itself (message too large, invalid record…): retrying the same bytes cannot help. */
function refusedByBroker(err: unknown): boolean {
  const seen = new Set<unknown>();
  const stack: unknown[] = [err];
  while (stack.length) {
    const e = stack.pop() as
      | { type?: unknown; retriable?: unknown; cause?: unknown; originalError?: unknown; errors?: unknown }
      | undefined;
    if (!e || typeof e !== 'object' || seen.has(e)) continue;
    seen.add(e);
    if (typeof e.type === 'string' && e.retriable === false) return true;
    stack.push(e.cause, e.originalError, ...(Array.isArray(e.errors) ? (e.errors as unknown[]) : []));
  }
  return false;
}

const errorText = (err: unknown): string =>
  err instanceof Error ? `${err.name}: ${scrubText(err.message)}` : scrubText(String(err));

/**
 * Publishes outbox rows in id order. Several replicas relay side by side: each takes only rows
 * whose key bucket it holds (a transaction-scoped advisory lock, tried, never waited for), so
 * the events of one key are published by one relay at a time and in id order — with rows merely
 * locked with SKIP LOCKED, a second replica would publish a key's later event while the first
 * still held its earlier one. A row is deleted (published) only after Kafka acknowledged it, in
 * the same transaction that locked it. A crash in between re-publishes the row: the event id
 * makes that harmless downstream.
 *
 * When a batch fails, its rows are retried one by one: those the broker takes are published,
 * the key of a failed row waits (its later rows stay behind it), and the failure counts against
 * the row when the broker refused it or took others meanwhile (an outage counts against no one).
 * After maxPublishAttempts the row is parked: a dead letter (OUTBOX_UNPUBLISHABLE) and the row
 * moved to outbox_parked, so nothing else waits for it.
 */
export class OutboxRelay {
  private running = false;
  private loop?: Promise<void>;
  private listener?: Client;
  private wake?: () => void;
  private lastCleanup = 0;
  private lastBacklog = 0;
  /** Whether the last pass had rows that failed: the loop backs off instead of retrying at once. */
  private lastPassFailed = false;

  constructor(
    private readonly ds: DataSource,
    private readonly publisher: EventPublisher,
    private readonly logger: Logger,
    private readonly options: OutboxRelayOptions & { url: string; database: string },
  ) {}

  async start(): Promise<void> {
    this.running = true;
    await this.listen();
    this.loop = this.run();
  }

  private async listen(): Promise<void> {
    try {
      const client = new Client({ connectionString: databaseUrl(this.options.url, this.options.database) });
      client.on('error', () => undefined);
      await client.connect();
      await client.query('LISTEN outbox');
      client.on('notification', () => this.wake?.());
      this.listener = client;
    } catch (err) {
      this.logger.warn({ error: err }, 'outbox relay: LISTEN unavailable, polling only');
    }
  }

  private async run(): Promise<void> {
    const idle = this.options.idleMs ?? 500;
    let failures = 0;
    while (this.running) {
      try {
        const n = await this.relayOnce();
        if (this.lastPassFailed) {
          failures++;
          await this.sleep(Math.min(10000, 200 * 2 ** Math.min(failures, 6)));
        } else failures = 0;
        if (n === 0) await this.sleep(idle);
        await this.cleanup();
      } catch (err) {
        failures++;
        this.logger.warn(
          {
            error: err instanceof Error ? { name: err.name, message: scrubText(err.message) } : String(err),
            failures,
          },
          'outbox relay: publish failed; will retry',
        );
        await this.sleep(Math.min(10000, 200 * 2 ** Math.min(failures, 6)));
      }
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(done, ms);
      function done() {
        clearTimeout(t);
        resolve();
      }
      this.wake = done;
    });
  }

  /** Publishes one batch. @returns the number of rows published (or parked). */
  async relayOnce(): Promise<number> {
    const batch = this.options.batchSize ?? 500;
    return this.ds.transaction(async (m) => {
      this.lastPassFailed = false;
      // The bucket lock is tried in the filter, row by row in id order, and kept until commit
      // (tried again for a bucket already held, it succeeds). SKIP LOCKED stays as a safety net.
      const rows: OutboxRow[] = await m.query(
        `SELECT id, topic, msg_key, headers, value, publish_attempts FROM outbox
          WHERE published_at IS NULL AND pg_try_advisory_xact_lock($2::int, (hashtext(msg_key) & $3::int))
          ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED`,
        [batch, OUTBOX_LOCK_CLASS, KEY_BUCKETS - 1],
      );
      if (rows.length === 0) return 0;
      let done: string[];
      try {
        await this.publish(rows);
        done = rows.map((r) => r.id);
      } catch (err) {
        // The broker acknowledged a prefix of the batch (chunks go in order): those are done.
        const acknowledged = err instanceof PublishFailedError ? err.published : 0;
        const rest = rows.slice(acknowledged);
        if (acknowledged === 0 && rows.length === 1 && !refusedByBroker(err)) throw err;
        done = [
          ...rows.slice(0, acknowledged).map((r) => r.id),
          ...(await this.publishOneByOne(m, rest, err, acknowledged > 0)),
        ];
      }
      // Published rows are deleted in the transaction that locked them: Kafka holds the events
      // from now on, and marking them published instead cost an update of every 10–30 KB row
      // plus a later delete (see docs/benchmarks.md).
      if (done.length > 0) await m.query(`DELETE FROM outbox WHERE id = ANY($1::bigint[])`, [done]);
      return done.length;
    });
  }

  private async publish(rows: OutboxRow[]): Promise<void> {
    const spans: Span[] = [];
    const messages: OutgoingMessage[] = rows.map((r) => {
      const { span, headers } = this.produceSpan(r);
      spans.push(span);
      return { topic: r.topic, key: r.msg_key, value: r.value, headers };
    });
    try {
      await this.publisher.send(messages);
    } catch (err) {
      for (const s of spans)
        s.setStatus({ code: SpanStatusCode.ERROR, message: err instanceof Error ? err.name : 'error' });
      throw err;
    } finally {
      for (const s of spans) s.end();
    }
  }

  /**
   * After a failed batch: each row alone, in id order. @returns the ids published or parked.
   * Throws (nothing counted, the batch rolls back) when no row went through and the broker
   * refused none of them: that is an outage, not a bad row.
   */
  private async publishOneByOne(
    m: EntityManager,
    rows: OutboxRow[],
    batchError: unknown,
    someAcknowledged: boolean,
  ): Promise<string[]> {
    const done: string[] = [];
    const failed: Array<{ row: OutboxRow; err: unknown }> = [];
    const waiting = new Set<string>();
    for (const row of rows) {
      if (waiting.has(row.msg_key)) continue; // an earlier row of this key failed: keep the order
      try {
        await this.publish([row]);
        done.push(row.id);
      } catch (err) {
        waiting.add(row.msg_key);
        failed.push({ row, err });
      }
    }
    const brokerUp = someAcknowledged || done.length > 0 || failed.some((f) => refusedByBroker(f.err));
    if (!brokerUp) throw failed[0]?.err ?? batchError;
    const max = this.options.maxPublishAttempts ?? 5;
    for (const { row, err } of failed) {
      this.lastPassFailed = true;
      const attempts = row.publish_attempts + 1;
      const reason = errorText(err);
      this.logger.warn(
        { topic: row.topic, outboxId: row.id, attempts, maxAttempts: max, error: reason },
        'outbox relay: row not published',
      );
      if (attempts >= max && (await this.park(m, row, attempts, reason))) done.push(row.id);
      else
        await m.query(`UPDATE outbox SET publish_attempts = $2, last_error = $3 WHERE id = $1`, [
          row.id,
          attempts,
          reason.slice(0, 2000),
        ]);
    }
    return done;
  }

  /**
   * Dead-letters a row that cannot be published and moves it to outbox_parked. The dead letter
   * carries the value when it fits in a request, otherwise only the headers and the reason (the
   * value stays in outbox_parked). @returns false if even that could not be published.
   */
  private async park(
    m: EntityManager,
    row: OutboxRow,
    attempts: number,
    lastError: string,
  ): Promise<boolean> {
    const reason = `not published after ${attempts} attempts, last: ${lastError}`;
    const fits = Buffer.byteLength(row.value) + 8192 < MAX_REQUEST_BYTES;
    const letter = (value: string, why: string) =>
      deadLetterMessage(
        this.options.deadLetterTopic ?? Topics.deadLetter.name,
        { topic: row.topic, key: row.msg_key, value, headers: row.headers },
        {
          code: MessagingErrorCode.Unpublishable,
          reason: why,
          consumerGroup: this.options.consumerGroup ?? 'outbox-relay',
          failedAt: new Date(),
        },
      );
    try {
      await this.publisher.send([
        fits
          ? letter(row.value, reason)
          : letter(
              '',
              `${reason}; value (${Buffer.byteLength(row.value)} bytes) kept in outbox_parked id ${row.id}`,
            ),
      ]);
    } catch (err) {
      this.logger.error(
        { topic: row.topic, outboxId: row.id, error: errorText(err) },
        'outbox relay: could not dead-letter an unpublishable row; keeping it',
      );
      return false;
    }
    await m.query(
      `INSERT INTO outbox_parked (id, topic, msg_key, headers, value, created_at, publish_attempts, reason)
       SELECT id, topic, msg_key, headers, value, created_at, $2, $3 FROM outbox WHERE id = $1 ON CONFLICT (id) DO NOTHING`,
      [row.id, attempts, reason.slice(0, 2000)],
    );
    Metrics.deadLettered().inc({ topic: row.topic, reason: MessagingErrorCode.Unpublishable });
    this.logger.error(
      { topic: row.topic, outboxId: row.id, attempts },
      'outbox relay: row parked on the dead-letter topic (OUTBOX_UNPUBLISHABLE)',
    );
    return true;
  }

  /**
   * The produce span of one row: a child of the context stored with the row (the request or
   * message that wrote it, maybe seconds earlier and in another process), and the message
   * leaves with the produce span's context, so the consumer's span is its child.
   */
  private produceSpan(row: OutboxRow): { span: Span; headers: Record<string, string> } {
    const parent = extractTraceContext(row.headers, context.active());
    const span = tracer().startSpan(
      `${row.topic} publish`,
      {
        kind: SpanKind.PRODUCER,
        attributes: {
          'messaging.system': 'kafka',
          'messaging.operation.type': 'send',
          'messaging.operation': 'publish',
          'messaging.destination.name': row.topic,
          'bhyt.facility': row.headers[Headers.facility] ?? '',
          'bhyt.outbox.id': row.id,
          ...messageKeyAttributes(row.topic, row.msg_key),
        },
      },
      parent,
    );
    return { span, headers: { ...row.headers, ...injectTraceHeaders(trace.setSpan(parent, span)) } };
  }

  /** Unpublished rows and the age of the oldest one, into the outbox gauges. */
  async backlog(): Promise<number> {
    const [{ n, oldest }] = await this.ds.query(
      `SELECT count(*)::int AS n, COALESCE(EXTRACT(EPOCH FROM now() - min(created_at)), 0)::float8 AS oldest FROM outbox WHERE published_at IS NULL`,
    );
    Metrics.outboxBacklog().set(n);
    Metrics.outboxOldestSeconds().set(Number(oldest));
    return n;
  }

  private async cleanup(): Promise<void> {
    const now = Date.now();
    // The backlog gauge every few seconds (an index-only count); the deletes once a minute.
    if (now - this.lastBacklog >= 5000) {
      this.lastBacklog = now;
      await this.backlog();
    }
    if (now - this.lastCleanup < 60000) return;
    this.lastCleanup = now;
    // Rows marked published by earlier versions of the relay (which kept them a day).
    await this.ds.query(`DELETE FROM outbox WHERE published_at < now() - interval '1 day'`);
    // Stored claim trace contexts outlive any correction window worth tracing as one trace.
    await this.ds
      .query(`DELETE FROM claim_trace_context WHERE created_at < now() - interval '30 days'`)
      .catch(() => undefined);
  }

  /** Finishes the current batch (its transaction commits or rolls back), then stops. */
  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
    await this.listener?.end().catch(() => undefined);
  }
}
