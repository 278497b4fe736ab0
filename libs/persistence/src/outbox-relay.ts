import { Client } from 'pg';
import { DataSource } from 'typeorm';
import type { EventPublisher, OutgoingMessage } from '@bhyt/messaging';
import { Logger, Metrics, scrubText } from '@bhyt/observability';
import { databaseUrl } from './data-source';

export interface OutboxRelayOptions {
  batchSize?: number;
  /** Poll interval when no NOTIFY arrives (a safety net; NOTIFY wakes the relay at once). */
  idleMs?: number;
  /** Published rows are kept this long for inspection, then deleted. */
  keepPublishedMs?: number;
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
 * replicas can relay side by side; a row is marked published only after Kafka acknowledged
 * it, in the same transaction that locked it. A crash in between re-publishes the row: the
 * event id makes that harmless downstream.
 */
export class OutboxRelay {
  private running = false;
  private loop?: Promise<void>;
  private listener?: Client;
  private wake?: () => void;
  private lastCleanup = 0;

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
      const messages: OutgoingMessage[] = rows.map((r) => ({ topic: r.topic, key: r.msg_key, value: r.value, headers: r.headers }));
      await this.publisher.send(messages);
      await m.query(`UPDATE outbox SET published_at = now() WHERE id = ANY($1::bigint[])`, [rows.map((r) => r.id)]);
      return rows.length;
    });
  }

  async backlog(): Promise<number> {
    const [{ n }] = await this.ds.query(`SELECT count(*)::int AS n FROM outbox WHERE published_at IS NULL`);
    Metrics.outboxBacklog().set(n);
    return n;
  }

  private async cleanup(): Promise<void> {
    const now = Date.now();
    if (now - this.lastCleanup < 60000) return;
    this.lastCleanup = now;
    const keep = this.options.keepPublishedMs ?? 24 * 3600 * 1000;
    await this.ds.query(`DELETE FROM outbox WHERE published_at < now() - ($1::bigint * interval '1 millisecond')`, [keep]);
    await this.backlog();
  }

  /** Finishes the current batch (its transaction commits or rolls back), then stops. */
  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
    await this.listener?.end().catch(() => undefined);
  }
}
