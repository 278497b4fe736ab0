import { Client } from 'pg';
import { DataSource } from 'typeorm';
import type { EventPublisher, OutgoingMessage } from '@bhyt/messaging';
import { Headers } from '@bhyt/contracts';
import { context, Span, SpanStatusCode, trace } from '@opentelemetry/api';
import { extractTraceContext, injectTraceHeaders, Logger, messageKeyAttributes, Metrics, scrubText, SpanKind, tracer } from '@bhyt/observability';
import { databaseUrl } from './data-source';

export interface OutboxRelayOptions {
  batchSize?: number;
  /** Poll interval when no NOTIFY arrives (a safety net; NOTIFY wakes the relay at once). */
  idleMs?: number;
}

interface OutboxRow {
  id: string;
  topic: string;
  msg_key: string;
  headers: Record<string, string>;
  value: string;
}

/**
 * Publishes outbox rows in id order. Rows are locked with SKIP LOCKED so that several
 * replicas can relay side by side; a row is deleted (published) only after Kafka acknowledged
 * it, in the same transaction that locked it. A crash in between re-publishes the row: the
 * event id makes that harmless downstream.
 */
export class OutboxRelay {
  private running = false;
  private loop?: Promise<void>;
  private listener?: Client;
  private wake?: () => void;
  private lastCleanup = 0;
  private lastBacklog = 0;

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
        failures = 0;
        if (n === 0) await this.sleep(idle);
        await this.cleanup();
      } catch (err) {
        failures++;
        this.logger.warn({ error: err instanceof Error ? { name: err.name, message: scrubText(err.message) } : String(err), failures }, 'outbox relay: publish failed; will retry');
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

  /** Publishes one batch. @returns the number of rows published. */
  async relayOnce(): Promise<number> {
    const batch = this.options.batchSize ?? 500;
    return this.ds.transaction(async (m) => {
      const rows: OutboxRow[] = await m.query(
        `SELECT id, topic, msg_key, headers, value FROM outbox WHERE published_at IS NULL ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED`,
        [batch],
      );
      if (rows.length === 0) return 0;
      const spans: Span[] = [];
      const messages: OutgoingMessage[] = rows.map((r) => {
        const { span, headers } = this.produceSpan(r);
        spans.push(span);
        return { topic: r.topic, key: r.msg_key, value: r.value, headers };
      });
      try {
        await this.publisher.send(messages);
      } catch (err) {
        for (const s of spans) s.setStatus({ code: SpanStatusCode.ERROR, message: err instanceof Error ? err.name : 'error' });
        throw err;
      } finally {
        for (const s of spans) s.end();
      }
      // Published rows are deleted in the transaction that locked them: Kafka holds the events
      // from now on, and marking them published instead cost an update of every 10–30 KB row
      // plus a later delete (see docs/benchmarks.md).
      await m.query(`DELETE FROM outbox WHERE id = ANY($1::bigint[])`, [rows.map((r) => r.id)]);
      return rows.length;
    });
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
    await this.ds.query(`DELETE FROM claim_trace_context WHERE created_at < now() - interval '30 days'`).catch(() => undefined);
  }

  /** Finishes the current batch (its transaction commits or rolls back), then stops. */
  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
    await this.listener?.end().catch(() => undefined);
  }
}
