import type { CareType, EncounterRecord } from '@bhyt/xml130';
import {
  buildCheckinDocument,
  buildCheckinRow,
  checkinRequired,
  validateCheckin,
  type Violation,
} from '@bhyt/xml130';
import { materialize, type EncounterDraft } from './draft';

/**
 * When a check-in (XML0) is due (QĐ 130 Art. 3 as amended by 4750): right after the first
 * billable item of an encounter (sequence 1), and again after the first item at the treating
 * department once the patient is admitted to inpatient, day or outpatient treatment
 * (sequence 2). Not for emergencies (MA_DOITUONG_KCB 2) nor categories the code list exempts.
 */
export const BILLABLE_EVENT_TYPES = ['service.ordered', 'drug.ordered', 'supply.used'] as const;

/** Care types with a treating department after admission (XML0 sequence 2 applies). */
export const TREATMENT_CARE_TYPES: readonly CareType[] = [
  'INPATIENT',
  'DAY_TREATMENT',
  'OUTPATIENT_TREATMENT',
];

const EMERGENCY_CATEGORY = '2';

interface Line {
  orderedAt?: unknown;
}

const times = (draft: EncounterDraft): number[] =>
  [...draft.services, ...draft.drugs, ...draft.supplies]
    .map((l) => Date.parse(String((l as Line).orderedAt ?? '')))
    .filter((t) => Number.isFinite(t))
    .sort((a, b) => a - b);

export interface CheckinDue {
  sequence: 1 | 2;
  firstBillableAt: Date;
}

/**
 * The next check-in due for this draft, given how many were already sent; undefined when none
 * is (yet) due. Needs the admission (patient category) to be known: until then it waits.
 */
export function checkinDue(draft: EncounterDraft, sent: number): CheckinDue | undefined {
  const category = typeof draft.patientCategory === 'string' ? draft.patientCategory : undefined;
  if (!category || category === EMERGENCY_CATEGORY) return undefined;
  const admittedAt = Date.parse(String(draft.admittedAt ?? ''));
  if (!Number.isFinite(admittedAt)) return undefined;
  if (!checkinRequired({ patientCategory: category, admittedAt: new Date(admittedAt) } as EncounterRecord))
    return undefined;
  const billable = times(draft);
  if (billable.length === 0) return undefined;
  if (sent === 0) return { sequence: 1, firstBillableAt: new Date(billable[0]!) };
  if (sent === 1 && TREATMENT_CARE_TYPES.includes(draft.careType)) {
    const atDepartment = Date.parse(String(draft.inpatientAdmittedAt ?? ''));
    const first = Number.isFinite(atDepartment) ? billable.find((t) => t >= atDepartment) : undefined;
    if (first !== undefined) return { sequence: 2, firstBillableAt: new Date(first) };
  }
  return undefined;
}

export type CheckinDocument = { ok: true; xml: string } | { ok: false; violations: Violation[] };

/**
 * The XML0 document for a due check-in, validated by the XML library. The draft is still
 * open: the care-type code is looked up at the first billable time instead of the discharge.
 */
export function buildCheckin(draft: EncounterDraft, due: CheckinDue): CheckinDocument {
  try {
    const record = { ...materialize(draft), dischargedAt: due.firstBillableAt } as EncounterRecord;
    const violations = validateCheckin([buildCheckinRow(record, due.sequence)]);
    if (violations.length) return { ok: false, violations };
    return { ok: true, xml: buildCheckinDocument(record, due.sequence) };
  } catch (err) {
    // A draft with ward-system data the XML library cannot read: reported, never thrown.
    return {
      ok: false,
      violations: [
        {
          table: 'XML0',
          code: 'INVALID_VALUE',
          message: `check-in could not be built: ${err instanceof Error ? err.name : 'error'}`,
        } as Violation,
      ],
    };
  }
}
