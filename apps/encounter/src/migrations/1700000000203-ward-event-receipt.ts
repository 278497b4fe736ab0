import { MigrationInterface, QueryRunner } from 'typeorm';

export class WardEventReceipt1700000000203 implements MigrationInterface {
  name = 'WardEventReceipt1700000000203';
  async up(q: QueryRunner): Promise<void> {
    // The draft as opened from intake.registered: a retraction rebuilds the encounter from it
    // and the events in force. Encounters opened before this migration have none (NULL) and
    // cannot take an event back (RETRACTION_UNAVAILABLE).
    await q.query(
      `ALTER TABLE encounters ADD COLUMN opening jsonb, ADD COLUMN close_problem jsonb, ADD COLUMN close_refused_at timestamptz`,
    );
    await q.query(
      `CREATE INDEX encounters_blocked ON encounters (facility_code, close_refused_at) WHERE close_problem IS NOT NULL`,
    );
    // seq: the order events were applied in (replayed in that order); body_sha256: the canonical
    // body, so that a re-used eventId with another body is a conflict, not a duplicate;
    // replaces: the event this one replaces; refused: why a parked event could not be applied.
    await q.query(
      `ALTER TABLE ward_events ADD COLUMN seq bigserial, ADD COLUMN body_sha256 text, ADD COLUMN replaces uuid, ADD COLUMN refused jsonb`,
    );
    await q.query(`CREATE INDEX ward_events_by_encounter_seq ON ward_events (facility_code, ma_lk, seq)`);
  }
  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP INDEX ward_events_by_encounter_seq');
    await q.query(
      'ALTER TABLE ward_events DROP COLUMN refused, DROP COLUMN replaces, DROP COLUMN body_sha256, DROP COLUMN seq',
    );
    await q.query('DROP INDEX encounters_blocked');
    await q.query(
      'ALTER TABLE encounters DROP COLUMN close_refused_at, DROP COLUMN close_problem, DROP COLUMN opening',
    );
  }
}
