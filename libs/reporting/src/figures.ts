import { CareType, IdentifierType } from '@bhyt/contracts';

/**
 * The figures of a report, folded from the per-facility-and-day projections. Everything here is
 * a pure function of its inputs: the service reads the rows, these functions add them up.
 *
 * Counting: a record is an encounter's MA_LK; a correction is a new version of the same record.
 * Claim figures count each record once, in the state of its latest closed version (so closed
 * equals encounters); `corrections` counts the versions after the first; rejections by code and
 * the daily-submission series count the gateway's answers to each version; the delay is that of
 * each record's first submission (what the submission window measures).
 *
 * Attribution: claim figures belong to the local day the encounter ended (the day its
 * submission clock started), registrations to the day of registration, health-book reads to
 * the day of the read, and the daily-submission series to the day the gateway received the claim.
 */
export const CARE_TYPES = CareType.options;
export const IDENTIFIER_TYPES = IdentifierType.options;

/** One row of the `facility_day_claims` projection (per facility, day, care type, BHYT status). */
export interface ClaimDayRow {
  facility: string;
  day: string;
  careType: CareType;
  insured: boolean;
  /** Encounters that closed (each MA_LK once, whatever its versions). */
  encounters: number;
  /** Encounters with a version the gateway accepted: "interconnected" in the 6-monthly report. */
  interconnected: number;
  /** Records closed (each MA_LK once; its latest version's state for the figures below). */
  closed: number;
  signed: number;
  submitted: number;
  onTime: number;
  accepted: number;
  rejected: number;
  missed: number;
  /** Versions after the first (corrections of these records). */
  corrections: number;
}

export interface RegistrationDayRow {
  facility: string;
  day: string;
  identifierType: IdentifierType;
  n: number;
}
export interface RejectionDayRow {
  facility: string;
  day: string;
  code: string;
  n: number;
}
export interface ReadDayRow {
  facility: string;
  day: string;
  n: number;
}
export interface SubmissionDayRow {
  facility: string;
  day: string;
  submitted: number;
  onTime: number;
}

/** Percentiles of encounter end → gateway receipt over the period, per scope. */
export interface DelayRow {
  scope: Scope;
  n: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
}

export const BACKLOG_BUCKETS = ['lt6h', 'h6to12', 'h12to24', 'ge24h'] as const;
export type BacklogBucket = (typeof BACKLOG_BUCKETS)[number];
/** Claims closed and not yet at the gateway, at the report's as-of time, by age since encounter end. */
export interface BacklogRow {
  facility: string;
  bucket: BacklogBucket;
  n: number;
}

export interface FacilityInfo {
  code: string;
  name: string;
  province: string;
  provinceName: string;
}

/** A scope of figures: one facility, one province's facilities, or all of them. */
export type Scope = { facility: string } | { province: string } | 'all';

export interface ReportInputs {
  facilities: FacilityInfo[];
  claimDays: ClaimDayRow[];
  registrationDays: RegistrationDayRow[];
  rejectionDays: RejectionDayRow[];
  readDays: ReadDayRow[];
  submissionDays: SubmissionDayRow[];
  delays: DelayRow[];
  backlog: BacklogRow[];
  /** The instant the backlog was measured at (period end, or generation time if earlier). */
  backlogAsOf: string;
}

export interface Figures {
  registrations: Record<IdentifierType, number>;
  registrationsTotal: number;
  /** Closed encounters by form of care × BHYT status (the 6-monthly matrix), and interconnected. */
  matrix: Record<
    CareType,
    {
      insured: { encounters: number; interconnected: number };
      uninsured: { encounters: number; interconnected: number };
    }
  >;
  encounters: number;
  interconnected: number;
  insuredEncounters: number;
  uninsuredEncounters: number;
  closed: number;
  signed: number;
  submitted: number;
  onTime: number;
  /** onTime / submitted, or null when nothing was submitted. */
  onTimeRate: number | null;
  accepted: number;
  rejected: number;
  missed: number;
  corrections: number;
  rejectionsByCode: Record<string, number>;
  delay: { n: number; p50Ms: number; p90Ms: number; p99Ms: number } | null;
  backlog: Record<BacklogBucket, number>;
  backlogTotal: number;
  healthBookReads: number;
}

export interface ScopedFigures {
  scope: Scope;
  label: string;
  figures: Figures;
}

const zeroRecord = <K extends string>(keys: readonly K[]): Record<K, number> =>
  Object.fromEntries(keys.map((k) => [k, 0])) as Record<K, number>;

export function emptyFigures(): Figures {
  return {
    registrations: zeroRecord(IDENTIFIER_TYPES),
    registrationsTotal: 0,
    matrix: Object.fromEntries(
      CARE_TYPES.map((c) => [
        c,
        { insured: { encounters: 0, interconnected: 0 }, uninsured: { encounters: 0, interconnected: 0 } },
      ]),
    ) as Figures['matrix'],
    encounters: 0,
    interconnected: 0,
    insuredEncounters: 0,
    uninsuredEncounters: 0,
    closed: 0,
    signed: 0,
    submitted: 0,
    onTime: 0,
    onTimeRate: null,
    accepted: 0,
    rejected: 0,
    missed: 0,
    corrections: 0,
    rejectionsByCode: {},
    delay: null,
    backlog: zeroRecord(BACKLOG_BUCKETS),
    backlogTotal: 0,
    healthBookReads: 0,
  };
}

const sameScope = (a: Scope, b: Scope): boolean => JSON.stringify(a) === JSON.stringify(b);

/** Figures of one scope: the sum of the rows of the facilities in it. */
export function figuresFor(
  inputs: ReportInputs,
  scope: Scope,
  inScope: (facility: string) => boolean,
): Figures {
  const f = emptyFigures();
  for (const r of inputs.registrationDays.filter((x) => inScope(x.facility))) {
    f.registrations[r.identifierType] += r.n;
    f.registrationsTotal += r.n;
  }
  for (const r of inputs.claimDays.filter((x) => inScope(x.facility))) {
    const cell = f.matrix[r.careType][r.insured ? 'insured' : 'uninsured'];
    cell.encounters += r.encounters;
    cell.interconnected += r.interconnected;
    f.encounters += r.encounters;
    f.interconnected += r.interconnected;
    if (r.insured) f.insuredEncounters += r.encounters;
    else f.uninsuredEncounters += r.encounters;
    f.closed += r.closed;
    f.signed += r.signed;
    f.submitted += r.submitted;
    f.onTime += r.onTime;
    f.accepted += r.accepted;
    f.rejected += r.rejected;
    f.missed += r.missed;
    f.corrections += r.corrections;
  }
  f.onTimeRate = f.submitted ? f.onTime / f.submitted : null;
  for (const r of inputs.rejectionDays.filter((x) => inScope(x.facility)))
    f.rejectionsByCode[r.code] = (f.rejectionsByCode[r.code] ?? 0) + r.n;
  f.rejectionsByCode = Object.fromEntries(
    Object.entries(f.rejectionsByCode).sort(([a], [b]) => a.localeCompare(b)),
  );
  for (const r of inputs.readDays.filter((x) => inScope(x.facility))) f.healthBookReads += r.n;
  for (const r of inputs.backlog.filter((x) => inScope(x.facility))) {
    f.backlog[r.bucket] += r.n;
    f.backlogTotal += r.n;
  }
  const d = inputs.delays.find((x) => sameScope(x.scope, scope));
  if (d && d.n > 0) f.delay = { n: d.n, p50Ms: d.p50Ms, p90Ms: d.p90Ms, p99Ms: d.p99Ms };
  return f;
}

/**
 * Every facility of the registry, then each province's total, then the grand total. Facilities
 * with no activity still appear (a zero is a finding); facilities that sent events but are not
 * in the registry appear with their code as name.
 */
export function scopedFigures(inputs: ReportInputs): ScopedFigures[] {
  const seen = new Set<string>([
    ...inputs.claimDays.map((r) => r.facility),
    ...inputs.registrationDays.map((r) => r.facility),
    ...inputs.readDays.map((r) => r.facility),
    ...inputs.backlog.map((r) => r.facility),
  ]);
  const known = new Map(inputs.facilities.map((f) => [f.code, f]));
  for (const code of seen)
    if (!known.has(code))
      known.set(code, { code, name: code, province: code.slice(0, 2), provinceName: code.slice(0, 2) });
  const facilities = [...known.values()].sort(
    (a, b) => a.province.localeCompare(b.province) || a.code.localeCompare(b.code),
  );
  const out: ScopedFigures[] = facilities.map((fac) => ({
    scope: { facility: fac.code },
    label: `${fac.code} — ${fac.name}`,
    figures: figuresFor(inputs, { facility: fac.code }, (c) => c === fac.code),
  }));
  const provinces = [...new Map(facilities.map((f) => [f.province, f.provinceName])).entries()];
  for (const [province, name] of provinces) {
    const codes = new Set(facilities.filter((f) => f.province === province).map((f) => f.code));
    out.push({
      scope: { province },
      label: `Tổng ${name}`,
      figures: figuresFor(inputs, { province }, (c) => codes.has(c)),
    });
  }
  out.push({ scope: 'all', label: 'Tổng cộng', figures: figuresFor(inputs, 'all', () => true) });
  return out;
}

/**
 * Nearest-rank percentile (the value at rank ⌈p·n⌉ of the sorted values): what PostgreSQL's
 * percentile_disc computes, so the projection queries and an independent recount agree exactly.
 */
export function nearestRank(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil(p * sorted.length));
  return sorted[rank - 1]!;
}

/** Backlog bucket of a claim's age (encounter end → as-of time). */
export function backlogBucket(ageMs: number): BacklogBucket {
  const h = ageMs / 3600_000;
  return h < 6 ? 'lt6h' : h < 12 ? 'h6to12' : h < 24 ? 'h12to24' : 'ge24h';
}
