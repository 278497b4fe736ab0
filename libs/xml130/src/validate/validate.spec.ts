import { assessClaim, buildClaimTables, validateCheckin, validateClaim } from '../index';
import { scenarios } from '../fixtures/scenarios';
import { buildCheckinRow } from '../build';
import type { ClaimTables, ViolationCode } from '../model';
import { inexpressibleRequiredWhen } from './field-rules';

type Rows = Record<string, Array<Record<string, string>>>;
const clean = (name = 'inpatientWithSurgery', standard?: '4750' | '3176'): Rows =>
  buildClaimTables(scenarios[name]!(), standard ? { standard } : {}) as unknown as Rows;
const row = (t: Rows, id: string, i = 0): Record<string, string> => t[id]![i]!;

interface Case {
  rule: string;
  scenario?: string;
  standard?: '4750' | '3176';
  mutate: (t: Rows) => void;
  code: ViolationCode;
  table: string;
  field?: string;
}

const cases: Case[] = [
  {
    rule: 'a required field must not be empty',
    mutate: (t) => (row(t, 'XML1').HO_TEN = ''),
    code: 'FIELD_REQUIRED',
    table: 'XML1',
    field: 'HO_TEN',
  },
  {
    rule: 'requiredWhen: MA_XANG_DAU is required for transport (MA_NHOM 12)',
    mutate: (t) => (row(t, 'XML3', 0).MA_NHOM = '12'),
    code: 'FIELD_REQUIRED',
    table: 'XML3',
    field: 'MA_XANG_DAU',
  },
  {
    rule: 'requiredWhen: TT_THAU is required on drugs outside groups 7 and 17',
    mutate: (t) => (row(t, 'XML2').TT_THAU = ''),
    code: 'FIELD_REQUIRED',
    table: 'XML2',
    field: 'TT_THAU',
  },
  {
    rule: 'requiredWhen: NGUOI_THUC_HIEN is required for surgery and paraclinical groups',
    mutate: (t) => (row(t, 'XML3', 1).NGUOI_THUC_HIEN = ''),
    code: 'FIELD_REQUIRED',
    table: 'XML3',
    field: 'NGUOI_THUC_HIEN',
  },
  {
    rule: 'requiredWhen: XML4 NGAY_KQ is required when GIA_TRI is filled',
    mutate: (t) => (row(t, 'XML4').NGAY_KQ = ''),
    code: 'FIELD_REQUIRED',
    table: 'XML4',
    field: 'NGAY_KQ',
  },
  {
    rule: 'values longer than maxLength are rejected',
    mutate: (t) => (row(t, 'XML1').MA_BENH_CHINH = 'J18.9999'),
    code: 'MAX_LENGTH',
    table: 'XML1',
    field: 'MA_BENH_CHINH',
  },
  {
    rule: 'number fields must be numeric',
    mutate: (t) => (row(t, 'XML2').SO_LUONG = '1,5'),
    code: 'TYPE_NUMBER',
    table: 'XML2',
    field: 'SO_LUONG',
  },
  {
    rule: 'money fields have at most 2 decimals',
    mutate: (t) => (row(t, 'XML1').T_THUOC = '1.234'),
    code: 'DECIMALS',
    table: 'XML1',
    field: 'T_THUOC',
  },
  {
    rule: 'date-times are yyyyMMddHHmm',
    mutate: (t) => (row(t, 'XML1').NGAY_VAO = '2026-11-02 08:30'),
    code: 'DATE_FORMAT',
    table: 'XML1',
    field: 'NGAY_VAO',
  },
  {
    rule: 'dates are yyyyMMdd and real calendar days',
    mutate: (t) => (row(t, 'XML7').NGAY_CT = '20260231'),
    code: 'DATE_FORMAT',
    table: 'XML7',
    field: 'NGAY_CT',
  },
  {
    rule: "';' lists have no empty item",
    mutate: (t) => (row(t, 'XML1').MA_KHOA = 'K01;;K19'),
    code: 'LIST_FORMAT',
    table: 'XML1',
    field: 'MA_KHOA',
  },
  {
    rule: 'characters XML forbids are rejected',
    mutate: (t) => (row(t, 'XML1').GHI_CHU = 'a\u0001b'),
    code: 'INVALID_CHARACTER',
    table: 'XML1',
    field: 'GHI_CHU',
  },
  {
    rule: 'enumerated fields take listed codes only',
    mutate: (t) => (row(t, 'XML1').KET_QUA_DTRI = '9'),
    code: 'INVALID_VALUE',
    table: 'XML1',
    field: 'KET_QUA_DTRI',
  },
  {
    rule: 'MA_TTDV has 10 digits (4750)',
    standard: '4750',
    mutate: (t) => (row(t, 'XML7').MA_TTDV = row(t, 'XML1').MA_TTDV = '123'),
    code: 'INVALID_VALUE',
    table: 'XML1',
    field: 'MA_TTDV',
  },
  {
    rule: 'percentages are at most 100',
    mutate: (t) => (row(t, 'XML3').TYLE_TT_DV = '150'),
    code: 'INVALID_VALUE',
    table: 'XML3',
    field: 'TYLE_TT_DV',
  },
  {
    rule: 'weight is at most 200 kg',
    mutate: (t) => (row(t, 'XML1').CAN_NANG = '250'),
    code: 'INVALID_VALUE',
    table: 'XML1',
    field: 'CAN_NANG',
  },
  {
    rule: 'at most 12 secondary diagnoses',
    mutate: (t) => (row(t, 'XML1').MA_BENH_KT = Array(13).fill('I10').join(';')),
    code: 'LIST_TOO_LONG',
    table: 'XML1',
    field: 'MA_BENH_KT',
  },
  {
    rule: 'unknown fields are reported',
    mutate: (t) => (row(t, 'XML1').FOO = 'x'),
    code: 'FIELD_UNKNOWN',
    table: 'XML1',
    field: 'FOO',
  },
  {
    rule: 'MA_LK is the same in every table',
    mutate: (t) => (row(t, 'XML3', 2).MA_LK = 'OTHER'),
    code: 'MA_LK_MISMATCH',
    table: 'XML3',
    field: 'MA_LK',
  },
  {
    rule: 'STT counts up from 1',
    mutate: (t) => (row(t, 'XML2', 1).STT = '5'),
    code: 'STT_SEQUENCE',
    table: 'XML2',
    field: 'STT',
  },
  {
    rule: 'single-record tables hold one record',
    mutate: (t) => t['XML7']!.push({ ...row(t, 'XML7') }),
    code: 'TOO_MANY_ROWS',
    table: 'XML7',
  },
  {
    rule: 'XML1 T_THUOC equals the sum of XML2 THANH_TIEN_BV',
    mutate: (t) => (row(t, 'XML1').T_THUOC = '1'),
    code: 'TOTAL_MISMATCH',
    table: 'XML1',
    field: 'T_THUOC',
  },
  {
    rule: 'XML1 T_VTYT equals the sum of supply lines',
    mutate: (t) => (row(t, 'XML1').T_VTYT = '0'),
    code: 'TOTAL_MISMATCH',
    table: 'XML1',
    field: 'T_VTYT',
  },
  {
    rule: 'XML1 T_TONGCHI_BV equals the sum of XML2 + XML3',
    mutate: (t) => (row(t, 'XML1').T_TONGCHI_BV = '1'),
    code: 'TOTAL_MISMATCH',
    table: 'XML1',
    field: 'T_TONGCHI_BV',
  },
  {
    rule: 'XML1 T_BHTT equals T_TONGCHI_BH − T_BNCCT',
    mutate: (t) => (row(t, 'XML1').T_BHTT = '1'),
    code: 'TOTAL_MISMATCH',
    table: 'XML1',
    field: 'T_BHTT',
  },
  {
    rule: 'XML1 T_BHTT_GDV equals Σ T_BHTT of fee-for-service lines',
    mutate: (t) => (row(t, 'XML1').T_BHTT_GDV = '0'),
    code: 'TOTAL_MISMATCH',
    table: 'XML1',
    field: 'T_BHTT_GDV',
  },
  {
    rule: 'line THANH_TIEN_BV follows the §7 formula',
    mutate: (t) => (row(t, 'XML2').THANH_TIEN_BV = '1'),
    code: 'LINE_AMOUNT_MISMATCH',
    table: 'XML2',
    field: 'THANH_TIEN_BV',
  },
  {
    rule: 'line T_BHTT follows the benefit level',
    mutate: (t) => (row(t, 'XML3').MUC_HUONG = '32'),
    code: 'LINE_AMOUNT_MISMATCH',
    table: 'XML3',
    field: 'T_BHTT',
  },
  {
    rule: 'other-source support stays below THANH_TIEN_BV',
    mutate: (t) => {
      const r = row(t, 'XML2');
      r.T_NGUONKHAC_NSNN = r.T_NGUONKHAC = r.THANH_TIEN_BV!;
    },
    code: 'OTHER_SOURCES_RANGE',
    table: 'XML2',
    field: 'T_NGUONKHAC',
  },
  {
    rule: 'T_TRANTT is not below T_BHTT',
    mutate: (t) => (row(t, 'XML3').T_TRANTT = '1'),
    code: 'INVALID_VALUE',
    table: 'XML3',
    field: 'T_TRANTT',
  },
  {
    rule: 'NGAY_VAO is not after NGAY_RA',
    mutate: (t) => (row(t, 'XML1').NGAY_VAO = '203001010000'),
    code: 'DATE_ORDER',
    table: 'XML1',
    field: 'NGAY_RA',
  },
  {
    rule: 'NGAY_TH_YL is not before NGAY_YL',
    mutate: (t) => (row(t, 'XML2').NGAY_TH_YL = '202001010000'),
    code: 'DATE_ORDER',
    table: 'XML2',
    field: 'NGAY_TH_YL',
  },
  {
    rule: 'NGAY_KQ is not before NGAY_YL',
    mutate: (t) => (row(t, 'XML3', 1).NGAY_KQ = '202001010000'),
    code: 'DATE_ORDER',
    table: 'XML3',
    field: 'NGAY_KQ',
  },
  {
    rule: 'orders lie inside the stay',
    mutate: (t) => {
      const r = row(t, 'XML2');
      r.NGAY_YL = r.NGAY_TH_YL = '203001010000';
    },
    code: 'DATE_ORDER',
    table: 'XML2',
    field: 'NGAY_YL',
  },
  {
    rule: 'card validity starts before it ends',
    mutate: (t) => (row(t, 'XML1').GT_THE_TU = '20991231'),
    code: 'DATE_ORDER',
    table: 'XML1',
    field: 'GT_THE_DEN',
  },
  {
    rule: 'appointment is not before discharge',
    scenario: 'followUpAppointment',
    mutate: (t) => (row(t, 'XML14').NGAY_HEN_KL = '202001010000'),
    code: 'DATE_ORDER',
    table: 'XML14',
    field: 'NGAY_HEN_KL',
  },
  {
    rule: 'sick leave starts within the stay',
    scenario: 'sickLeaveCertificate',
    mutate: (t) => (row(t, 'XML11').TU_NGAY = '20200101'),
    code: 'DATE_ORDER',
    table: 'XML11',
    field: 'TU_NGAY',
  },
  {
    rule: 'card lists are aligned',
    mutate: (t) => (row(t, 'XML1').MA_DKBD = '79999;79001'),
    code: 'CARD_LIST_MISALIGNED',
    table: 'XML1',
    field: 'MA_THE_BHYT',
  },
  {
    rule: 'values repeated from XML1 equal XML1',
    scenario: 'referral',
    mutate: (t) => (row(t, 'XML13').NGAY_SINH = '190001010000'),
    code: 'VALUE_MISMATCH',
    table: 'XML13',
    field: 'NGAY_SINH',
  },
  {
    rule: 'SO_NGAY_DTRI is NGAY_RA − NGAY_VAO + 1 for inpatients',
    mutate: (t) => (row(t, 'XML1').SO_NGAY_DTRI = '5'),
    code: 'TREATMENT_DAYS',
    table: 'XML1',
    field: 'SO_NGAY_DTRI',
  },
  {
    rule: 'SO_NGAY_DTRI is 0 for outpatient visits (4750)',
    standard: '4750',
    scenario: 'outpatientVisit',
    mutate: (t) => (row(t, 'XML1').SO_NGAY_DTRI = '1'),
    code: 'TREATMENT_DAYS',
    table: 'XML1',
    field: 'SO_NGAY_DTRI',
  },
  {
    rule: 'tables required by the care type are present',
    mutate: (t) => delete t['XML5'],
    code: 'TABLE_MISSING',
    table: 'XML5',
  },
  {
    rule: 'a discharge paper is required for inpatients',
    mutate: (t) => delete t['XML7'],
    code: 'TABLE_MISSING',
    table: 'XML7',
  },
  {
    rule: 'XML13 is required when referred',
    scenario: 'referral',
    mutate: (t) => delete t['XML13'],
    code: 'TABLE_MISSING',
    table: 'XML13',
  },
  {
    rule: 'XML13 is only sent when referred',
    scenario: 'referral',
    mutate: (t) => {
      row(t, 'XML1').MA_LOAI_RV = '1';
      row(t, 'XML13').MA_LOAI_RV = '1';
    },
    code: 'TABLE_NOT_ALLOWED',
    table: 'XML13',
  },
  {
    rule: 'a claim has at least one cost line',
    scenario: 'scheduledRefill',
    mutate: (t) => delete t['XML2'],
    code: 'TABLE_MISSING',
    table: 'XML3',
  },
  {
    rule: 'care type codes come from the code list',
    mutate: (t) => (row(t, 'XML1').MA_LOAI_KCB = '99'),
    code: 'CODE_UNKNOWN',
    table: 'XML1',
    field: 'MA_LOAI_KCB',
  },
  {
    rule: 'patient categories come from the code list',
    mutate: (t) => (row(t, 'XML1').MA_DOITUONG_KCB = '7.7'),
    code: 'CODE_UNKNOWN',
    table: 'XML1',
    field: 'MA_DOITUONG_KCB',
  },
  {
    rule: 'departments come from the code list',
    mutate: (t) => (row(t, 'XML2').MA_KHOA = 'K99'),
    code: 'CODE_UNKNOWN',
    table: 'XML2',
    field: 'MA_KHOA',
  },
  {
    rule: 'ICD-10 codes come from the code list',
    mutate: (t) => (row(t, 'XML1').MA_BENH_CHINH = 'X99.9'),
    code: 'CODE_UNKNOWN',
    table: 'XML1',
    field: 'MA_BENH_CHINH',
  },
  {
    rule: 'cost groups come from the code list',
    mutate: (t) => (row(t, 'XML3').MA_NHOM = '99'),
    code: 'CODE_UNKNOWN',
    table: 'XML3',
    field: 'MA_NHOM',
  },
  {
    rule: 'drug groups are not billed in XML3',
    mutate: (t) => (row(t, 'XML3').MA_NHOM = '4'),
    code: 'INVALID_VALUE',
    table: 'XML3',
    field: 'MA_NHOM',
  },
  {
    rule: 'paraclinical lines carry a machine code',
    mutate: (t) => (row(t, 'XML3', 1).MA_MAY = ''),
    code: 'FIELD_REQUIRED',
    table: 'XML3',
    field: 'MA_MAY',
  },
  {
    rule: 'surgery carries the anaesthesia method',
    mutate: (t) => (t['XML3']!.find((r) => r.MA_NHOM === '8')!.PP_VO_CAM = ''),
    code: 'FIELD_REQUIRED',
    table: 'XML3',
    field: 'PP_VO_CAM',
  },
  {
    rule: 'an XML3 line has a service or supply code',
    mutate: (t) => (row(t, 'XML3').MA_DICH_VU = ''),
    code: 'FIELD_REQUIRED',
    table: 'XML3',
    field: 'MA_DICH_VU',
  },
  {
    rule: 'inpatients have at most one examination fee',
    mutate: (t) => t['XML3']!.push({ ...row(t, 'XML3'), STT: String(t['XML3']!.length + 1) }),
    code: 'TOO_MANY_EXAM_FEES',
    table: 'XML3',
  },
  {
    rule: 'outpatient visits bill no bed days',
    scenario: 'outpatientVisit',
    mutate: (t) => (row(t, 'XML3').MA_NHOM = '15'),
    code: 'BED_DAYS_NOT_ALLOWED',
    table: 'XML3',
    field: 'MA_NHOM',
  },
  {
    rule: 'an outpatient visit lasts at most one day',
    scenario: 'outpatientVisit',
    mutate: (t) => (row(t, 'XML1').NGAY_RA = '202611100800'),
    code: 'STAY_TOO_LONG',
    table: 'XML1',
    field: 'NGAY_RA',
  },
  {
    rule: 'discharge rest-leave fields are all or none',
    mutate: (t) => (row(t, 'XML7').SO_NGAY_NGHI = '3'),
    code: 'CONDITIONAL_FIELDS',
    table: 'XML7',
    field: 'SO_NGAY_NGHI',
  },
  {
    rule: 'sick-leave form is CT07',
    scenario: 'sickLeaveCertificate',
    mutate: (t) => (row(t, 'XML11').MAU_SO = 'C65'),
    code: 'INVALID_VALUE',
    table: 'XML11',
    field: 'MAU_SO',
  },
  {
    rule: 'social-insurance numbers are not all zeros',
    scenario: 'sickLeaveCertificate',
    mutate: (t) => (row(t, 'XML11').MA_BHXH = '0000000000'),
    code: 'INVALID_VALUE',
    table: 'XML11',
    field: 'MA_BHXH',
  },
  {
    rule: 'SO_CCCD has 9 or 12 digits or a passport form',
    mutate: (t) => (row(t, 'XML1').SO_CCCD = '12345'),
    code: 'INVALID_VALUE',
    table: 'XML1',
    field: 'SO_CCCD',
  },
  {
    rule: 'bed codes are H/T/C/K + 3 digits',
    mutate: (t) => (t['XML3']!.find((r) => r.MA_GIUONG)!.MA_GIUONG = 'X12'),
    code: 'INVALID_VALUE',
    table: 'XML3',
    field: 'MA_GIUONG',
  },
  // QĐ 3176 (xml3176.md): rules of the edition in force from 01/01/2025 (the fixtures end in 2026).
  {
    rule: '3176: SO_NGAY_DTRI of an outpatient visit follows the general formula',
    scenario: 'outpatientVisit',
    mutate: (t) => (row(t, 'XML1').SO_NGAY_DTRI = '0'),
    code: 'TREATMENT_DAYS',
    table: 'XML1',
    field: 'SO_NGAY_DTRI',
  },
  {
    rule: '3176: SO_NGAY_DTRI of outpatient treatment counts the days with services',
    scenario: 'outpatientTreatment',
    mutate: (t) => (row(t, 'XML1').SO_NGAY_DTRI = '5'),
    code: 'TREATMENT_DAYS',
    table: 'XML1',
    field: 'SO_NGAY_DTRI',
  },
  {
    rule: '3176: MA_TTDV is at most 255 characters',
    mutate: (t) => {
      for (const id of ['XML1', 'XML7', 'XML8']) row(t, id).MA_TTDV = 'G'.repeat(256);
    },
    code: 'MAX_LENGTH',
    table: 'XML1',
    field: 'MA_TTDV',
  },
  {
    rule: '3176: MA_NGHE_NGHIEP is the two-character level-2 code',
    scenario: 'referral',
    mutate: (t) => (row(t, 'XML1').MA_NGHE_NGHIEP = row(t, 'XML13').MA_NGHE_NGHIEP = '22110'),
    code: 'MAX_LENGTH',
    table: 'XML1',
    field: 'MA_NGHE_NGHIEP',
  },
  {
    rule: '3176: MA_BENH_YHCT is at most 150 characters',
    mutate: (t) => (row(t, 'XML1').MA_BENH_YHCT = Array(20).fill('U50.123').join(';')),
    code: 'MAX_LENGTH',
    table: 'XML1',
    field: 'MA_BENH_YHCT',
  },
  {
    rule: '3176: XML4 GIA_TRI may be 255 characters, not more',
    mutate: (t) => (row(t, 'XML4').GIA_TRI = '9'.repeat(256)),
    code: 'MAX_LENGTH',
    table: 'XML4',
    field: 'GIA_TRI',
  },
  {
    rule: '3176: XML14 NGAY_HEN_KL is a date yyyyMMdd',
    scenario: 'followUpAppointment',
    mutate: (t) => (row(t, 'XML14').NGAY_HEN_KL += '0800'),
    code: 'MAX_LENGTH',
    table: 'XML14',
    field: 'NGAY_HEN_KL',
  },
  {
    rule: '3176: a 4750 XML13 element (MA_NOI_DI) is not a field any more',
    scenario: 'referral',
    mutate: (t) => (row(t, 'XML13').MA_NOI_DI = ''),
    code: 'FIELD_UNKNOWN',
    table: 'XML13',
    field: 'MA_NOI_DI',
  },
  {
    rule: '3176: XML13 TEN_DICH_VU is removed',
    scenario: 'referral',
    mutate: (t) => (row(t, 'XML13').TEN_DICH_VU = 'Khám Nội'),
    code: 'FIELD_UNKNOWN',
    table: 'XML13',
    field: 'TEN_DICH_VU',
  },
  {
    rule: '3176: XML13 MA_CSKCB_DI never lists the facility itself',
    scenario: 'referral',
    mutate: (t) => (row(t, 'XML13').MA_CSKCB_DI = row(t, 'XML1').MA_CSKCB!),
    code: 'REFERRAL_FACILITY_MISMATCH',
    table: 'XML13',
    field: 'MA_CSKCB_DI',
  },
  {
    rule: '3176: XML13 MA_CSKCB_DI contains XML1 MA_NOI_DI',
    scenario: 'referral',
    mutate: (t) => (row(t, 'XML1').MA_NOI_DI = '79002'),
    code: 'REFERRAL_FACILITY_MISMATCH',
    table: 'XML13',
    field: 'MA_CSKCB_DI',
  },
  {
    rule: '3176: XML13 MA_CSKCB_DEN repeats XML1 MA_NOI_DEN',
    scenario: 'referral',
    mutate: (t) => (row(t, 'XML13').MA_CSKCB_DEN = '79002'),
    code: 'VALUE_MISMATCH',
    table: 'XML13',
    field: 'MA_CSKCB_DEN',
  },
  {
    rule: '4750: XML13 MA_NOI_DI repeats XML1 MA_NOI_DI',
    standard: '4750',
    scenario: 'referral',
    mutate: (t) => (row(t, 'XML13').MA_NOI_DI = '79999'),
    code: 'VALUE_MISMATCH',
    table: 'XML13',
    field: 'MA_NOI_DI',
  },
  {
    rule: '3176: PHAM_VI 2 (paid by the patient) leaves nothing to the fund',
    mutate: (t) => (row(t, 'XML2').PHAM_VI = '2'),
    code: 'SCOPE_PAID_BY_PATIENT',
    table: 'XML2',
    field: 'T_BHTT',
  },
  {
    rule: '3176: MA_MAY is XX.n.Z (no facility code)',
    mutate: (t) => (row(t, 'XML3', 1).MA_MAY = 'HH.1.79999.1'),
    code: 'INVALID_VALUE',
    table: 'XML3',
    field: 'MA_MAY',
  },
  {
    rule: '4750: MA_MAY is XX.n.YYYYY.Z',
    standard: '4750',
    mutate: (t) => (row(t, 'XML3', 1).MA_MAY = 'HH.1.1'),
    code: 'INVALID_VALUE',
    table: 'XML3',
    field: 'MA_MAY',
  },
  {
    rule: '3176: SO_CCCD no longer takes the 9-digit card',
    mutate: (t) => (row(t, 'XML1').SO_CCCD = '123456789'),
    code: 'INVALID_VALUE',
    table: 'XML1',
    field: 'SO_CCCD',
  },
  {
    rule: '3176: XML1 MA_BENH_YHCT lists at most 13 codes',
    mutate: (t) => (row(t, 'XML1').MA_BENH_YHCT = Array(14).fill('U50').join(';')),
    code: 'LIST_TOO_LONG',
    table: 'XML1',
    field: 'MA_BENH_YHCT',
  },
  {
    rule: '3176: TB regimens run 1–27',
    scenario: 'tbTreatment',
    mutate: (t) => (row(t, 'XML15').PHACDO_DTRI_LAO = '28'),
    code: 'INVALID_VALUE',
    table: 'XML15',
    field: 'PHACDO_DTRI_LAO',
  },
  {
    rule: '4750: TB regimens run 1–25 (26 INH is 3176)',
    standard: '4750',
    scenario: 'tbTreatment',
    mutate: (t) => (row(t, 'XML15').PHACDO_DTRI_LAO = '26'),
    code: 'INVALID_VALUE',
    table: 'XML15',
    field: 'PHACDO_DTRI_LAO',
  },
  {
    rule: '3176: XML3 THANH_TIEN_BV follows the ordinary or the special-price formula',
    mutate: (t) => (row(t, 'XML3').TYLE_TT_DV = '30'),
    code: 'LINE_AMOUNT_MISMATCH',
    table: 'XML3',
    field: 'THANH_TIEN_BV',
  },
];

describe('validateClaim', () => {
  it.each(cases)('rule: $rule', ({ scenario, standard, mutate, code, table, field }) => {
    const t = clean(scenario, standard);
    expect(validateClaim(t as unknown as ClaimTables, standard ? { standard } : {})).toEqual([]);
    mutate(t);
    const found = validateClaim(t as unknown as ClaimTables, standard ? { standard } : {});
    expect(found).toContainEqual(expect.objectContaining({ code, table, ...(field ? { field } : {}) }));
  });

  it('requires XML1', () => {
    expect(validateClaim({})).toEqual([expect.objectContaining({ code: 'TABLE_MISSING', table: 'XML1' })]);
  });

  it('never throws on garbage input and reports it instead', () => {
    for (const bad of [
      null,
      undefined,
      42,
      'x',
      [],
      { XML1: 'no' },
      { XML1: [null] },
      { XML1: [{ MA_LK: 5 }] },
      { XML99: [] },
    ])
      expect(validateClaim(bad as unknown as ClaimTables).length).toBeGreaterThan(0);
  });

  it('never puts the offending value into a message', () => {
    const t = clean('outpatientVisit');
    const x1 = row(t, 'XML1');
    x1.SO_CCCD = 'SECRET99';
    x1.HO_TEN = 'Z'.repeat(300);
    x1.NGAY_SINH = 'SECRETDOB';
    x1.MA_THE_BHYT = 'SECRETCARD;SECRETCARD2';
    const messages = validateClaim(t as unknown as ClaimTables)
      .map((v) => v.message)
      .join('\n');
    expect(messages).not.toMatch(/SECRET|ZZZZ/);
    expect(messages.length).toBeGreaterThan(0);
  });

  it('names the requiredWhen texts it cannot express ("same rule as 4210", and the 3176 conditions on facts outside the row)', () => {
    const left = inexpressibleRequiredWhen();
    const as4210 = left.filter((x) => x.text.startsWith('same rule as under the former Decision 4210'));
    expect([...new Set(as4210.map((x) => `${x.table}.${x.field}`))]).toEqual([
      'XML2.SO_DANG_KY',
      'XML2.MA_BAC_SI',
      'XML2.MA_DICH_VU',
      'XML3.MA_DICH_VU',
      'XML3.MA_VAT_TU',
      'XML3.TEN_VAT_TU',
      'XML3.TEN_DICH_VU',
    ]);
    expect(left.filter((x) => !as4210.includes(x)).map((x) => `${x.table}.${x.field}`)).toEqual([
      'XML1.MAXA_CU_TRU',
      'XML1.DU_PHONG',
      'XML2.MA_THUOC',
      'XML2.HAM_LUONG',
      'XML2.NGAY_TH_YL',
      'XML3.MA_MAY',
      'XML9.MAXA_CU_TRU',
    ]);
  });
});

describe('assessClaim warnings (public pre-submission checkers)', () => {
  const warnCases: Case[] = [
    {
      rule: 'bed days exceed the length of stay',
      mutate: (t) => {
        for (const r of t['XML3']!) if (['14', '15', '16'].includes(r.MA_NHOM!)) r.SO_LUONG = '1';
        t['XML3']!.push(...t['XML3']!.filter((r) => r.MA_NHOM === '15').map((r) => ({ ...r })));
        t['XML3']!.push(...t['XML3']!.filter((r) => r.MA_NHOM === '15').map((r) => ({ ...r })));
        t['XML3']!.forEach((r, i) => (r.STT = String(i + 1)));
      },
      code: 'BED_DAYS_EXCEED_STAY',
      table: 'XML3',
      field: 'SO_LUONG',
    },
    {
      rule: 'a surgery line bills quantity 1',
      mutate: (t) => (t['XML3']!.find((r) => r.MA_NHOM === '8')!.SO_LUONG = '2'),
      code: 'LINE_QUANTITY_OVER_ONE',
      table: 'XML3',
      field: 'SO_LUONG',
    },
    {
      rule: 'a bed-day line bills at most one day',
      mutate: (t) => (t['XML3']!.find((r) => r.MA_NHOM === '15')!.SO_LUONG = '2'),
      code: 'LINE_QUANTITY_OVER_ONE',
      table: 'XML3',
      field: 'SO_LUONG',
    },
    {
      rule: 'TT_THAU reads decision;G;N;year',
      mutate: (t) => (row(t, 'XML2').TT_THAU = '57/QĐ-TTMS;G1;N1'),
      code: 'TENDER_FORMAT',
      table: 'XML2',
      field: 'TT_THAU',
    },
    {
      rule: 'an imaging result carries a conclusion',
      scenario: 'inpatient',
      mutate: (t) => {
        const x = t['XML3']!.find((r) => r.MA_NHOM === '2')!;
        t['XML4']!.push({
          ...row(t, 'XML4'),
          STT: String(t['XML4']!.length + 1),
          MA_DICH_VU: x.MA_DICH_VU!,
          GIA_TRI: '',
          KET_LUAN: '',
          NGAY_KQ: x.NGAY_KQ!,
        });
      },
      code: 'IMAGING_CONCLUSION_MISSING',
      table: 'XML4',
      field: 'KET_LUAN',
    },
    {
      rule: 'a traditional-medicine code is not the main diagnosis',
      mutate: (t) => (row(t, 'XML1').MA_BENH_YHCT = row(t, 'XML1').MA_BENH_CHINH!),
      code: 'TRADITIONAL_CODE_AS_MAIN',
      table: 'XML1',
      field: 'MA_BENH_CHINH',
    },
    {
      rule: 'an appointment is on a day after discharge',
      scenario: 'followUpAppointment',
      mutate: (t) => (row(t, 'XML14').NGAY_HEN_KL = row(t, 'XML1').NGAY_RA!.slice(0, 8)),
      code: 'APPOINTMENT_NOT_AFTER_DISCHARGE',
      table: 'XML14',
      field: 'NGAY_HEN_KL',
    },
  ];
  it.each(warnCases)('warning: $rule', ({ scenario, mutate, code, table, field }) => {
    const t = clean(scenario);
    expect(assessClaim(t as unknown as ClaimTables)).toMatchObject({ errors: [], warnings: [] });
    mutate(t);
    const { errors, warnings } = assessClaim(t as unknown as ClaimTables);
    expect(warnings).toContainEqual(
      expect.objectContaining({ code, table, severity: 'warning', ...(field ? { field } : {}) }),
    );
    expect(errors.filter((e) => e.code === code)).toEqual([]);
  });
});

describe('validateCheckin', () => {
  const base = () => buildCheckinRow(scenarios['outpatientVisit']!());

  it('accepts a built check-in row', () => {
    expect(validateCheckin([base()])).toEqual([]);
  });
  it('requires a first-cost code when none is given', () => {
    const r = { ...base(), MA_DICH_VU: '', TEN_DICH_VU: '' };
    expect(validateCheckin([r])).toContainEqual(
      expect.objectContaining({ code: 'FIELD_REQUIRED', field: 'MA_DICH_VU' }),
    );
  });
  it('rejects more than one first-cost code', () => {
    const r = { ...base(), MA_THUOC: '40.48', TEN_THUOC: 'Paracetamol' };
    expect(validateCheckin([r])).toContainEqual(expect.objectContaining({ code: 'FIRST_COST_AMBIGUOUS' }));
  });
  it('requires the name when a first-cost code is present', () => {
    const r = { ...base(), TEN_DICH_VU: '' };
    expect(validateCheckin([r])).toContainEqual(
      expect.objectContaining({ code: 'FIELD_REQUIRED', field: 'TEN_DICH_VU' }),
    );
  });
  it('requires LY_DO_VNT when NGAY_VAO_NOI_TRU is present', () => {
    const r = { ...base(), NGAY_VAO_NOI_TRU: '202611021000' };
    expect(validateCheckin([r])).toContainEqual(
      expect.objectContaining({ code: 'FIELD_REQUIRED', field: 'LY_DO_VNT' }),
    );
  });
  it('rejects NGAY_VAO_NOI_TRU before NGAY_VAO', () => {
    const r = { ...base(), NGAY_VAO_NOI_TRU: '202001010000', LY_DO_VNT: 'x' };
    expect(validateCheckin([r])).toContainEqual(
      expect.objectContaining({ code: 'DATE_ORDER', field: 'NGAY_VAO_NOI_TRU' }),
    );
  });
  it('checks a check-in against its edition: the 3176 SO_CCCD has no length limit, the 4750 one 15', () => {
    const r = { ...base(), SO_CCCD: 'P' + '1'.repeat(17) };
    expect(validateCheckin([r], { standard: '3176' })).toEqual([]);
    expect(validateCheckin([r], { standard: '4750' })).toContainEqual(
      expect.objectContaining({ code: 'MAX_LENGTH', field: 'SO_CCCD' }),
    );
  });
  it('never throws on garbage', () => {
    expect(validateCheckin(null as unknown as [])).toHaveLength(1);
    expect(validateCheckin([null as unknown as ReturnType<typeof base>]).length).toBeGreaterThan(0);
  });
});
