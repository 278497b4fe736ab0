import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Exactly once with several replicas and a gateway without a lookup API (issue 16):
 * - an attempt in flight carries its owner (replica id) and a lease; only expired leases are
 *   recovered, and outcome writes are fenced by (owner, attempt);
 * - RECONCILE becomes SENT_UNKNOWN ("sent, outcome unknown"), IN_FLIGHT_RECONCILE becomes
 *   IN_FLIGHT with outcome_unknown; sends and ambiguous_sends count possible duplicates;
 * - SUPERSEDED: a newer version of the MA_LK arrived before this one was sent;
 * - the status column is constrained. The status lists below are a snapshot of
 *   libs/submission-policy (SubmissionStatuses, TAKEABLE_STATUSES, OPEN_STATUSES) at this
 *   migration; a later change of those sets needs a migration of its own.
 */
export class SubmissionLeases1700000000404 implements MigrationInterface {
  name = 'SubmissionLeases1700000000404';
  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE submissions
      ADD COLUMN lease_owner text,
      ADD COLUMN lease_until timestamptz,
      ADD COLUMN outcome_unknown boolean NOT NULL DEFAULT false,
      ADD COLUMN sends int NOT NULL DEFAULT 0,
      ADD COLUMN ambiguous_sends int NOT NULL DEFAULT 0`);
    // Rows of the old model: in flight without a lease are recovered at once by the first sweep.
    await q.query(
      `UPDATE submissions SET status = 'SENT_UNKNOWN', outcome_unknown = true WHERE status = 'RECONCILE'`,
    );
    await q.query(
      `UPDATE submissions SET status = 'IN_FLIGHT', outcome_unknown = (status = 'IN_FLIGHT_RECONCILE'), lease_until = now() WHERE status IN ('IN_FLIGHT', 'IN_FLIGHT_RECONCILE')`,
    );
    await q.query(
      `UPDATE submissions SET sends = 1 WHERE status IN ('SUBMITTED', 'ACCEPTED') OR (status = 'REJECTED' AND ma_giao_dich IS NOT NULL)`,
    );
    await q.query(`ALTER TABLE submissions ADD CONSTRAINT submissions_status_known
      CHECK (status IN ('DUE', 'IN_FLIGHT', 'SENT_UNKNOWN', 'SUBMITTED', 'ACCEPTED', 'REJECTED', 'NEEDS_OPERATOR', 'SUPERSEDED'))`);
    await q.query(
      `ALTER TABLE submissions ADD CONSTRAINT submissions_lease_in_flight CHECK (status <> 'IN_FLIGHT' OR lease_until IS NOT NULL)`,
    );
    await q.query(`DROP INDEX submissions_due`);
    await q.query(
      `CREATE INDEX submissions_due ON submissions (kind, deadline) WHERE status IN ('DUE', 'SENT_UNKNOWN')`,
    );
    await q.query(`DROP INDEX submissions_open`);
    await q.query(
      `CREATE INDEX submissions_open ON submissions (deadline) WHERE status IN ('DUE', 'SENT_UNKNOWN', 'IN_FLIGHT', 'NEEDS_OPERATOR')`,
    );
    await q.query(`CREATE INDEX submissions_leases ON submissions (lease_until) WHERE status = 'IN_FLIGHT'`);
    // Versions of one MA_LK side by side (superseding, one version in flight).
    await q.query(`CREATE INDEX submissions_by_ma_lk ON submissions (facility_code, kind, ma_lk, version)`);
  }
  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX submissions_by_ma_lk`);
    await q.query(`DROP INDEX submissions_leases`);
    await q.query(`ALTER TABLE submissions DROP CONSTRAINT submissions_lease_in_flight`);
    await q.query(`ALTER TABLE submissions DROP CONSTRAINT submissions_status_known`);
    await q.query(
      `UPDATE submissions SET status = CASE WHEN outcome_unknown THEN 'IN_FLIGHT_RECONCILE' ELSE 'IN_FLIGHT' END WHERE status = 'IN_FLIGHT'`,
    );
    await q.query(`UPDATE submissions SET status = 'RECONCILE' WHERE status = 'SENT_UNKNOWN'`);
    await q.query(`UPDATE submissions SET status = 'REJECTED' WHERE status = 'SUPERSEDED'`);
    await q.query(`DROP INDEX submissions_open`);
    await q.query(
      `CREATE INDEX submissions_open ON submissions (deadline) WHERE status IN ('DUE', 'RECONCILE', 'IN_FLIGHT', 'IN_FLIGHT_RECONCILE', 'NEEDS_OPERATOR')`,
    );
    await q.query(`DROP INDEX submissions_due`);
    await q.query(
      `CREATE INDEX submissions_due ON submissions (kind, deadline) WHERE status IN ('DUE', 'RECONCILE')`,
    );
    await q.query(
      `ALTER TABLE submissions DROP COLUMN lease_owner, DROP COLUMN lease_until, DROP COLUMN outcome_unknown, DROP COLUMN sends, DROP COLUMN ambiguous_sends`,
    );
  }
}
