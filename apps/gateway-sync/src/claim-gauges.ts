import { DataSource } from 'typeorm';
import { publishOpenClaims } from '@bhyt/observability';
import { DeadlinePolicy } from '@bhyt/submission-policy';

/**
 * The 24-hour SLA gauges: claims not yet at the gateway by facility and age bucket, and how
 * many of them are at risk or past their deadline right now. One grouped query on the
 * submissions_open index, run with every deadline check.
 */
export async function sampleOpenClaims(ds: DataSource, policy: DeadlinePolicy, facilities: string[]): Promise<void> {
  const rows: Array<{ facility_code: string; hours: number; at_risk: boolean; missed: boolean; needs_operator: boolean }> = await ds.query(
    `SELECT facility_code,
            EXTRACT(EPOCH FROM now() - encounter_end)::float8 / 3600 AS hours,
            now() >= encounter_end + (deadline - encounter_end) * $1::float8 AS at_risk,
            deadline < now() AS missed,
            status = 'NEEDS_OPERATOR' AS needs_operator
       FROM submissions
      WHERE kind = 'claim' AND status IN ('DUE', 'RECONCILE', 'IN_FLIGHT', 'IN_FLIGHT_RECONCILE', 'NEEDS_OPERATOR')`,
    [policy.atRiskFraction],
  );
  publishOpenClaims(
    rows.map((r) => ({ facilityCode: r.facility_code, hoursSinceEncounterEnd: Number(r.hours), atRisk: r.at_risk, missed: r.missed, needsOperator: r.needs_operator })),
    facilities,
  );
}
