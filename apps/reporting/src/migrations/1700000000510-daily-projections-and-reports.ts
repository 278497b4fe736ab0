import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Per-facility-and-day projections as views over the event-built tables (registrations,
 * claim_facts, health_book_reads): replaying the topics rebuilds the tables and the views follow,
 * so there is no second copy to keep consistent and no counter that a late or repeated event
 * could push twice. Days are local days in Asia/Ho_Chi_Minh.
 *
 * Also: the generated reports (kept with period and generation time), the scheduler's claims on
 * its runs (one generation per scheduled run even with several replicas), and the web page's
 * users and sessions (isolated here until the platform's shared authentication replaces them).
 */
export class DailyProjectionsAndReports1700000000510 implements MigrationInterface {
  name = 'DailyProjectionsAndReports1700000000510';
  async up(q: QueryRunner): Promise<void> {
    const day = (col: string) => `(${col} AT TIME ZONE 'Asia/Ho_Chi_Minh')::date`;
    await q.query(`CREATE INDEX registrations_by_day ON registrations (facility_code, registered_at)`);
    await q.query(
      `CREATE INDEX claim_facts_by_submission ON claim_facts (submitted_at) WHERE submitted_at IS NOT NULL`,
    );
    await q.query(`CREATE INDEX claim_facts_open ON claim_facts (closed_at) WHERE submitted_at IS NULL`);
    await q.query(`CREATE INDEX health_book_reads_by_day ON health_book_reads (facility_code, read_at)`);

    // Claims by the day their encounter ended. A row needs encounter.closed (care type, BHYT
    // status); until it arrives, a claim seen only through later events is not counted.
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
    await q.query(`CREATE VIEW facility_day_rejections AS
      SELECT facility_code, ${day('encounter_end')} AS day, code, count(DISTINCT (ma_lk, version))::int AS n
      FROM claim_facts CROSS JOIN LATERAL unnest(reject_codes) AS code
      WHERE rejected_at IS NOT NULL AND encounter_end IS NOT NULL
      GROUP BY 1, 2, 3`);
    await q.query(`CREATE VIEW facility_day_registrations AS
      SELECT facility_code, ${day('registered_at')} AS day, identifier_type, insured, count(*)::int AS n
      FROM registrations GROUP BY 1, 2, 3, 4`);
    await q.query(`CREATE VIEW facility_day_reads AS
      SELECT facility_code, ${day('read_at')} AS day, count(*)::int AS n FROM health_book_reads GROUP BY 1, 2`);
    // Submissions by the day the gateway received them (the page's chart).
    await q.query(`CREATE VIEW facility_day_submissions AS
      SELECT facility_code, ${day('submitted_at')} AS day, count(*)::int AS submitted, count(*) FILTER (WHERE on_time)::int AS on_time
      FROM claim_facts WHERE submitted_at IS NOT NULL GROUP BY 1, 2`);
    // Delay = encounter end → gateway receipt (what the submission window measures).
    // percentile_disc = nearest rank, reproducible from any other record of the same claims.
    await q.query(`CREATE VIEW facility_day_delays AS
      SELECT facility_code, ${day('encounter_end')} AS day, count(*)::int AS n,
             percentile_disc(0.5) WITHIN GROUP (ORDER BY delay_ms) AS p50_ms,
             percentile_disc(0.9) WITHIN GROUP (ORDER BY delay_ms) AS p90_ms,
             percentile_disc(0.99) WITHIN GROUP (ORDER BY delay_ms) AS p99_ms
      FROM (SELECT facility_code, encounter_end, round(extract(epoch FROM submitted_at - encounter_end) * 1000)::bigint AS delay_ms
            FROM claim_facts WHERE submitted_at IS NOT NULL AND encounter_end IS NOT NULL) d
      GROUP BY 1, 2`);

    await q.query(`CREATE TABLE generated_reports (
      id bigserial PRIMARY KEY,
      kind text NOT NULL,
      period_key text NOT NULL,
      period_from date NOT NULL,
      period_to date NOT NULL,
      generated_at timestamptz NOT NULL,
      trigger text NOT NULL,
      document jsonb NOT NULL,
      xlsx bytea NOT NULL,
      csv text NOT NULL
    )`);
    await q.query(
      `CREATE INDEX generated_reports_latest ON generated_reports (kind, period_key, generated_at DESC)`,
    );
    await q.query(`CREATE TABLE scheduled_report_runs (
      kind text NOT NULL,
      period_key text NOT NULL,
      run_at timestamptz NOT NULL,
      claimed_at timestamptz NOT NULL DEFAULT now(),
      report_id bigint REFERENCES generated_reports(id),
      PRIMARY KEY (kind, period_key)
    )`);
    await q.query(`CREATE TABLE web_users (
      username text PRIMARY KEY,
      password_hash text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now()
    )`);
    await q.query(`CREATE TABLE web_sessions (
      token_sha256 text PRIMARY KEY,
      username text NOT NULL REFERENCES web_users(username) ON DELETE CASCADE,
      expires_at timestamptz NOT NULL
    )`);
  }
  async down(q: QueryRunner): Promise<void> {
    await q.query(
      `DROP TABLE web_sessions; DROP TABLE web_users; DROP TABLE scheduled_report_runs; DROP TABLE generated_reports`,
    );
    await q.query(
      `DROP VIEW facility_day_delays; DROP VIEW facility_day_submissions; DROP VIEW facility_day_reads; DROP VIEW facility_day_registrations; DROP VIEW facility_day_rejections; DROP VIEW facility_day_claims`,
    );
    await q.query(
      `DROP INDEX health_book_reads_by_day; DROP INDEX claim_facts_open; DROP INDEX claim_facts_by_submission; DROP INDEX registrations_by_day`,
    );
  }
}
