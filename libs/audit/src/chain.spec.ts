import { AUDIT_GENESIS_HASH, AuditEntry, AuditRow, auditHash, verifyChain } from './chain';

const entry = (i: number): AuditEntry => ({
  actor: `ward-7900${i % 2}`,
  role: 'ward-system',
  category: 'patient-data',
  action: 'GET /v1/facilities/:facilityCode/encounters/:maLk',
  resource: `/v1/facilities/79001/encounters/M${i}`,
  facility: '79001',
  outcome: 'allowed',
});

function chain(n: number): AuditRow[] {
  const rows: AuditRow[] = [];
  let prev = AUDIT_GENESIS_HASH;
  for (let i = 1; i <= n; i++) {
    const content = { ...entry(i), seq: i, at: new Date(Date.UTC(2025, 0, 1, 0, 0, i)).toISOString() };
    const hash = auditHash(prev, content);
    rows.push({ ...content, prevHash: prev, hash });
    prev = hash;
  }
  return rows;
}

describe('audit hash chain', () => {
  it('verifies an untouched chain and reports its head', () => {
    const rows = chain(5);
    expect(verifyChain(rows)).toEqual({ ok: true, rows: 5, head: rows[4]!.hash });
  });

  it('detects a changed field in any row', () => {
    const rows = chain(5);
    rows[2] = { ...rows[2]!, outcome: 'denied:FACILITY_FORBIDDEN' };
    expect(verifyChain(rows)).toMatchObject({ ok: false, seq: 3, problem: 'CONTENT_HASH' });
  });

  it('detects a removed row and a re-hashed row that no longer links', () => {
    const rows = chain(5);
    expect(verifyChain([...rows.slice(0, 2), ...rows.slice(3)])).toMatchObject({
      ok: false,
      seq: 4,
      problem: 'GAP',
    });
    const forged = { ...rows[1]!, actor: 'someone-else' };
    forged.hash = auditHash(forged.prevHash, forged);
    expect(verifyChain([rows[0]!, forged, ...rows.slice(2)])).toMatchObject({
      ok: false,
      seq: 3,
      problem: 'PREVIOUS_HASH',
    });
  });

  it('hashes the same content the same way whatever the key order', () => {
    const r = chain(1)[0]!;
    const reordered = {
      outcome: r.outcome,
      facility: r.facility,
      resource: r.resource,
      action: r.action,
      category: r.category,
      role: r.role,
      actor: r.actor,
      at: r.at,
      seq: r.seq,
    };
    expect(auditHash(AUDIT_GENESIS_HASH, reordered)).toBe(r.hash);
  });
});
