/*
 * A realistic mix of synthetic claims for the benchmarks: mostly outpatient visits and refills
 * (the bulk of Vietnam's ~180 million insured visits a year), some inpatient stays of varying
 * length, and the rarer papers (referral, sick leave, TB, newborn). Built with the XML 130
 * library exactly as the encounter service builds them, so sizes and shapes are the real ones.
 */
import type { EncounterClosed } from '@bhyt/contracts';
import { buildClaimTables, serializeClaimTables } from '@bhyt/xml130';
import { listScenarios } from '@bhyt/xml130/testing';

/** Share of each scenario in the mix (weights, not percentages). */
export const CLAIM_MIX: Record<string, number> = {
  outpatientVisit: 55,
  scheduledRefill: 12,
  outpatientTreatment: 6,
  telemedicine: 3,
  followUpAppointment: 3,
  referral: 2,
  sickLeaveCertificate: 2,
  dayTreatment: 5,
  inpatient: 8,
  inpatientWithSurgery: 2,
  tbTreatment: 1,
  newborn: 1,
};

export const BENCH_FACILITIES = ['79001', '79002', '01001', '48001'];

/** Deterministic pseudo-random numbers (mulberry32): the same run id gives the same mix. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface SyntheticClaim {
  scenario: string;
  payload: Omit<EncounterClosed, 'closedAt'>;
  /** Bytes of the serialized tables (what the signer wraps and signs). */
  bytes: number;
}

/**
 * `count` encounter.closed payloads (without closedAt: the publisher stamps it when it sends).
 * MA_LK is `<prefix>_<i>`, unique per run so that several runs share the simulator cleanly.
 */
export function syntheticClaims(count: number, prefix: string, seed = 42): SyntheticClaim[] {
  const scenarios = new Map(listScenarios().map((s) => [s.name, s]));
  const weighted = Object.entries(CLAIM_MIX).filter(([name]) => scenarios.has(name));
  const total = weighted.reduce((s, [, w]) => s + w, 0);
  const rnd = seededRandom(seed);
  const now = Date.now();
  const out: SyntheticClaim[] = [];
  for (let i = 0; i < count; i++) {
    let pick = rnd() * total;
    const name = weighted.find(([, w]) => (pick -= w) < 0)?.[0] ?? weighted[0]![0];
    const scenario = scenarios.get(name)!;
    const facilityCode = BENCH_FACILITIES[i % BENCH_FACILITIES.length]!;
    // Inpatient claims vary in length: 0–40 extra drug lines (a long stay is a big claim).
    const extraDrugLines = scenario.careType === 'INPATIENT' ? Math.floor(rnd() * 40) : 0;
    const start = new Date(now - (2 + (i % 5)) * 3600_000 - (i % 60) * 60_000);
    const record = scenario.build({
      facilityCode,
      maLk: `${prefix}_${i}`,
      patientSeed: 10_000 + i,
      start,
      extraDrugLines,
    });
    const tables = serializeClaimTables(buildClaimTables(record));
    out.push({
      scenario: name,
      bytes: tables.reduce((s, t) => s + Buffer.byteLength(t.xml), 0),
      payload: {
        facilityCode,
        maLk: record.maLk,
        version: 1,
        careType: scenario.careType,
        insured: record.cards.length > 0,
        encounterStart: record.admittedAt.toISOString(),
        encounterEnd: record.dischargedAt.toISOString(),
        tables,
      },
    });
  }
  return out;
}
