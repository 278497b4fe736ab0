/**
 * Every point of the spec marked "unconfirmed", "interpretation" or left open, and the reading
 * this library takes. Logic reads these constants instead of deciding silently elsewhere.
 */
import Decimal from 'decimal.js';
import { VIETNAM_OFFSET_MS } from '@bhyt/contracts';

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
export const VIETNAM_UTC_OFFSET_MINUTES = VIETNAM_OFFSET_MS / 60_000;

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

/**
 * xml3176.md §1, §5: the 3176 annex we have is the final draft of 28/10/2024; that the signed
 * decision applies from 01/01/2025 comes from a secondary source. Reading: 01/01/2025, by the
 * day the encounter ended (NGAY_RA), dated in spec/standards.ts (the one place for dates).
 */
export const STANDARD_3176_EFFECTIVE_FROM_SECONDARY = true;

/**
 * xml3176.md §4 XML1 SO_NGAY_DTRI: care type 01 is no longer named by 3176. Reading: the general
 * formula NGAY_RA − NGAY_VAO + 1 (so 1 for a one-day visit), spec/standard-rules.ts. Care types
 * 05/07 ("longest drug-use period") use the drug lines' supplyDays, which the XML does not carry,
 * so the validator does not check them; 02/08 ("days on which services were performed") count
 * the distinct calendar days of the XML3 service lines' SERVICE_DAY_FROM.
 */
export const TREATMENT_DAYS_01_UNDER_3176 = 'span' as const;
export const SERVICE_DAY_FROM: 'NGAY_TH_YL' | 'NGAY_YL' = 'NGAY_TH_YL';

/**
 * xml3176.md §4 XML3 MA_MAY: funding digit 3 carries its source in brackets; where the bracket
 * goes is not shown. Reading: right after the digit (`HH.3[vaynganhang].SN01`), as one public
 * checker expects.
 */
export const MACHINE_FUNDING_BRACKET_AFTER_DIGIT = true;

/**
 * xml3176.md §5: DU_PHONG of XML13/XML14/XML15 "carries the facility's digital-signature data",
 * in no stated form (XMLDSig element, base64, certificate?). Reading: left empty; the whole file
 * is signed in CHUKYDONVI of the envelope, which 3176 leaves unchanged.
 */
export const SIGNATURE_IN_DU_PHONG = '';

/**
 * xml3176.md §3 SO_CCCD (3176): 12-digit citizen/personal number or, for a foreigner, a passport
 * number; empty when it cannot be obtained. Reading of "passport number": a capital letter then
 * 5–19 capital letters or digits (spec/standard-rules.ts); the 9-digit card is no longer accepted.
 */
export const PASSPORT_NUMBER_FORM = '[A-Z][A-Z0-9]{5,19}';

/**
 * xml3176.md §4 XML13 MA_CSKCB_DI "filled as XML1.MA_NOI_DI", several facilities ';'-separated.
 * Reading: the earlier facilities in the order the patient passed through them, XML1.MA_NOI_DI
 * last; when XML1.MA_NOI_DI is filled it must be one of the items, and the facility's own code
 * (MA_CSKCB) is never a referring facility.
 */
export const REFERRAL_FROM_LIST_ENDS_WITH_XML1 = true;

/**
 * xml130.md §11 (public checker): "flag codes that are traditional-medicine codes" as the main
 * diagnosis. The traditional-medicine list is not in this library. Reading: a code listed in the
 * record's own MA_BENH_YHCT, or one of the ICD-10 U50–U79 block that national traditional
 * medicine lists use; a warning (TRADITIONAL_CODE_AS_MAIN), as the source is a checker.
 */
export const TRADITIONAL_MEDICINE_CODE = /^U[5-7]\d/;

/**
 * 3176 requiredWhen texts that depend on facts the row does not carry ("unless the commune has no
 * code yet", "except finished drugs outside the BHYT scope", "only when the drug is used at the
 * facility", "when the height is used for diagnosis"): reading — such a field is optional (the
 * 3176 metadata already marks it not required). Where 3176 adds an exception to a 4750
 * condition (XML3 NGUOI_THUC_HIEN "except paraclinical tests sent to another facility"), the 4750
 * condition is kept: the exception cannot be seen in the row.
 */
export const CONTEXT_DEPENDENT_REQUIRED_WHEN_IS_OPTIONAL = true;
