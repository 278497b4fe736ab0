import { DataSource } from 'typeorm';
import { CareType, IdentifierType } from '@bhyt/contracts';
import { FacilityRegistry } from '@bhyt/facilities';
import { findProvince } from '@bhyt/identifiers';
import {
  BacklogBucket,
  DelayRow,
  endOfLocalDay,
  FacilityInfo,
  Period,
  ReportInputs,
  startOfLocalDay,
} from '@bhyt/reporting';

/**
 * Reads a period's rows from the projections; the figures are added up by the pure builders of
 * @bhyt/reporting. Claim rows are selected by the local day the encounter ended, the chart's
 * rows by the day of gateway receipt.
 */
const num = (v: unknown): number => Number(v ?? 0);
const isoDay = (v: unknown): string =>
  v instanceof Date ? v.toISOString().slice(0, 10) : String(v).slice(0, 10);

export function facilityInfos(registry: FacilityRegistry): FacilityInfo[] {
  return registry.list().map((f) => ({
    code: f.code,
    name: f.name,
    province: f.province,
    provinceName: findProvince(f.province)?.name ?? f.province,
  }));
}

export async function loadReportInputs(
  ds: DataSource,
  period: Pick<Period, 'from' | 'to'>,
  facilities: FacilityInfo[],
  now: Date,
): Promise<ReportInputs> {
  const range = [period.from, period.to];
  const start = startOfLocalDay(period.from);
  const end = endOfLocalDay(period.to);
  const asOf = new Date(Math.min(end.getTime(), now.getTime()));
  // `day` comes back as text: a date column would be turned into a JS Date at UTC midnight.
  const [claims, regs, rejections, reads, subs, delays, backlog] = await Promise.all([
    ds.query(
      `SELECT facility_code, day::text AS day, care_type, insured, encounters, interconnected, closed, signed, submitted, on_time, accepted, rejected, missed, corrections
              FROM facility_day_claims WHERE day BETWEEN $1 AND $2 ORDER BY 1, 2, 3, 4`,
      range,
    ),
    ds.query(
      `SELECT facility_code, day::text AS day, identifier_type, sum(n)::int AS n FROM facility_day_registrations WHERE day BETWEEN $1 AND $2 GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`,
      range,
    ),
    ds.query(
      `SELECT facility_code, day::text AS day, code, n FROM facility_day_rejections WHERE day BETWEEN $1 AND $2 ORDER BY 1, 2, 3`,
      range,
    ),
    ds.query(
      `SELECT facility_code, day::text AS day, n FROM facility_day_reads WHERE day BETWEEN $1 AND $2 ORDER BY 1, 2`,
      range,
    ),
    ds.query(
      `SELECT facility_code, day::text AS day, submitted, on_time FROM facility_day_submissions WHERE day BETWEEN $1 AND $2 ORDER BY 1, 2`,
      range,
    ),
    // Percentiles do not add up across days: computed over the period, per facility, per
    // province and in total, in one pass (GROUPING SETS); one delay per record, its first submission.
    ds.query(
      `SELECT facility_code, province, GROUPING(facility_code) AS gf, GROUPING(province) AS gp, count(*)::int AS n,
              percentile_disc(0.5) WITHIN GROUP (ORDER BY delay_ms) AS p50, percentile_disc(0.9) WITHIN GROUP (ORDER BY delay_ms) AS p90,
              percentile_disc(0.99) WITHIN GROUP (ORDER BY delay_ms) AS p99
       FROM (SELECT DISTINCT ON (facility_code, ma_lk) facility_code, left(facility_code, 2) AS province, round(extract(epoch FROM submitted_at - encounter_end) * 1000)::bigint AS delay_ms
             FROM claim_facts WHERE submitted_at IS NOT NULL AND encounter_end >= $1 AND encounter_end < $2 AND care_type IS NOT NULL AND insured IS NOT NULL
             ORDER BY facility_code, ma_lk, version) d
       GROUP BY GROUPING SETS ((facility_code), (province), ())`,
      [start, end],
    ),
    // Backlog: closed, neither at the gateway nor rejected at the as-of instant, by age.
    ds.query(
      `SELECT facility_code, CASE WHEN age < interval '6 hours' THEN 'lt6h' WHEN age < interval '12 hours' THEN 'h6to12' WHEN age < interval '24 hours' THEN 'h12to24' ELSE 'ge24h' END AS bucket, count(*)::int AS n
       FROM (SELECT facility_code, $1::timestamptz - encounter_end AS age FROM claim_facts
             WHERE closed_at IS NOT NULL AND closed_at <= $1 AND encounter_end IS NOT NULL
               AND (submitted_at IS NULL OR submitted_at > $1) AND (rejected_at IS NULL OR rejected_at > $1)) b
       GROUP BY 1, 2 ORDER BY 1, 2`,
      [asOf],
    ),
  ]);
  return {
    facilities,
    claimDays: claims.map((r: Record<string, unknown>) => ({
      facility: String(r['facility_code']),
      day: isoDay(r['day']),
      careType: r['care_type'] as CareType,
      insured: Boolean(r['insured']),
      encounters: num(r['encounters']),
      interconnected: num(r['interconnected']),
      closed: num(r['closed']),
      signed: num(r['signed']),
      submitted: num(r['submitted']),
      onTime: num(r['on_time']),
      accepted: num(r['accepted']),
      rejected: num(r['rejected']),
      missed: num(r['missed']),
      corrections: num(r['corrections']),
    })),
    registrationDays: regs.map((r: Record<string, unknown>) => ({
      facility: String(r['facility_code']),
      day: isoDay(r['day']),
      identifierType: r['identifier_type'] as IdentifierType,
      n: num(r['n']),
    })),
    rejectionDays: rejections.map((r: Record<string, unknown>) => ({
      facility: String(r['facility_code']),
      day: isoDay(r['day']),
      code: String(r['code']),
      n: num(r['n']),
    })),
    readDays: reads.map((r: Record<string, unknown>) => ({
      facility: String(r['facility_code']),
      day: isoDay(r['day']),
      n: num(r['n']),
    })),
    submissionDays: subs.map((r: Record<string, unknown>) => ({
      facility: String(r['facility_code']),
      day: isoDay(r['day']),
      submitted: num(r['submitted']),
      onTime: num(r['on_time']),
    })),
    delays: delays.map((r: Record<string, unknown>): DelayRow => ({
      scope:
        num(r['gf']) === 0
          ? { facility: String(r['facility_code']) }
          : num(r['gp']) === 0
            ? { province: String(r['province']) }
            : 'all',
      n: num(r['n']),
      p50Ms: num(r['p50']),
      p90Ms: num(r['p90']),
      p99Ms: num(r['p99']),
    })),
    backlog: backlog.map((r: Record<string, unknown>) => ({
      facility: String(r['facility_code']),
      bucket: r['bucket'] as BacklogBucket,
      n: num(r['n']),
    })),
    backlogAsOf: asOf.toISOString(),
  };
}

/**
 * closed → submitted: from encounter.closed's closedAt (the encounter service's clock, when the
 * close committed) to claim.submitted's occurredAt (gateway-sync's clock, when the gateway's
 * acceptance was recorded) — two platform clocks, not the gateway's receivedAt (its own clock,
 * which may lag ours). A residual skew between hosts is clamped at 0: never negative.
 */
export const CLOSED_TO_SUBMITTED_MS = `greatest(0, extract(epoch FROM coalesce(f.submission_recorded_at, f.submitted_at) - f.closed_at) * 1000)`;
const CLOSED_TO_SUBMITTED_PERCENTILES = `percentile_cont(0.5) WITHIN GROUP (ORDER BY ${CLOSED_TO_SUBMITTED_MS}) AS p50_closed_to_submitted_ms,
              percentile_cont(0.99) WITHIN GROUP (ORDER BY ${CLOSED_TO_SUBMITTED_MS}) AS p99_closed_to_submitted_ms`;

/** The summary endpoint's figures per facility of a scope: claims by the local day the encounter ended, registrations by day of registration. */
export async function loadSummary(
  ds: DataSource,
  scope: { facility: string | null; province: string | null },
  from: string,
  to: string,
) {
  const params: unknown[] = [scope.facility, from, to, scope.province];
  // Records counted once, in the state of their latest closed version (see libs/reporting figures.ts).
  const claims = await ds.query(
    `SELECT f.facility_code,
            count(*)::int AS closed,
            count(*) FILTER (WHERE f.signed_at IS NOT NULL)::int AS signed,
            count(*) FILTER (WHERE f.submitted_at IS NOT NULL)::int AS submitted,
            count(*) FILTER (WHERE f.submitted_at IS NOT NULL AND f.on_time)::int AS on_time,
            count(*) FILTER (WHERE f.accepted_at IS NOT NULL)::int AS accepted,
            count(*) FILTER (WHERE f.rejected_at IS NOT NULL AND f.accepted_at IS NULL)::int AS rejected,
            count(*) FILTER (WHERE f.missed_at IS NOT NULL AND f.submitted_at IS NULL)::int AS deadline_missed,
            sum(r.closed_versions - 1)::int AS corrections,
            ${CLOSED_TO_SUBMITTED_PERCENTILES}
     FROM claim_facts f
     JOIN (SELECT facility_code, ma_lk, max(version) FILTER (WHERE closed_at IS NOT NULL) AS latest, count(*) FILTER (WHERE closed_at IS NOT NULL) AS closed_versions
             FROM claim_facts GROUP BY 1, 2) r ON r.facility_code = f.facility_code AND r.ma_lk = f.ma_lk AND r.latest = f.version
     WHERE ($1::text IS NULL OR f.facility_code = $1) AND ($4::text IS NULL OR left(f.facility_code, 2) = $4)
       AND (f.encounter_end AT TIME ZONE 'Asia/Ho_Chi_Minh')::date BETWEEN $2::date AND $3::date
     GROUP BY f.facility_code ORDER BY f.facility_code`,
    params,
  );
  const registrations = await ds.query(
    `SELECT facility_code, identifier_type, care_type, insured, count(*)::int AS n
     FROM registrations
     WHERE ($1::text IS NULL OR facility_code = $1) AND ($4::text IS NULL OR left(facility_code, 2) = $4)
       AND (registered_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date BETWEEN $2::date AND $3::date
     GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4`,
    params,
  );
  return { period: { from, to }, claims, registrations };
}
