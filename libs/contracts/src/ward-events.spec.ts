import { CheckedWardEvent, isStandardDateTime } from './ward-events';

const base = {
  eventId: '7f1f4a3e-52a8-4c57-9d0e-1f2a3b4c5d6e',
  facilityCode: '79001',
  maLk: '79001_2026_12_0000001',
  occurredAt: '2026-12-01T08:00:00Z',
};
const issues = (event: Record<string, unknown>) => {
  const r = CheckedWardEvent.safeParse({ ...base, ...event });
  return r.success ? [] : [...new Set(r.error.issues.map((i) => i.path.join('.')))];
};
const drug = {
  code: '40.17',
  name: 'Paracetamol',
  costGroup: '4',
  unit: 'viên',
  strength: '500mg',
  route: '1.01',
  dosage: '2 lần/ngày',
  quantity: '10',
  unitPrice: '1500',
  department: 'K01',
  doctor: 'BS001',
  orderedAt: '2026-12-01T08:00:00Z',
};

describe('ward-event schemas', () => {
  it('refuses a drug order with empty data, naming each missing field of the event', () => {
    expect(issues({ type: 'drug.ordered', data: {} })).toEqual(
      expect.arrayContaining(['data.name', 'data.quantity', 'data.unitPrice', 'data.orderedAt']),
    );
  });

  it('refuses an object where a price belongs and a price with more decimals than the column holds', () => {
    expect(issues({ type: 'drug.ordered', data: { ...drug, unitPrice: { amount: 1 } } })).toEqual([
      'data.unitPrice',
    ]);
    expect(issues({ type: 'drug.ordered', data: { ...drug, unitPrice: '1.23456' } })).toEqual([
      'data.unitPrice',
    ]);
  });

  it('refuses a 100 KB service name (TEN_DICH_VU holds 1024 characters)', () => {
    const service = {
      ...drug,
      code: '02.1896',
      costGroup: '1',
      hospitalPrice: '30000',
      name: 'x'.repeat(100_000),
    };
    expect(issues({ type: 'service.ordered', data: service })).toEqual(['data.name']);
  });

  it('names the patient fields of an admission by the event’s own names', () => {
    expect(
      issues({
        type: 'admission',
        data: { patient: { nationalityCode: 'VIỆT NAM', birthDateTime: '198513450000' } },
      }),
    ).toEqual(['data.patient.birthDateTime', 'data.patient.nationalityCode']);
  });

  it('accepts an ordinary drug order, and birth dates with unknown day or month', () => {
    expect(issues({ type: 'drug.ordered', data: drug })).toEqual([]);
    expect(['198500000000', '198503000000', '198503150930'].map((v) => isStandardDateTime(v, true))).toEqual([
      true,
      true,
      true,
    ]);
    expect(['198513450000', '198502300000', '198503152460'].map((v) => isStandardDateTime(v, true))).toEqual([
      false,
      false,
      false,
    ]);
  });

  it('takes a retraction by eventId and refuses one that also claims to replace an event', () => {
    expect(issues({ type: 'retraction', data: { eventId: base.eventId } })).toEqual([]);
    expect(issues({ type: 'retraction', data: { eventId: 'nope' }, replaces: base.eventId })).toEqual([
      'replaces',
      'data.eventId',
    ]);
  });
});
