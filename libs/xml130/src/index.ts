export type {
  BirthCertificate,
  CareType,
  CheckinRow,
  ClaimTables,
  ClinicalNote,
  Diagnoses,
  DischargePaper,
  DrugLine,
  EncounterRecord,
  FollowUp,
  InsuranceCard,
  OtherSources,
  ParaclinicalResult,
  Patient,
  RecordSummary,
  Referral,
  ServiceLine,
  Sex,
  SickLeave,
  SupplyLine,
  TbTreatment,
  Violation,
  ViolationCode,
} from './model';
export type * from './spec/row-types.generated';
export { CLAIM_TABLE_IDS, type ClaimTableId, type TableId, type FieldSpec, tableSpec } from './spec/metadata';
export {
  STANDARDS,
  STANDARD_IDS,
  standardFor,
  latestStandard,
  type StandardId,
  type StandardEdition,
} from './spec/standards';
export { rulesOf, type StandardRules } from './spec/standard-rules';
export {
  buildClaimTables,
  buildCheckinRow,
  checkinRequired,
  maLoaiKcb,
  standardOfRecord,
  type BuildOptions,
} from './build';
export {
  serializeClaimTables,
  serializeTable,
  buildEnvelope,
  buildCheckinDocument,
  serializeCheckinRows,
  escapeText,
  standardOfTables,
} from './xml';
export { parseEnvelope, parseClaimTables, parseTable, parseCheckinDocument, Xml130ParseError } from './parse';
export { validateClaim, validateCheckin, assessClaim, type ValidateOptions } from './validate/validate';
export { computeLineAmounts, type LineAmounts, type LineMoneyInput } from './money';
export { formatDateTime, formatDate } from './format';
export {
  CARE_TYPE_CODES,
  PATIENT_CATEGORIES,
  COST_GROUPS,
  DEPARTMENTS,
  ICD10,
  CodeList,
  careTypeCode,
  careTypesForCode,
  type CodeEntry,
  type CareTypeCodeEntry,
  type CostGroupEntry,
  type PatientCategoryEntry,
} from './codelists/codelists';
