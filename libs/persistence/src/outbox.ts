import { EntityManager, MigrationInterface, QueryRunner } from 'typeorm';
import type { OutgoingMessage } from '@bhyt/messaging';
import { useDefaultCompression, useLz4Compression } from './column-compression';

/**
 * Transactional outbox and inbox. A service changes its state and writes the events it emits
 * in ONE database transaction; the relay publishes them afterwards. The inbox makes consumers
 * idempotent: an event id is processed at most once per consumer group.
 */
export class OutboxInboxMigration1700000000000 implements MigrationInterface {
  name = 'OutboxInboxMigration1700000000000';
  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE IF NOT EXISTS outbox (
      id bigserial PRIMARY KEY,
      topic text NOT NULL,
      msg_key text NOT NULL,
      headers jsonb NOT NULL,
      value text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      published_at timestamptz
    )`);
    await q.query(`CREATE INDEX IF NOT EXISTS outbox_unpublished ON outbox (id) WHERE published_at IS NULL`);
    await q.query(`CREATE OR REPLACE FUNCTION outbox_notify() RETURNS trigger AS $$
      BEGIN PERFORM pg_notify('outbox', ''); RETURN NULL; END $$ LANGUAGE plpgsql`);
    await q.query(`DROP TRIGGER IF EXISTS outbox_notify ON outbox`);
    await q.query(
      `CREATE TRIGGER outbox_notify AFTER INSERT ON outbox FOR EACH STATEMENT EXECUTE FUNCTION outbox_notify()`,
    );
    await q.query(`CREATE TABLE IF NOT EXISTS inbox (
      consumer text NOT NULL,
      event_id uuid NOT NULL,
      topic text NOT NULL,
      processed_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (consumer, event_id)
    )`);
  }
  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE IF EXISTS inbox');
    await q.query('DROP TABLE IF EXISTS outbox');
    await q.query('DROP FUNCTION IF EXISTS outbox_notify');
  }
}

/** Writes events to the outbox inside the caller's transaction. */
export async function enqueueOutbox(manager: EntityManager, messages: OutgoingMessage[]): Promise<void> {
  if (messages.length === 0) return;
  const params: unknown[] = [];
  const rows = messages.map((m, i) => {
    params.push(
      m.topic,
      m.key,
      JSON.stringify(m.headers),
      typeof m.value === 'string' ? m.value : m.value.toString('utf8'),
    );
    const b = i * 4;
    return `($${b + 1}, $${b + 2}, $${b + 3}::jsonb, $${b + 4})`;
  });
  await manager.query(
    `INSERT INTO outbox (topic, msg_key, headers, value) VALUES ${rows.join(', ')}`,
    params,
  );
}

/**
 * Claims an event for a consumer group inside the caller's transaction.
 * @returns false if this consumer already processed the event (a redelivery): skip it.
 */
export async function claimInbox(
  manager: EntityManager,
  consumer: string,
  eventId: string,
  topic: string,
): Promise<boolean> {
  const rows: unknown[] = await manager.query(
    `INSERT INTO inbox (consumer, event_id, topic) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING 1`,
    [consumer, eventId, topic],
  );
  return rows.length === 1;
}

/** Outbox payloads are compressed with lz4 instead of pglz (see useLz4Compression). */
export class OutboxLz4Migration1700000000001 implements MigrationInterface {
  name = 'OutboxLz4Migration1700000000001';
  async up(q: QueryRunner): Promise<void> {
    await useLz4Compression(q, [['outbox', 'value']]);
  }
  async down(q: QueryRunner): Promise<void> {
    await useDefaultCompression(q, [['outbox', 'value']]);
  }
}

/**
 * Failed publications are counted per row, and a row the broker keeps refusing (larger than
 * message.max.bytes, say) is moved to outbox_parked after OUTBOX_MAX_PUBLISH_ATTEMPTS, with a
 * dead letter, so that it stops blocking the relay. The row is kept whole there: its dead
 * letter may have had to leave without the value.
 */
export class OutboxParkingMigration1700000000002 implements MigrationInterface {
  name = 'OutboxParkingMigration1700000000002';
  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE outbox ADD COLUMN IF NOT EXISTS publish_attempts int NOT NULL DEFAULT 0`);
    await q.query(`ALTER TABLE outbox ADD COLUMN IF NOT EXISTS last_error text`);
    await q.query(`CREATE TABLE IF NOT EXISTS outbox_parked (
      id bigint PRIMARY KEY,
      topic text NOT NULL,
      msg_key text NOT NULL,
      headers jsonb NOT NULL,
      value text NOT NULL,
      created_at timestamptz NOT NULL,
      parked_at timestamptz NOT NULL DEFAULT now(),
      publish_attempts int NOT NULL,
      reason text NOT NULL
    )`);
  }
  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE IF EXISTS outbox_parked');
    await q.query('ALTER TABLE outbox DROP COLUMN IF EXISTS last_error');
    await q.query('ALTER TABLE outbox DROP COLUMN IF EXISTS publish_attempts');
  }
}
