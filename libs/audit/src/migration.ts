import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * audit_log in every service database. Append-only is enforced by the database, not by
 * convention: a trigger raises on UPDATE, DELETE and TRUNCATE (it also binds the table owner,
 * which REVOKE alone would not), and PUBLIC gets no UPDATE/DELETE/TRUNCATE.
 */
export class AuditLog1700000000050 implements MigrationInterface {
  name = 'AuditLog1700000000050';
  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE audit_log (
      seq bigint PRIMARY KEY,
      at timestamptz NOT NULL,
      actor text NOT NULL,
      role text NOT NULL,
      category text NOT NULL,
      action text NOT NULL,
      resource text NOT NULL,
      facility text,
      outcome text NOT NULL,
      prev_hash char(64) NOT NULL,
      hash char(64) NOT NULL UNIQUE
    )`);
    await q.query(`CREATE INDEX audit_log_facility_at ON audit_log (facility, at)`);
    await q.query(`CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'audit_log is append-only (% refused)', TG_OP USING ERRCODE = 'insufficient_privilege'; END $$`);
    await q.query(
      `CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()`,
    );
    await q.query(
      `CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only()`,
    );
    await q.query(`REVOKE UPDATE, DELETE, TRUNCATE ON audit_log FROM PUBLIC`);
  }
  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE audit_log; DROP FUNCTION audit_log_append_only()`);
  }
}
