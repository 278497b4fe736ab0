import spec4750 from './xml130-fields.json';
import spec3176 from './xml3176-fields.json';

/**
 * The editions of the XML 130 output standard, each with the day it applies from. This is the
 * one place that dates them: the rules of an encounter are those of the edition in force on the
 * day the encounter ended (NGAY_RA). The next amendment (QĐ 3276/2025, 1931/2026, reported but
 * unconfirmed — xml3176.md §1) is a new field-table file (`npm run xml130:generate`) and one
 * more entry here, plus a `StandardRules` entry if it changes a rule that is code.
 */
export type StandardId = '4750' | '3176';

export interface StandardEdition {
  readonly id: StandardId;
  readonly decision: string;
  /** yyyyMMdd, first day of the encounter end this edition applies to. */
  readonly effectiveFrom: string;
  /** Field tables, same schema for every edition (see generate-row-types.ts). */
  readonly spec: unknown;
}

/**
 * Ordered by date. 4750: mandatory from 01/07/2024 (xml130.md §1); also used for anything
 * earlier, the platform never sends QĐ 130 pilot files. 3176: from 01/01/2025 — a secondary
 * source only (xml3176.md §1, §5; see unconfirmed.ts STANDARD_3176_EFFECTIVE_FROM_SECONDARY).
 */
export const STANDARDS: readonly StandardEdition[] = [
  { id: '4750', decision: 'QĐ 4750/QĐ-BYT (29/12/2023)', effectiveFrom: '20240701', spec: spec4750 },
  { id: '3176', decision: 'QĐ 3176/QĐ-BYT (29/10/2024)', effectiveFrom: '20250101', spec: spec3176 },
];

export const STANDARD_IDS: readonly StandardId[] = STANDARDS.map((s) => s.id);

/**
 * The edition in force on a day (yyyyMMdd or yyyyMMddHHmm; its first 8 digits count). A value
 * that is not a date gets the latest edition (its own field rules then report the bad date).
 */
export function standardFor(day: string): StandardId {
  const d = day.slice(0, 8);
  if (!/^\d{8}$/.test(d)) return latestStandard();
  let chosen = STANDARDS[0]!.id;
  for (const s of STANDARDS) if (d >= s.effectiveFrom) chosen = s.id;
  return chosen;
}

/** The edition in force now, for documents built without an encounter date. */
export function latestStandard(): StandardId {
  return STANDARDS[STANDARDS.length - 1]!.id;
}
