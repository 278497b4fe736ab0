import { MigrationInterface, QueryRunner } from 'typeorm';

export class ParkedWardEventOrigin1700000000202 implements MigrationInterface {
  name = 'ParkedWardEventOrigin1700000000202';
  async up(q: QueryRunner): Promise<void> {
    // A parked event whose encounter never opens is dead-lettered as it was received: the
    // message value as sent (raw) and where it came from (topic, partition, offset, key,
    // headers), so that an operator can re-drive it unchanged. Rows parked before this
    // migration have neither and are dead-lettered from their parsed form.
    await q.query(`ALTER TABLE parked_ward_events ADD COLUMN raw text, ADD COLUMN origin jsonb`);
    // The sweeper looks for the oldest across facilities; the operator view and the gauges per facility.
    await q.query(`CREATE INDEX parked_by_received ON parked_ward_events (received_at)`);
    await q.query(
      `CREATE INDEX parked_by_facility_received ON parked_ward_events (facility_code, received_at)`,
    );
  }
  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP INDEX parked_by_facility_received; DROP INDEX parked_by_received');
    await q.query('ALTER TABLE parked_ward_events DROP COLUMN origin, DROP COLUMN raw');
  }
}
