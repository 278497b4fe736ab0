import { buildCheckinDocument, buildClaimTables, buildEnvelope, serializeClaimTables } from '@bhyt/xml130';
import { listScenarios } from '@bhyt/xml130/testing';

/** Every libs/xml130 scenario as its GIAMDINHHS envelope and its check-in document. */
export function xml130Documents(facilityCode = '79001'): Array<[name: string, xml: string]> {
  const out: Array<[string, string]> = [];
  for (const s of listScenarios()) {
    const record = s.build({ facilityCode });
    const files = serializeClaimTables(buildClaimTables(record));
    out.push([`${s.name} envelope`, buildEnvelope({ facilityCode, ngayLap: '20261102', files })]);
    out.push([`${s.name} check-in`, buildCheckinDocument(record)]);
  }
  return out;
}
