import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * One counting rule for claims: a record is an encounter's MA_LK, and a correction is a new
 * version of the same record, not a second record. Each record is counted once, in the state
 * of its latest closed version (closed, signed, submitted, on time, accepted or rejected, missed),
 * so closed = encounters and submitted = accepted + rejected + still pending at the gateway;
 * `corrections` counts the versions after the first. The columns keep their names and order
 * (the view is replaced in place); `corrections` is added at the end.
 */
export class RecordsCountedOnce1700000000530 implements MigrationInterface {
  name = 'RecordsCountedOnce1700000000530';
  async up(q: QueryRunner): Promise<void> {
    const day = (col: string) => `(${col} AT TIME ZONE 'Asia/Ho_Chi_Minh')::date`;
    await q.query(`CREATE OR REPLACE VIEW facility_day_claims AS
      SELECT f.facility_code, ${day('f.encounter_end')} AS day, f.care_type, f.insured,
             count(*)::int AS encounters,
             count(*) FILTER (WHERE r.any_accepted)::int AS interconnected,
             count(*)::int AS closed,
             count(*) FILTER (WHERE f.signed_at IS NOT NULL)::int AS signed,
             count(*) FILTER (WHERE f.submitted_at IS NOT NULL)::int AS submitted,
             count(*) FILTER (WHERE f.submitted_at IS NOT NULL AND f.on_time)::int AS on_time,
             count(*) FILTER (WHERE f.accepted_at IS NOT NULL)::int AS accepted,
             count(*) FILTER (WHERE f.rejected_at IS NOT NULL AND f.accepted_at IS NULL)::int AS rejected,
             count(*) FILTER (WHERE f.missed_at IS NOT NULL AND f.submitted_at IS NULL)::int AS missed,
             sum(r.closed_versions - 1)::int AS corrections
      FROM claim_facts f
      JOIN (SELECT facility_code, ma_lk, max(version) FILTER (WHERE closed_at IS NOT NULL) AS latest,
                   count(*) FILTER (WHERE closed_at IS NOT NULL) AS closed_versions, bool_or(accepted_at IS NOT NULL) AS any_accepted
              FROM claim_facts GROUP BY 1, 2) r
        ON r.facility_code = f.facility_code AND r.ma_lk = f.ma_lk AND r.latest = f.version
      WHERE f.encounter_end IS NOT NULL AND f.care_type IS NOT NULL AND f.insured IS NOT NULL
      GROUP BY 1, 2, 3, 4`);
  }
  async down(q: QueryRunner): Promise<void> {
    // A view cannot drop a column in place: recreate the one of 1700000000510.
    const day = (col: string) => `(${col} AT TIME ZONE 'Asia/Ho_Chi_Minh')::date`;
    await q.query(`DROP VIEW facility_day_claims`);
    await q.query(`CREATE VIEW facility_day_claims AS
      SELECT facility_code, ${day('encounter_end')} AS day, care_type, insured,
             count(DISTINCT ma_lk) FILTER (WHERE closed_at IS NOT NULL)::int AS encounters,
             count(DISTINCT ma_lk) FILTER (WHERE accepted_at IS NOT NULL)::int AS interconnected,
             count(*) FILTER (WHERE closed_at IS NOT NULL)::int AS closed,
             count(*) FILTER (WHERE signed_at IS NOT NULL)::int AS signed,
             count(*) FILTER (WHERE submitted_at IS NOT NULL)::int AS submitted,
             count(*) FILTER (WHERE submitted_at IS NOT NULL AND on_time)::int AS on_time,
             count(*) FILTER (WHERE accepted_at IS NOT NULL)::int AS accepted,
             count(*) FILTER (WHERE rejected_at IS NOT NULL)::int AS rejected,
             count(*) FILTER (WHERE missed_at IS NOT NULL AND submitted_at IS NULL)::int AS missed
      FROM claim_facts
      WHERE encounter_end IS NOT NULL AND care_type IS NOT NULL AND insured IS NOT NULL
      GROUP BY 1, 2, 3, 4`);
  }
}
