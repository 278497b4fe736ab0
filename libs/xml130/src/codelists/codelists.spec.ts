import {
  CARE_TYPE_CODES,
  careTypeCode,
  careTypesForCode,
  COST_GROUPS,
  DEPARTMENTS,
  ICD10,
  PATIENT_CATEGORIES,
} from './codelists';

describe('code lists', () => {
  it('maps the six care types to MA_LOAI_KCB on a date', () => {
    expect(
      ['OUTPATIENT_VISIT', 'OUTPATIENT_TREATMENT', 'INPATIENT', 'DAY_TREATMENT', 'SCHEDULED_REFILL'].map(
        (c) => careTypeCode(c as 'INPATIENT', '20261102'),
      ),
    ).toEqual(['01', '02', '03', '04', '07']);
    expect(careTypeCode('TELEMEDICINE', '20260731')).toBe('01');
    expect(careTypeCode('TELEMEDICINE', '20260801')).toBe('14');
  });

  it('honours validity dates when looking up codes', () => {
    expect(CARE_TYPE_CODES.lookup('14', '20260731')).toBeUndefined();
    expect(CARE_TYPE_CODES.lookup('14', '20260801')?.label).toBe('Telemedicine');
    expect(CARE_TYPE_CODES.lookup('03', '202611021000')?.requiredTables).toContain('XML8');
  });

  it('knows which care types share a code', () => {
    expect(careTypesForCode('01', '20260101').sort()).toEqual(['OUTPATIENT_VISIT', 'TELEMEDICINE']);
  });

  it('holds the lists the validator needs', () => {
    expect(PATIENT_CATEGORIES.lookup('2', '20261102')?.emergency).toBe(true);
    expect(COST_GROUPS.lookup('10', '20261102')?.kind).toBe('supply');
    expect(DEPARTMENTS.lookup('K01', '20261102')).toBeDefined();
    expect(ICD10.lookup('J06.9', '20261102')).toBeDefined();
    expect(ICD10.lookup('J069', '20261102')).toBeUndefined();
  });
});
