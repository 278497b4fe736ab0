/**
 * Every point of the spec marked "unconfirmed", "interpretation" or left open, and the reading
 * this library takes. Logic reads these constants instead of deciding silently elsewhere.
 */
import Decimal from 'decimal.js';

/**
 * xml130.md §7 THANH_TIEN_BV (XML3): the 4750 text writes `SO_LUONG × DON_GIA_BV × TYLE_TT_DV`
 * without "/100". Reading: TYLE_TT_DV is a percentage, so the factor is TYLE_TT_DV/100.
 */
export const XML3_SERVICE_RATIO_IS_PERCENT = true;

/**
 * xml130.md §7 THANH_TIEN_BH (XML3): "also × TYLE_TT_DV/100 for special ratios". Reading: the
 * factor is always applied (TYLE_TT_DV = 100 for ordinary lines, so the result is the same).
 */
export const XML3_BH_APPLIES_SERVICE_RATIO = true;

/**
 * xml130.md §5/§7: "rounded to 2 decimals" does not name the rounding mode. Reading: half-up
 * (away from zero for the positive amounts used here), the usual rule for VND accounting.
 */
export const MONEY_ROUNDING = Decimal.ROUND_HALF_UP;

/**
 * xml130.md §5 decimals: whether "2 decimals" means "exactly two digits" or "at most two".
 * Reading: at most `decimals` digits are accepted; the builder writes the shortest form
 * (trailing zeros and a trailing point dropped: `150000`, `12345.5`), never an exponent.
 */
export const DECIMALS_MEAN_AT_MOST = true;

/**
 * Fields typed "number" without `decimals` (GIOI_TINH, STT, MA_NHOM, TYLE_TT_BH, ...).
 * Reading: non-negative integers written with digits only. Negative numbers are rejected
 * everywhere (no field of the standard carries a negative amount).
 */
export const NUMBER_WITHOUT_DECIMALS_IS_INTEGER = true;

/**
 * xml130-fields.json `unconfirmed=true` with a differing `gatewaySheet` length/type. Reading:
 * the decision's (annex) maxLength/type is enforced, not the gateway workbook's value, except
 * for MA_DOITUONG_KCB where both are accepted up to the larger length (4750 annex 4, sheet 5)
 * because QĐ 3276/2025 codes such as "1.10" already fill 4 characters.
 */
export const USE_GATEWAY_SHEET_LENGTH_FOR: readonly string[] = ['MA_DOITUONG_KCB'];

/**
 * xml130.md §5 "`n` means no limit" (`unbounded=true`). Reading: no maxLength check at all.
 */
export const UNBOUNDED_HAS_NO_LIMIT = true;

/**
 * requiredWhen "same rule as under the former Decision 4210 (conditional; exact rule not
 * stated)" (XML2 SO_DANG_KY, MA_BAC_SI, MA_DICH_VU; XML3 MA_DICH_VU, MA_VAT_TU, TEN_*).
 * Reading: not expressible from the metadata; instead the cross-field rules require in XML3
 * "MA_DICH_VU or MA_VAT_TU" and the matching name, and in XML2 MA_BAC_SI on every line.
 * requiredWhen "MA_PHAC_DO_DIEU_TRI is 'other' (KHAC)" (XML6): the code for "other" is not
 * given, so the condition is read as the value `KHAC`.
 */
export const XML6_OTHER_REGIMEN_CODE = 'KHAC';

/**
 * xml130.md §4 / bhyt-gateway.md §4.2 NGAYLAP: "yyyyMMdd in practice; format not stated".
 * Reading: yyyyMMdd, the date in Vietnam time (UTC+7) of the instant the envelope is built.
 */
export const NGAYLAP_FORMAT = 'yyyyMMdd';

/**
 * Time zone of all yyyyMMddHHmm values. Not stated; reading: Vietnam local time, UTC+7, no
 * daylight saving. Model instants (Date) are rendered in UTC+7 regardless of the host TZ.
 */
export const VIETNAM_UTC_OFFSET_MINUTES = 7 * 60;

/**
 * Empty values (xml130.md §5: both `<X/>` and `<X></X>` appear). Reading: every field of the
 * table is always written, empty ones as `<X></X>` (C14N form, required by the signer).
 */
export const WRITE_EMPTY_ELEMENTS = true;

/**
 * bhyt-gateway.md §4.1: the XML0 template shows no namespace declarations on
 * CHI_TIEU_TRANG_THAI_KCB (GIAMDINHHS has xmlns:xsi/xmlns:xsd). Reading: none on XML0 and
 * none on inner table documents.
 */
export const CHECKIN_ROOT_NAMESPACES = false;

/**
 * XML0 STT and the "sequence" of check-ins: one encounter can send a check-in at reception
 * and another one at the treating department (bhyt-gateway.md §4.1). Reading: STT is the row
 * counter inside one document (always 1 for a single-row check-in); sequence 1 = reception
 * check-in (no NGAY_VAO_NOI_TRU), sequence 2 = check-in at the treating department (with
 * NGAY_VAO_NOI_TRU, LY_DO_VNT and the first item ordered at or after admission).
 */
export const CHECKIN_STT_IS_ROW_COUNTER = true;

/**
 * xml130.md §2 / health-book-1332.md: XML8 "only MA_LOAI_KCB 03, 04, 06" (annex) vs the health
 * book building its summary from XML8 for every encounter. Reading: XML8 is REQUIRED for the
 * codes whose code-list entry says so (03, 04, 06) and ALLOWED (not flagged) for the others.
 */
export const XML8_ALLOWED_FOR_OTHER_CARE_TYPES = true;

/**
 * Care type TELEMEDICINE: MA_LOAI_KCB 14 exists only from QĐ 1804/2026 (01/08/2026,
 * secondary source). Reading: before that date telemedicine is coded 01 (outpatient visit);
 * both entries live in codelists/care-types.json with validity dates.
 */
export const TELEMEDICINE_BEFORE_1804_CODE = '01';

/**
 * xml130.md §11 SO_NGAY_DTRI: rules given for 01/07/09 (= 0) and 02/03/04/06
 * (NGAY_RA − NGAY_VAO + 1). Not given for 05, 08 and 10–16. Reading: 05/08 follow the
 * "+1" rule like 02; 10–16 are not checked. Day difference uses calendar dates (UTC+7).
 */
export const TREATMENT_DAYS_RULE_SOURCE = 'codelists/care-types.json treatmentDays';

/**
 * §7 T_VTYT "supply lines (MA_NHOM 10, 11 in checkers)" and T_THUOC: read from the cost-group
 * code list (`kind`), never from literals in the logic.
 */
export const SUPPLY_KINDS_FOR_T_VTYT: readonly string[] = ['supply'];

/**
 * §7 T_BHTT_GDV: "checkers skip this for QN/CA/CY cards". Reading: the check is skipped when
 * any card of XML1 starts with one of these groups.
 */
export const T_BHTT_GDV_SKIPPED_CARD_GROUPS: readonly string[] = ['QN', 'CA', 'CY'];

/**
 * §7 other-source support: deducted first from T_BNTT, then T_BNCCT, then T_BHTT, each floored
 * at 0. Reading: only "support for one patient" is modelled (facility-wide support is outside
 * the claim); `0 < T_NGUONKHAC < THANH_TIEN_BV` is required when T_NGUONKHAC is non-zero.
 */
export const OTHER_SOURCES_ORDER = ['T_BNTT', 'T_BNCCT', 'T_BHTT'] as const;

/**
 * §5 NGAY_MIEN_CCT "8 or 12 characters depending on the case": both forms accepted.
 * Fields with format "yyyyMMddHHmm" also accept the gaps of §5 (HHmm = 0000; MMdd = 0000)
 * for NGAY_SINH only.
 */
export const BIRTH_DATE_FIELDS: readonly string[] = ['NGAY_SINH'];

/**
 * §11 "values repeated from XML1 equal XML1" (tables 6, 13, 14, 15) plus the obvious repeats in
 * XML7 (MA_YTE = MA_BN, dates) and XML8 (care type, dates, result). Reading: compared only
 * when the repeating field is non-empty.
 */
export const COMPARE_REPEATED_ONLY_WHEN_PRESENT = true;

/**
 * ICD-10 codes: the library ships only a subset (codelists/icd10.json). Reading: an unknown code
 * is a violation (CODE_UNKNOWN) so the subset must be extended (data change) for new codes.
 */
export const ICD10_UNKNOWN_IS_VIOLATION = true;

/**
 * Time of NGAY_RA for outpatient types 02, 05, 07 "last day of use with time 2359" (§5).
 * Reading: the builder writes the record's dischargeTime as given; scenarios put 23:59 there.
 */
export const OUTPATIENT_END_TIME = '2359';

/**
 * §7 "T_BHTT = T_TONGCHI_BH − T_BNCCT" vs other-source support deducted from T_BNCCT/T_BHTT
 * (which breaks that identity). Reading: XML1 T_BHTT = Σ line T_BHTT always (like the other
 * totals); the identity T_BHTT = T_TONGCHI_BH − T_BNCCT is checked only when T_NGUONKHAC = 0.
 */
export const T_BHTT_IDENTITY_ONLY_WITHOUT_OTHER_SOURCES = true;

/**
 * ICD-10 code form in MA_BENH_CHINH / MA_BENH_KT / MA_BENH (max 7 characters): with or without
 * the dot is not stated. Reading: with the dot (`J06.9`), as in the ICD-10 list of QĐ 4469.
 */
export const ICD10_WITH_DOT = true;

/**
 * XML0 card fields are single values (MA_THE_BHYT max 15), unlike XML1 lists. Reading: the
 * check-in carries the first card of the episode.
 */
export const CHECKIN_USES_FIRST_CARD = true;

/**
 * XML0 MA_LOAI_KCB at reception for an episode that later becomes inpatient. Reading: the
 * care type of the record (the episode's final type) is sent on both check-ins.
 */
export const CHECKIN_CARE_TYPE_IS_EPISODE_TYPE = true;

/**
 * Check-in not needed for emergencies (MA_DOITUONG_KCB = 2) — read from the patient-category
 * code list (`checkinRequired`), see checkinRequired(); buildCheckinDocument still builds one
 * when asked.
 */
export const CHECKIN_REQUIREMENT_FROM_CODE_LIST = true;

/**
 * XML3 MA_BENH (required, max 100) on supply and service lines. Reading: the main ICD-10 code
 * followed by the secondary codes, ';'-separated, unless the line names its own codes.
 */
export const XML3_MA_BENH_DEFAULT = 'main;secondary';

/**
 * NAM_QT / THANG_QT (settlement year/month). Reading: the month of NGAY_TTOAN, else of NGAY_RA;
 * THANG_QT written without a leading zero ("3"), NAM_QT as 4 digits.
 */
export const SETTLEMENT_PERIOD_FROM = 'NGAY_TTOAN or NGAY_RA';
