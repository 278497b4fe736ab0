import { DataSource } from 'typeorm';
import { CareType, IdentifierType } from '@bhyt/contracts';
import { FacilityRegistry } from '@bhyt/facilities';
import { findProvince } from '@bhyt/identifiers';
import { BacklogBucket, DelayRow, endOfLocalDay, FacilityInfo, Period, ReportInputs, startOfLocalDay } from '@bhyt/reporting';

/**
 * Reads a period's rows from the projections; the figures are added up by the pure builders of
 * @bhyt/reporting. Claim rows are selected by the local day the encounter ended, the chart's
 * rows by the day of gateway receipt.
 */
const num = (v: unknown): number => Number(v ?? 0);
const isoDay = (v: unknown): string => (v instanceof Date ? v.toISOString().slice(0, 10) : String(v).slice(0, 10));

export function facilityInfos(registry: FacilityRegistry): FacilityInfo[] {
  return registry.list().map((f) => ({ code: f.code, name: f.name, province: f.province, provinceName: findProvince(f.province)?.name ?? f.province }));
}

export async function loadReportInputs(ds: DataSource, period: Pick<Period, 'from' | 'to'>, facilities: FacilityInfo[], now: Date): Promise<ReportInputs> {
  const range = [period.from, period.to];
  const start = startOfLocalDay(period.from);
  const end = endOfLocalDay(period.to);
  const asOf = new Date(Math.min(end.getTime(), now.getTime()));
  // `day` comes back as text: a date column would be turned into a JS Date at UTC midnight.
  const [claims, regs, rejections, reads, subs, delays, backlog] = await Promise.all([
    ds.query(`SELECT facility_code, day::text AS day, care_type, insured, encounters, interconnected, closed, signed, submitted, on_time, accepted, rejected, missed
              FROM facility_day_claims WHERE day BETWEEN $1 AND $2 ORDER BY 1, 2, 3, 4`, range),
    ds.query(`SELECT facility_code, day::text AS day, identifier_type, sum(n)::int AS n FROM facility_day_registrations WHERE day BETWEEN $1 AND $2 GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`, range),
    ds.query(`SELECT facility_code, day::text AS day, code, n FROM facility_day_rejections WHERE day BETWEEN $1 AND $2 ORDER BY 1, 2, 3`, range),
    ds.query(`SELECT facility_code, day::text AS day, n FROM facility_day_reads WHERE day BETWEEN $1 AND $2 ORDER BY 1, 2`, range),
    ds.query(`SELECT facility_code, day::text AS day, submitted, on_time FROM facility_day_submissions WHERE day BETWEEN $1 AND $2 ORDER BY 1, 2`, range),
    // Percentiles do not add up across days: computed over the period, per facility, per
    // province and in total, in one pass (GROUPING SETS).
    ds.query(
      `SELECT facility_code, province, GROUPING(facility_code) AS gf, GROUPING(province) AS gp, count(*)::int AS n,
              percentile_disc(0.5) WITHIN GROUP (ORDER BY delay_ms) AS p50, percentile_disc(0.9) WITHIN GROUP (ORDER BY delay_ms) AS p90,
              percentile_disc(0.99) WITHIN GROUP (ORDER BY delay_ms) AS p99
       FROM (SELECT facility_code, left(facility_code, 2) AS province, round(extract(epoch FROM submitted_at - encounter_end) * 1000)::bigint AS delay_ms
             FROM claim_facts WHERE submitted_at IS NOT NULL AND encounter_end >= $1 AND encounter_end < $2 AND care_type IS NOT NULL AND insured IS NOT NULL) d
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
    })),
    registrationDays: regs.map((r: Record<string, unknown>) => ({ facility: String(r['facility_code']), day: isoDay(r['day']), identifierType: r['identifier_type'] as IdentifierType, n: num(r['n']) })),
    rejectionDays: rejections.map((r: Record<string, unknown>) => ({ facility: String(r['facility_code']), day: isoDay(r['day']), code: String(r['code']), n: num(r['n']) })),
    readDays: reads.map((r: Record<string, unknown>) => ({ facility: String(r['facility_code']), day: isoDay(r['day']), n: num(r['n']) })),
    submissionDays: subs.map((r: Record<string, unknown>) => ({ facility: String(r['facility_code']), day: isoDay(r['day']), submitted: num(r['submitted']), onTime: num(r['on_time']) })),
    delays: delays.map(
      (r: Record<string, unknown>): DelayRow => ({
        scope: num(r['gf']) === 0 ? { facility: String(r['facility_code']) } : num(r['gp']) === 0 ? { province: String(r['province']) } : 'all',
        n: num(r['n']),
        p50Ms: num(r['p50']),
        p90Ms: num(r['p90']),
        p99Ms: num(r['p99']),
      }),
    ),
    backlog: backlog.map((r: Record<string, unknown>) => ({ facility: String(r['facility_code']), bucket: r['bucket'] as BacklogBucket, n: num(r['n']) })),
    backlogAsOf: asOf.toISOString(),
  };
}
