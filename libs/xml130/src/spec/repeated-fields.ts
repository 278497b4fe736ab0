import type { ClaimTableId, StandardId } from './metadata';

/**
 * Values other tables repeat from XML1 (xml130.md §3, §11): table → [own field, XML1 field].
 * The builder copies them from XML1; the validator compares them (VALUE_MISMATCH).
 */
type Repeats = Partial<Record<ClaimTableId, ReadonlyArray<readonly [string, string]>>>;

export const REPEATED_FROM_XML1: Partial<Record<ClaimTableId, ReadonlyArray<readonly [string, string]>>> = {
  XML6: [
    ['MA_THE_BHYT', 'MA_THE_BHYT'],
    ['SO_CCCD', 'SO_CCCD'],
    ['NGAY_SINH', 'NGAY_SINH'],
    ['GIOI_TINH', 'GIOI_TINH'],
    ['DIA_CHI', 'DIA_CHI'],
    ['MATINH_CU_TRU', 'MATINH_CU_TRU'],
    ['MAHUYEN_CU_TRU', 'MAHUYEN_CU_TRU'],
    ['MAXA_CU_TRU', 'MAXA_CU_TRU'],
    ['MA_CSKCB', 'MA_CSKCB'],
  ],
  XML7: [
    ['MA_YTE', 'MA_BN'],
    ['NGAY_VAO', 'NGAY_VAO'],
    ['NGAY_RA', 'NGAY_RA'],
    ['MA_TTDV', 'MA_TTDV'],
  ],
  XML8: [
    ['MA_LOAI_KCB', 'MA_LOAI_KCB'],
    ['NGAY_VAO', 'NGAY_VAO'],
    ['NGAY_RA', 'NGAY_RA'],
    ['CHAN_DOAN_VAO', 'CHAN_DOAN_VAO'],
    ['CHAN_DOAN_RV', 'CHAN_DOAN_RV'],
    ['KET_QUA_DTRI', 'KET_QUA_DTRI'],
    ['MA_TTDV', 'MA_TTDV'],
  ],
  XML9: [['MA_TTDV', 'MA_TTDV']],
  XML10: [['MA_TTDV', 'MA_TTDV']],
  XML11: [
    ['MA_THE_BHYT', 'MA_THE_BHYT'],
    ['MA_TTDV', 'MA_TTDV'],
  ],
  XML13: [
    ['MA_CSKCB', 'MA_CSKCB'],
    ['HO_TEN', 'HO_TEN'],
    ['NGAY_SINH', 'NGAY_SINH'],
    ['GIOI_TINH', 'GIOI_TINH'],
    ['MA_QUOCTICH', 'MA_QUOCTICH'],
    ['MA_DANTOC', 'MA_DANTOC'],
    ['MA_NGHE_NGHIEP', 'MA_NGHE_NGHIEP'],
    ['DIA_CHI', 'DIA_CHI'],
    ['MA_THE_BHYT', 'MA_THE_BHYT'],
    ['GT_THE_DEN', 'GT_THE_DEN'],
    ['NGAY_VAO', 'NGAY_VAO'],
    ['NGAY_VAO_NOI_TRU', 'NGAY_VAO_NOI_TRU'],
    ['NGAY_RA', 'NGAY_RA'],
    ['CHAN_DOAN_RV', 'CHAN_DOAN_RV'],
    ['MA_BENH_CHINH', 'MA_BENH_CHINH'],
    ['MA_BENH_KT', 'MA_BENH_KT'],
    ['MA_BENH_YHCT', 'MA_BENH_YHCT'],
    ['MA_NOI_DI', 'MA_NOI_DI'],
    ['MA_NOI_DEN', 'MA_NOI_DEN'],
    ['MA_LOAI_RV', 'MA_LOAI_RV'],
    ['MA_TTDV', 'MA_TTDV'],
  ],
  XML14: [
    ['MA_CSKCB', 'MA_CSKCB'],
    ['HO_TEN', 'HO_TEN'],
    ['NGAY_SINH', 'NGAY_SINH'],
    ['GIOI_TINH', 'GIOI_TINH'],
    ['DIA_CHI', 'DIA_CHI'],
    ['MA_THE_BHYT', 'MA_THE_BHYT'],
    ['GT_THE_DEN', 'GT_THE_DEN'],
    ['NGAY_VAO', 'NGAY_VAO'],
    ['NGAY_VAO_NOI_TRU', 'NGAY_VAO_NOI_TRU'],
    ['NGAY_RA', 'NGAY_RA'],
    ['CHAN_DOAN_RV', 'CHAN_DOAN_RV'],
    ['MA_BENH_CHINH', 'MA_BENH_CHINH'],
    ['MA_BENH_KT', 'MA_BENH_KT'],
    ['MA_BENH_YHCT', 'MA_BENH_YHCT'],
    ['MA_DOITUONG_KCB', 'MA_DOITUONG_KCB'],
    ['MA_TTDV', 'MA_TTDV'],
  ],
  XML15: [
    ['MA_BN', 'MA_BN'],
    ['HO_TEN', 'HO_TEN'],
    ['SO_CCCD', 'SO_CCCD'],
    ['MA_CSKCB', 'MA_CSKCB'],
  ],
};

/**
 * 3176 renames XML13 MA_NOI_DEN to MA_CSKCB_DEN ("filled as XML1.MA_NOI_DEN") and MA_NOI_DI to
 * MA_CSKCB_DI, a list that is checked by its own rule (validate.ts referralFacilities), not
 * compared as one value.
 */
const REPEATED_3176: Repeats = {
  ...REPEATED_FROM_XML1,
  XML13: (REPEATED_FROM_XML1.XML13 ?? [])
    .filter(([own]) => own !== 'MA_NOI_DI')
    .map(([own, from]) =>
      own === 'MA_NOI_DEN' ? (['MA_CSKCB_DEN', from] as const) : ([own, from] as const),
    ),
};

/** Values other tables repeat from XML1 under an edition. */
export function repeatedFromXml1(standard: StandardId): Repeats {
  return standard === '4750' ? REPEATED_FROM_XML1 : REPEATED_3176;
}
