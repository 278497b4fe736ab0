import Decimal from 'decimal.js';
import { CARE_TYPE_CODES, careTypeCode, costGroupsOfKind, PATIENT_CATEGORIES } from './codelists/codelists';
import { Dec, dayDiff, dec3, formatDate, formatDateTime, joinList, money } from './format';
import type {
  CheckinRow,
  ClaimTables,
  DrugLine,
  EncounterRecord,
  OtherSources,
  ServiceLine,
  SupplyLine,
} from './model';
import { computeLineAmountsDec, formatLineAmounts, type LineAmounts, type LineMoneyInput } from './money';
import { type ClaimTableId, type StandardId, type TableId, tableSpec } from './spec/metadata';
import { repeatedFromXml1 } from './spec/repeated-fields';
import type { RowTypes } from './spec/row-types.generated';
import { rulesOf, type StandardRules } from './spec/standard-rules';
import { latestStandard, standardFor } from './spec/standards';
import { SERVICE_DAY_FROM, SIGNATURE_IN_DU_PHONG, SUPPLY_KINDS_FOR_T_VTYT } from './unconfirmed';

const SUPPLY_GROUPS = costGroupsOfKind(SUPPLY_KINDS_FOR_T_VTYT);
const emptyTemplates = new Map<StandardId, Map<TableId, Readonly<Record<string, string>>>>();

/** A row of the table with every field of the edition present and empty. */
export function emptyRow<T extends TableId>(id: T, standard: StandardId = latestStandard()): RowTypes[T] {
  let byTable = emptyTemplates.get(standard);
  if (!byTable) emptyTemplates.set(standard, (byTable = new Map()));
  let tpl = byTable.get(id);
  if (!tpl) {
    tpl = Object.fromEntries(tableSpec(id, standard).fieldNames.map((n) => [n, '']));
    byTable.set(id, tpl);
  }
  return { ...tpl } as RowTypes[T];
}

/** The edition whose rules apply to a record: the one in force on the day the encounter ended. */
export function standardOfRecord(r: EncounterRecord): StandardId {
  return standardFor(formatDate(r.dischargedAt));
}

/** Build context: the edition and its rules. */
interface Std {
  readonly id: StandardId;
  readonly rules: StandardRules;
}

/** Accumulates XML1 totals from the exact line amounts while the lines are built. */
class Totals {
  thuoc: Decimal = new Dec(0);
  vtyt: Decimal = new Dec(0);
  bv: Decimal = new Dec(0);
  bh: Decimal = new Dec(0);
  bntt: Decimal = new Dec(0);
  bncct: Decimal = new Dec(0);
  bhtt: Decimal = new Dec(0);
  nk: Decimal = new Dec(0);
  gdv: Decimal = new Dec(0);
  constructor(private readonly rules: StandardRules) {}
  line(input: LineMoneyInput, costGroup: string, paymentMethod: string): LineAmounts {
    const a = computeLineAmountsDec(input, this.rules.drugSplitFromHospitalAmount);
    if (input.table === 'XML2') this.thuoc = this.thuoc.add(a.THANH_TIEN_BV);
    else if (SUPPLY_GROUPS.has(costGroup)) this.vtyt = this.vtyt.add(a.THANH_TIEN_BV);
    this.bv = this.bv.add(a.THANH_TIEN_BV);
    this.bh = this.bh.add(a.THANH_TIEN_BH);
    this.bntt = this.bntt.add(a.T_BNTT);
    this.bncct = this.bncct.add(a.T_BNCCT);
    this.bhtt = this.bhtt.add(a.T_BHTT);
    this.nk = this.nk.add(a.T_NGUONKHAC);
    if (paymentMethod === '1') this.gdv = this.gdv.add(a.T_BHTT);
    return formatLineAmounts(a);
  }
}

const dt = (d: Date | undefined): string => (d ? formatDateTime(d) : '');
const str = (v: string | number | undefined): string => (v === undefined ? '' : String(v));
const other = (o: OtherSources | undefined) => o ?? {};

/** PHAM_VI 2 under 3176 = paid by the patient: the fund's ratio is 0 unless the line says otherwise. */
function defaultPaymentRatio(std: Std, scope: number | undefined): number {
  return std.rules.scope2PaidByPatient && scope === 2 ? 0 : 100;
}

function drugRow(r: EncounterRecord, l: DrugLine, stt: number, tot: Totals, std: Std): RowTypes['XML2'] {
  const row = emptyRow('XML2', std.id);
  const paymentRatio = l.paymentRatio ?? defaultPaymentRatio(std, l.scope);
  const benefit = l.benefitLevel ?? r.benefitLevel;
  const pttt = String(l.paymentMethod ?? r.paymentMethod);
  Object.assign(row, {
    MA_LK: r.maLk,
    STT: String(stt),
    MA_THUOC: l.code,
    MA_PP_CHEBIEN: str(l.preparationMethod),
    MA_CSKCB_THUOC: str(l.originCode),
    MA_NHOM: l.costGroup,
    TEN_THUOC: l.name,
    DON_VI_TINH: l.unit,
    HAM_LUONG: l.strength,
    DUONG_DUNG: l.route,
    DANG_BAO_CHE: str(l.dosageForm),
    LIEU_DUNG: l.dosage,
    CACH_DUNG: str(l.usage),
    SO_DANG_KY: str(l.registrationNumber),
    TT_THAU: str(l.tender),
    PHAM_VI: String(l.scope ?? 1),
    TYLE_TT_BH: String(paymentRatio),
    SO_LUONG: dec3(l.quantity),
    DON_GIA: dec3(l.unitPrice),
    ...tot.line(
      {
        table: 'XML2',
        quantity: l.quantity,
        unitPrice: l.unitPrice,
        paymentRatio,
        benefitLevel: benefit,
        otherSources: other(l.otherSources),
      },
      l.costGroup,
      pttt,
    ),
    MUC_HUONG: String(benefit),
    MA_KHOA: l.department,
    MA_BAC_SI: l.doctor,
    MA_DICH_VU: str(l.serviceCode),
    NGAY_YL: dt(l.orderedAt),
    NGAY_TH_YL: dt(l.executedAt),
    MA_PTTT: pttt,
    NGUON_CTRA: String(l.fundingSource ?? 1),
  });
  return row;
}

function serviceRow(
  r: EncounterRecord,
  l: ServiceLine,
  stt: number,
  tot: Totals,
  std: Std,
): RowTypes['XML3'] {
  const row = emptyRow('XML3', std.id);
  const pttt = String(l.paymentMethod ?? r.paymentMethod);
  const paymentRatio = l.paymentRatio ?? defaultPaymentRatio(std, l.scope);
  const specialPrice =
    std.rules.specialPriceFormula && l.waivesPriceDifference === true && (l.serviceRatio ?? 100) !== 100;
  const serviceRatio = l.serviceRatio ?? 100;
  const benefit = l.benefitLevel ?? r.benefitLevel;
  const insurancePrice = l.insurancePrice ?? l.hospitalPrice;
  Object.assign(row, {
    MA_LK: r.maLk,
    STT: String(stt),
    MA_DICH_VU: l.code,
    MA_PTTT_QT: str(l.procedureCode),
    MA_NHOM: l.costGroup,
    TEN_DICH_VU: l.name,
    MA_XANG_DAU: str(l.fuelCode),
    DON_VI_TINH: l.unit,
    PHAM_VI: String(l.scope ?? 1),
    SO_LUONG: dec3(l.quantity),
    DON_GIA_BV: dec3(l.hospitalPrice),
    DON_GIA_BH: dec3(insurancePrice),
    TYLE_TT_DV: String(serviceRatio),
    TYLE_TT_BH: String(paymentRatio),
    ...tot.line(
      {
        table: 'XML3',
        quantity: l.quantity,
        unitPrice: l.hospitalPrice,
        insurancePrice,
        serviceRatio,
        paymentRatio,
        benefitLevel: benefit,
        otherSources: other(l.otherSources),
        specialPrice,
      },
      l.costGroup,
      pttt,
    ),
    T_TRANTT: l.ceiling === undefined ? '' : money(new Dec(l.ceiling)),
    MUC_HUONG: String(benefit),
    MA_KHOA: l.department,
    MA_GIUONG: joinList(l.beds),
    MA_BAC_SI: l.doctor,
    NGUOI_THUC_HIEN: joinList(l.performers),
    MA_BENH: l.diseaseCodes ?? diseaseCodes(r),
    NGAY_YL: dt(l.orderedAt),
    NGAY_TH_YL: dt(l.executedAt),
    NGAY_KQ: dt(l.resultAt),
    MA_PTTT: pttt,
    PP_VO_CAM: str(l.anaesthesia),
    VI_TRI_TH_DVKT: str(l.position),
    MA_MAY: joinList(l.machines?.map((m) => machineCode(m, r.facilityCode, std.rules))),
  });
  return row;
}

function supplyRow(r: EncounterRecord, l: SupplyLine, stt: number, tot: Totals, std: Std): RowTypes['XML3'] {
  const row = emptyRow('XML3', std.id);
  const pttt = String(l.paymentMethod ?? r.paymentMethod);
  const paymentRatio = l.paymentRatio ?? defaultPaymentRatio(std, l.scope);
  const benefit = l.benefitLevel ?? r.benefitLevel;
  const insurancePrice = l.insurancePrice ?? l.hospitalPrice;
  Object.assign(row, {
    MA_LK: r.maLk,
    STT: String(stt),
    MA_VAT_TU: l.code,
    MA_NHOM: l.costGroup,
    GOI_VTYT: str(l.packageCode),
    TEN_VAT_TU: l.name,
    DON_VI_TINH: l.unit,
    PHAM_VI: String(l.scope ?? 1),
    SO_LUONG: dec3(l.quantity),
    DON_GIA_BV: dec3(l.hospitalPrice),
    DON_GIA_BH: dec3(insurancePrice),
    TT_THAU: str(l.tender),
    TYLE_TT_DV: '100',
    TYLE_TT_BH: String(paymentRatio),
    ...tot.line(
      {
        table: 'XML3',
        quantity: l.quantity,
        unitPrice: l.hospitalPrice,
        insurancePrice,
        serviceRatio: 100,
        paymentRatio,
        benefitLevel: benefit,
        otherSources: other(l.otherSources),
      },
      l.costGroup,
      pttt,
    ),
    MUC_HUONG: String(benefit),
    MA_KHOA: l.department,
    MA_BAC_SI: l.doctor,
    MA_BENH: diseaseCodes(r),
    NGAY_YL: dt(l.orderedAt),
    NGAY_TH_YL: dt(l.executedAt),
    MA_PTTT: pttt,
    MA_HIEU_SP: str(l.productCode),
    TAI_SU_DUNG: l.reused ? '1' : '',
  });
  return row;
}

const MACHINE = /^([A-ZĐ]{2,3})\.([123](?:\[[^\]]+\])?)\.(?:(\d{5})\.)?([^;]+)$/;

/**
 * MA_MAY in the layout of the edition from a machine code in either layout: 4750 `XX.n.YYYYY.Z`
 * (facility code inserted when missing), 3176 `XX.n.Z` (facility code dropped; multi-function
 * analysers `DC` → `DN`; a funding source in brackets stays after the digit, unconfirmed.ts
 * MACHINE_FUNDING_BRACKET_AFTER_DIGIT). Anything else is written as given and left to the validator.
 */
export function machineCode(code: string, facilityCode: string, rules: StandardRules): string {
  const key = `${rules.machineCodeHasFacility ? facilityCode : '-'}|${code}`;
  let out = machineCache.get(key);
  if (out === undefined) {
    out = rewriteMachineCode(code, facilityCode, rules);
    if (machineCache.size < 10_000) machineCache.set(key, out);
  }
  return out;
}

const machineCache = new Map<string, string>();

function rewriteMachineCode(code: string, facilityCode: string, rules: StandardRules): string {
  const m = MACHINE.exec(code);
  if (!m) return code;
  const [, group, funding, facility, serial] = m as unknown as [
    string,
    string,
    string,
    string | undefined,
    string,
  ];
  if (rules.machineCodeHasFacility)
    return `${group === 'DN' ? 'DC' : group}.${funding.replace(/\[.*\]$/, '')}.${facility ?? facilityCode}.${serial}`;
  return `${group === 'DC' ? 'DN' : group}.${funding}.${serial}`;
}

function diseaseCodes(r: EncounterRecord): string {
  return [r.diagnoses.main, ...(r.diagnoses.secondary ?? [])].join(';');
}

/** MA_LOAI_KCB of the record, looked up in the care-type code list at the discharge date. */
export function maLoaiKcb(r: EncounterRecord): string {
  return careTypeCode(r.careType, formatDate(r.dischargedAt));
}

/** SO_NGAY_DTRI under the rules of the edition (standard-rules.ts). */
function treatmentDays(r: EncounterRecord, code: string, ngayVao: string, ngayRa: string, std: Std): number {
  const rule =
    std.rules.treatmentDays[code] ??
    std.rules.treatmentDaysDefault ??
    (CARE_TYPE_CODES.lookup(code, ngayRa)?.treatmentDays === 'zero' ? 'zero' : 'span');
  if (rule === 'zero') return 0;
  if (rule === 'serviceDays')
    return serviceDays(
      r.services.map((l) =>
        SERVICE_DAY_FROM === 'NGAY_TH_YL' ? (l.executedAt ?? l.orderedAt) : l.orderedAt,
      ),
    );
  if (rule === 'longestDrugPeriod') {
    const longest = Math.max(0, ...r.drugs.map((d) => d.supplyDays ?? 0));
    return longest > 0 ? longest : dayDiff(ngayVao, ngayRa) + 1;
  }
  return dayDiff(ngayVao, ngayRa) + 1;
}

function serviceDays(dates: Date[]): number {
  return new Set(dates.map((d) => formatDate(d))).size;
}

function summaryRow(r: EncounterRecord, tot: Totals, std: Std, ngayRa: string): RowTypes['XML1'] {
  const p = r.patient;
  const code = careTypeCode(r.careType, ngayRa);
  const ngayVao = formatDateTime(r.admittedAt);
  const days = treatmentDays(r, code, ngayVao, ngayRa, std);
  const settle = r.paidAt ?? r.dischargedAt;
  const settleStr = formatDateTime(settle);
  const card0 = r.cards[0];
  const row = emptyRow('XML1', std.id);
  Object.assign(row, {
    MA_LK: r.maLk,
    STT: '1',
    MA_BN: p.patientId,
    HO_TEN: p.fullName,
    SO_CCCD: identityNumber(p),
    NGAY_SINH: p.birthDateTime,
    GIOI_TINH: String(p.sex),
    NHOM_MAU: str(p.bloodGroup),
    MA_QUOCTICH: p.nationalityCode,
    MA_DANTOC: p.ethnicityCode,
    MA_NGHE_NGHIEP: std.rules.occupationLevel2 ? occupationLevel2(p.occupationCode) : p.occupationCode,
    DIA_CHI: p.address,
    MATINH_CU_TRU: p.provinceCode,
    MAHUYEN_CU_TRU: p.districtCode,
    MAXA_CU_TRU: p.communeCode,
    DIEN_THOAI: str(p.phone),
    MA_THE_BHYT: joinList(r.cards.map((c) => c.cardNumber)),
    MA_DKBD: joinList(r.cards.map((c) => c.registrationFacility)),
    GT_THE_TU: joinList(r.cards.map((c) => c.validFrom)),
    GT_THE_DEN: joinList(r.cards.map((c) => c.validTo)),
    NGAY_MIEN_CCT: str(card0?.copaymentExemptSince),
    LY_DO_VV: r.reasonForVisit,
    LY_DO_VNT: str(r.inpatientReason),
    MA_LY_DO_VNT: str(r.inpatientReasonCode),
    CHAN_DOAN_VAO: r.diagnoses.admissionText,
    CHAN_DOAN_RV: r.diagnoses.dischargeText,
    MA_BENH_CHINH: r.diagnoses.main,
    MA_BENH_KT: joinList(r.diagnoses.secondary),
    MA_BENH_YHCT: joinList(r.diagnoses.traditional),
    MA_PTTT_QT: joinList(r.diagnoses.procedures),
    MA_DOITUONG_KCB: r.patientCategory,
    MA_NOI_DI: str(r.referredFrom),
    MA_NOI_DEN: str(r.referredTo ?? r.referral?.toFacility),
    MA_TAI_NAN: str(r.accidentCode),
    NGAY_VAO: ngayVao,
    NGAY_VAO_NOI_TRU: dt(r.inpatientAdmittedAt),
    NGAY_RA: ngayRa,
    GIAY_CHUYEN_TUYEN: str(r.referralPaperIn),
    SO_NGAY_DTRI: String(days),
    PP_DIEU_TRI: str(r.treatmentMethod),
    KET_QUA_DTRI: String(r.outcome),
    MA_LOAI_RV: String(r.dischargeType),
    GHI_CHU: str(r.note),
    NGAY_TTOAN: dt(r.paidAt),
    T_THUOC: money(tot.thuoc),
    T_VTYT: money(tot.vtyt),
    T_TONGCHI_BV: money(tot.bv),
    T_TONGCHI_BH: money(tot.bh),
    T_BNTT: money(tot.bntt),
    T_BNCCT: money(tot.bncct),
    T_BHTT: money(tot.bhtt),
    T_NGUONKHAC: money(tot.nk),
    T_BHTT_GDV: money(tot.gdv),
    NAM_QT: settleStr.slice(0, 4),
    THANG_QT: String(+settleStr.slice(4, 6)),
    MA_LOAI_KCB: code,
    MA_KHOA: joinList(r.departments),
    MA_CSKCB: r.facilityCode,
    MA_KHUVUC: str(card0?.areaCode),
    CAN_NANG: p.weightKg,
    CAN_NANG_CON: joinList(r.newbornWeights),
    NAM_NAM_LIEN_TUC: str(card0?.fiveYearsSince),
    NGAY_TAI_KHAM: joinList(r.nextVisitDates),
    MA_HSBA: r.recordNumber,
    MA_TTDV: headOfFacility(r, std),
    // 3176: the patient's height in cm (xml3176.md §4 XML1 DU_PHONG); 4750 leaves it empty.
    DU_PHONG: std.id === '4750' ? '' : str(p.heightCm),
  });
  return row;
}

/**
 * SO_CCCD: the citizen-ID / personal identification number, else the passport number (a
 * foreigner), else empty (a newborn or a patient whose number cannot be obtained — 3176 §3).
 */
function identityNumber(p: EncounterRecord['patient']): string {
  return p.citizenId ?? p.passportNumber ?? '';
}

/** Decision 34/2020 codes are hierarchical: the level-2 code is the first two digits ('00' = none). */
function occupationLevel2(code: string): string {
  return /^\d{2,5}$/.test(code) ? code.slice(0, 2) : code;
}

/** MA_TTDV: the practising-licence number under 3176; the 10-digit BHXH number under 4750. */
function headOfFacility(r: EncounterRecord, std: Std): string {
  return std.id === '4750' ? (r.headOfFacilityInsuranceNumber ?? r.headOfFacility) : r.headOfFacility;
}

function withRepeats<T extends ClaimTableId>(
  id: T,
  xml1: RowTypes['XML1'],
  values: Partial<RowTypes[T]>,
  std: Std,
): RowTypes[T] {
  const row = emptyRow(id, std.id) as Record<string, string>;
  const src = xml1 as Record<string, string>;
  row['MA_LK'] = src['MA_LK'] ?? '';
  for (const [own, from] of repeatedFromXml1(std.id)[id] ?? []) row[own] = src[from] ?? '';
  Object.assign(row, values);
  return row as RowTypes[T];
}

export interface BuildOptions {
  /** The edition to build; default: the one in force on the day the encounter ended. */
  readonly standard?: StandardId;
}

/** Builds every table that applies to the encounter (XML1 always) in the shape of its edition. Deterministic. */
export function buildClaimTables(r: EncounterRecord, options: BuildOptions = {}): ClaimTables {
  const ngayRa = formatDateTime(r.dischargedAt);
  const id = options.standard ?? standardFor(ngayRa);
  const std: Std = { id, rules: rulesOf(id) };
  const tot = new Totals(std.rules);
  const xml2 = r.drugs.map((l, i) => drugRow(r, l, i + 1, tot, std));
  const xml3 = [
    ...r.services.map((l, i) => serviceRow(r, l, i + 1, tot, std)),
    ...r.supplies.map((l, i) => supplyRow(r, l, r.services.length + i + 1, tot, std)),
  ];
  const xml1 = summaryRow(r, tot, std, ngayRa);
  const t: ClaimTables = { XML1: [xml1] };
  if (xml2.length) t.XML2 = xml2;
  if (xml3.length) t.XML3 = xml3;
  if (r.results.length)
    t.XML4 = r.results.map((x, i) => ({
      ...emptyRow('XML4', std.id),
      MA_LK: r.maLk,
      STT: String(i + 1),
      MA_DICH_VU: x.serviceCode,
      MA_CHI_SO: str(x.indexCode),
      TEN_CHI_SO: x.indexName,
      GIA_TRI: str(x.value),
      DON_VI_DO: str(x.unit),
      MO_TA: str(x.description),
      KET_LUAN: str(x.conclusion),
      NGAY_KQ: dt(x.resultAt),
      MA_BS_DOC_KQ: str(x.readerCode),
    }));
  if (r.clinicalNotes.length)
    t.XML5 = r.clinicalNotes.map((n, i) => ({
      ...emptyRow('XML5', std.id),
      MA_LK: r.maLk,
      STT: String(i + 1),
      DIEN_BIEN_LS: n.text,
      GIAI_DOAN_BENH: str(n.stage),
      HOI_CHAN: str(n.consultation),
      PHAU_THUAT: str(n.surgery),
      THOI_DIEM_DBLS: formatDateTime(n.at),
      NGUOI_THUC_HIEN: joinList(n.authors),
    }));
  const dis = r.discharge;
  if (dis)
    t.XML7 = [
      withRepeats(
        'XML7',
        xml1,
        {
          SO_LUU_TRU: dis.archiveNumber,
          MA_KHOA_RV: dis.department,
          CHAN_DOAN_RV: r.diagnoses.dischargeText,
          PP_DIEUTRI: dis.treatmentMethod,
          GHI_CHU: str(dis.note),
          MA_BS: dis.doctorCode,
          TEN_BS: dis.doctorName,
          NGAY_CT: dis.issuedOn,
          HO_TEN_CHA: str(r.patient.fatherName),
          HO_TEN_ME: str(r.patient.motherName),
          MA_THE_TAM: str(dis.temporaryCardNumber),
          SO_NGAY_NGHI: str(dis.restDays),
          NGOAITRU_TUNGAY: str(dis.restFrom),
          NGOAITRU_DENNGAY: str(dis.restTo),
        },
        std,
      ),
    ];
  const sm = r.summary;
  if (sm)
    t.XML8 = [
      withRepeats(
        'XML8',
        xml1,
        {
          HO_TEN_CHA: str(r.patient.fatherName),
          HO_TEN_ME: str(r.patient.motherName),
          NGUOI_GIAM_HO: str(r.patient.guardianName),
          DON_VI: str(r.patient.workplace),
          QT_BENHLY: sm.history,
          TOMTAT_KQ: sm.keyResults,
          PP_DIEUTRI: sm.treatmentMethod,
          NGAY_SINHCON: str(sm.birthDate),
          NGAY_CONCHET: str(sm.stillbirthDate),
          SO_CONCHET: str(sm.stillbirths),
          GHI_CHU: str(sm.note),
          NGAY_CT: sm.issuedOn,
        },
        std,
      ),
    ];
  if (r.birthCertificates?.length)
    t.XML9 = r.birthCertificates.map((b) =>
      withRepeats(
        'XML9',
        xml1,
        {
          MA_BHXH_NND: str(b.mother.socialInsuranceNumber),
          MA_THE_NND: str(b.mother.cardNumber),
          HO_TEN_NND: b.mother.fullName,
          NGAYSINH_NND: b.mother.birthDate,
          MA_DANTOC_NND: b.mother.ethnicityCode,
          SO_CCCD_NND: b.mother.citizenId,
          NGAYCAP_CCCD_NND: b.mother.idIssuedOn,
          NOICAP_CCCD_NND: b.mother.idIssuedBy,
          NOI_CU_TRU_NND: b.mother.residence,
          MA_QUOCTICH: xml1.MA_QUOCTICH,
          MATINH_CU_TRU: xml1.MATINH_CU_TRU,
          MAHUYEN_CU_TRU: xml1.MAHUYEN_CU_TRU,
          MAXA_CU_TRU: xml1.MAXA_CU_TRU,
          HO_TEN_CHA: str(b.fatherName),
          MA_THE_TAM: b.temporaryCardNumber,
          HO_TEN_CON: str(b.childName),
          GIOI_TINH_CON: String(b.childSex),
          SO_CON: String(b.childrenCount),
          LAN_SINH: String(b.birthOrder),
          SO_CON_SONG: String(b.childrenAlive),
          CAN_NANG_CON: String(b.weightGrams),
          NGAY_SINH_CON: formatDateTime(b.bornAt),
          NOI_SINH_CON: b.birthPlace,
          TINH_TRANG_CON: b.condition,
          SINHCON_PHAUTHUAT: b.caesarean ? '1' : '0',
          SINHCON_DUOI32TUAN: b.under32Weeks ? '1' : '0',
          GHI_CHU: b.note,
          NGUOI_DO_DE: b.midwife,
          NGUOI_GHI_PHIEU: b.recorder,
          NGAY_CT: b.issuedOn,
          SO: b.number,
          QUYEN_SO: b.book,
        },
        std,
      ),
    );
  const sl = r.sickLeave;
  if (sl)
    t.XML11 = [
      withRepeats(
        'XML11',
        xml1,
        {
          SO_CT: sl.documentNumber,
          SO_SERI: sl.serial,
          SO_KCB: sl.visitNumber,
          DON_VI: sl.workplace,
          MA_BHXH: sl.socialInsuranceNumber,
          CHAN_DOAN_RV: r.diagnoses.dischargeText,
          PP_DIEUTRI: sl.treatmentMethod,
          SO_NGAY_NGHI: String(sl.days),
          TU_NGAY: sl.from,
          DEN_NGAY: sl.to,
          HO_TEN_CHA: str(r.patient.fatherName),
          HO_TEN_ME: str(r.patient.motherName),
          MA_BS: sl.doctorCode,
          NGAY_CT: sl.issuedOn,
          MAU_SO: str(sl.formCode),
        },
        std,
      ),
    ];
  const rf = r.referral;
  if (rf) t.XML13 = [referralRow(r, rf, xml1, std)];
  const fu = r.followUp;
  if (fu)
    t.XML14 = [
      withRepeats(
        'XML14',
        xml1,
        {
          SO_GIAYHEN_KL: fu.appointmentNumber,
          // 3176: a date (yyyyMMdd); 4750: yyyyMMddHHmm. The format comes from the edition's table.
          NGAY_HEN_KL:
            tableSpec('XML14', std.id).byName.get('NGAY_HEN_KL')?.format === 'yyyyMMdd'
              ? formatDate(fu.appointmentAt)
              : formatDateTime(fu.appointmentAt),
          MA_BAC_SI: fu.doctorCode,
          NGAY_CT: fu.issuedOn,
          DU_PHONG: signatureData(),
        },
        std,
      ),
    ];
  const tb = r.tbTreatment;
  if (tb)
    t.XML15 = [
      withRepeats(
        'XML15',
        xml1,
        {
          STT: '1',
          PHANLOAI_LAO_VITRI: String(tb.siteClass),
          PHANLOAI_LAO_TS: String(tb.historyClass),
          PHANLOAI_LAO_HIV: String(tb.hivClass),
          PHANLOAI_LAO_VK: String(tb.bacteriologyClass),
          PHANLOAI_LAO_KT: String(tb.resistanceClass),
          LOAI_DTRI_LAO: String(tb.treatmentType),
          NGAYBD_DTRI_LAO: tb.startedOn,
          PHACDO_DTRI_LAO: String(tb.regimen),
          NGAYKT_DTRI_LAO: str(tb.endedOn),
          KET_QUA_DTRI_LAO: String(tb.outcome),
          NGAYKD_HIV: str(tb.hivDiagnosedOn),
          BDDT_ARV: tb.arvStartedOn,
          NGAY_BAT_DAU_DT_CTX: tb.ctxStartedOn,
        },
        std,
      ),
    ];
  return t;
}

/** DU_PHONG of XML13/14/15 under 3176: the facility's signature data, in a form the annex does not give. */
function signatureData(): string {
  return SIGNATURE_IN_DU_PHONG;
}

/**
 * XML13. 4750: MA_NOI_DI/MA_NOI_DEN repeat XML1 (gateway sheet: "if present, must equal the XML1
 * value"). 3176: renamed MA_CSKCB_DI (the facilities the patient came through, XML1.MA_NOI_DI
 * last) and MA_CSKCB_DEN, TINH_TRANG_CT replaces PP_DIEU_TRI, TEN_DICH_VU/TEN_THUOC are gone.
 */
function referralRow(
  r: EncounterRecord,
  rf: NonNullable<EncounterRecord['referral']>,
  xml1: RowTypes['XML1'],
  std: Std,
): RowTypes['XML13'] {
  const common = {
    SO_HOSO: rf.dossierNumber,
    SO_CHUYENTUYEN: rf.referralNumber,
    GIAY_CHUYEN_TUYEN: rf.referralPaperNumber,
    DAU_HIEU_LS: rf.clinicalSigns,
    QT_BENHLY: rf.history,
    TOMTAT_KQ: rf.keyResults,
    PP_DIEUTRI: str(rf.treatmentMethod),
    MA_LYDO_CT: String(rf.reason),
    HUONG_DIEU_TRI: rf.direction,
    PHUONGTIEN_VC: rf.transport,
    HOTEN_NGUOI_HT: str(rf.escortName),
    CHUCDANH_NGUOI_HT: str(rf.escortTitle),
    MA_BAC_SI: rf.doctorCode,
  };
  if (!std.rules.referralFromList)
    return withRepeats(
      'XML13',
      xml1,
      { ...common, TEN_DICH_VU: rf.servicesUsed, TEN_THUOC: str(rf.drugsUsed) },
      std,
    );
  // Filled as XML1.MA_NOI_DI: no referring facility, no list (the earlier ones only lead up to it).
  const cameFrom = r.referredFrom
    ? [...(rf.earlierFacilities ?? []), r.referredFrom].filter((c) => c !== r.facilityCode)
    : [];
  return withRepeats(
    'XML13',
    xml1,
    {
      ...common,
      MA_CSKCB_DI: joinList(cameFrom),
      TINH_TRANG_CT: str(rf.conditionAtReferral),
      DU_PHONG: signatureData(),
    },
    std,
  );
}

interface FirstCost {
  kind: 'service' | 'drug' | 'supply';
  code: string;
  name: string;
  at: Date;
}

function firstCost(r: EncounterRecord, notBefore?: Date): FirstCost | undefined {
  const all: FirstCost[] = [
    ...r.services.map((l) => ({ kind: 'service' as const, code: l.code, name: l.name, at: l.orderedAt })),
    ...r.drugs.map((l) => ({ kind: 'drug' as const, code: l.code, name: l.name, at: l.orderedAt })),
    ...r.supplies.map((l) => ({ kind: 'supply' as const, code: l.code, name: l.name, at: l.orderedAt })),
  ].filter((c) => !notBefore || c.at.getTime() >= notBefore.getTime());
  all.sort((a, b) => a.at.getTime() - b.at.getTime());
  return all[0];
}

/**
 * The check-in row (XML0). sequence 1 = at reception (first billable item); sequence 2 = at the
 * treating department after admission (see unconfirmed.ts CHECKIN_STT_IS_ROW_COUNTER).
 */
export function buildCheckinRow(r: EncounterRecord, sequence = 1): CheckinRow {
  const p = r.patient;
  const card = r.cards[0];
  const atDepartment = sequence >= 2 && r.inpatientAdmittedAt !== undefined;
  const fc = firstCost(r, atDepartment ? r.inpatientAdmittedAt : undefined) ?? firstCost(r);
  // The encounter has not ended yet: the edition is the one in force on the day of admission.
  const std = standardFor(formatDate(r.admittedAt));
  const row = emptyRow('XML0', std);
  Object.assign(row, {
    MA_LK: r.maLk,
    STT: '1',
    MA_BN: p.patientId,
    HO_TEN: p.fullName,
    SO_CCCD: identityNumber(p),
    NGAY_SINH: p.birthDateTime,
    GIOI_TINH: String(p.sex),
    MA_THE_BHYT: str(card?.cardNumber),
    MA_DKBD: str(card?.registrationFacility),
    GT_THE_TU: str(card?.validFrom),
    GT_THE_DEN: str(card?.validTo),
    MA_DOITUONG_KCB: r.patientCategory,
    NGAY_VAO: formatDateTime(r.admittedAt),
    NGAY_VAO_NOI_TRU: atDepartment ? dt(r.inpatientAdmittedAt) : '',
    LY_DO_VNT: atDepartment ? str(r.inpatientReason) : '',
    MA_LY_DO_VNT: atDepartment ? str(r.inpatientReasonCode) : '',
    MA_LOAI_KCB: maLoaiKcb(r),
    MA_CSKCB: r.facilityCode,
    MA_DICH_VU: fc?.kind === 'service' ? fc.code : '',
    TEN_DICH_VU: fc?.kind === 'service' ? fc.name : '',
    MA_THUOC: fc?.kind === 'drug' ? fc.code : '',
    TEN_THUOC: fc?.kind === 'drug' ? fc.name : '',
    MA_VAT_TU: fc?.kind === 'supply' ? fc.code : '',
    TEN_VAT_TU: fc?.kind === 'supply' ? fc.name : '',
    NGAY_YL: dt(fc?.at),
  });
  return row;
}

/** Whether a check-in (XML0) is due for this record: not for emergencies (code-list driven). */
export function checkinRequired(r: EncounterRecord): boolean {
  return PATIENT_CATEGORIES.lookup(r.patientCategory, formatDate(r.admittedAt))?.checkinRequired ?? true;
}
