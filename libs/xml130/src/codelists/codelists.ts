import type { CareType } from '@bhyt/contracts';
import careTypesJson from './care-types.json';
import patientCategoriesJson from './patient-categories.json';
import costGroupsJson from './cost-groups.json';
import departmentsJson from './departments.json';
import icd10Json from './icd10.json';
import type { TableId } from '../spec/metadata';

/** Code lists are data with validity dates (ISO yyyy-MM-dd, validTo inclusive or null). */
export interface CodeEntry {
  readonly code: string;
  readonly label: string;
  readonly validFrom: string;
  readonly validTo: string | null;
}
export interface CareTypeCodeEntry extends CodeEntry {
  readonly treatmentDays: 'zero' | 'inclusive' | null;
  readonly requiredTables: readonly TableId[];
  readonly dischargePaper: boolean;
  readonly bedDaysAllowed: boolean;
  readonly maxExamFees: number | null;
  readonly maxCalendarDays: number | null;
}
export interface PatientCategoryEntry extends CodeEntry {
  readonly insured: boolean;
  readonly emergency: boolean;
  readonly checkinRequired: boolean;
}
export type CostKind =
  | 'paraclinical'
  | 'drug'
  | 'blood'
  | 'surgery'
  | 'procedure'
  | 'service'
  | 'supply'
  | 'transport'
  | 'exam'
  | 'bed'
  | 'other';
export interface CostGroupEntry extends CodeEntry {
  readonly kind: CostKind;
  readonly table: 'XML2' | 'XML3';
  readonly needsPerformer: boolean;
  readonly needsMachine: boolean;
  readonly tenderRequired: boolean;
  readonly fuelCodeRequired: boolean;
}
export interface CareTypeMapping {
  readonly careType: CareType;
  readonly code: string;
  readonly validFrom: string;
  readonly validTo: string | null;
}

export class CodeList<E extends CodeEntry> {
  private readonly byCode = new Map<string, E[]>();
  constructor(
    readonly name: string,
    readonly entries: readonly E[],
  ) {
    for (const e of entries) {
      const list = this.byCode.get(e.code) ?? [];
      list.push(e);
      this.byCode.set(e.code, list);
    }
  }
  /** Entry valid on `on` (yyyyMMdd, yyyyMMddHHmm or yyyy-MM-dd); any entry when `on` is omitted. */
  lookup(code: string, on?: string): E | undefined {
    const list = this.byCode.get(code);
    if (!list) return undefined;
    if (on === undefined) return list[0];
    const day = isoDay(on);
    return list.find((e) => validOn(e, day));
  }
}

function isoDay(on: string): string {
  const d = on.replace(/-/g, '');
  return `${d.slice(0, 4)}-${d.slice(4, 6)}-${d.slice(6, 8)}`;
}
function validOn(e: { validFrom: string; validTo: string | null }, isoDate: string): boolean {
  return e.validFrom <= isoDate && (e.validTo === null || isoDate <= e.validTo);
}

export const CARE_TYPE_CODES = new CodeList<CareTypeCodeEntry>(
  'MA_LOAI_KCB',
  careTypesJson.entries as unknown as CareTypeCodeEntry[],
);
export const PATIENT_CATEGORIES = new CodeList<PatientCategoryEntry>(
  'MA_DOITUONG_KCB',
  patientCategoriesJson.entries as PatientCategoryEntry[],
);
export const COST_GROUPS = new CodeList<CostGroupEntry>(
  'MA_NHOM',
  costGroupsJson.entries as CostGroupEntry[],
);
export const DEPARTMENTS = new CodeList<CodeEntry>('MA_KHOA', departmentsJson.entries);
export const ICD10 = new CodeList<CodeEntry>('ICD10', icd10Json.entries);

const CARE_TYPE_MAPPING = careTypesJson.careTypeMapping as CareTypeMapping[];

/** MA_LOAI_KCB for a care type on a date (yyyyMMdd[HHmm] or ISO date). */
export function careTypeCode(careType: CareType, on: string): string {
  const day = isoDay(on);
  const m = CARE_TYPE_MAPPING.find((x) => x.careType === careType && validOn(x, day));
  if (!m) throw new Error(`no MA_LOAI_KCB for care type ${careType} on ${day}`);
  return m.code;
}

/** Care types that map to a MA_LOAI_KCB code on a date (several for 01 before QĐ 1804). */
export function careTypesForCode(code: string, on: string): CareType[] {
  const day = isoDay(on);
  return CARE_TYPE_MAPPING.filter((x) => x.code === code && validOn(x, day)).map((x) => x.careType);
}

/** Cost groups of a kind valid on a date, e.g. the supply groups used for T_VTYT. */
export function costGroupsOfKind(kinds: readonly string[]): Set<string> {
  return new Set(COST_GROUPS.entries.filter((e) => kinds.includes(e.kind)).map((e) => e.code));
}
