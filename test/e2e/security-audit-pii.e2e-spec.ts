import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { verifyAuditTable } from '@bhyt/audit';
import { listScenarios } from '@bhyt/xml130/testing';
import { piiCipherFromEnv } from '../../apps/intake/src/pii-cipher';
import { registrationFor } from '../../tools/platform/demo';
import { stateDir } from '../../tools/platform/processes';
import { startTestPlatform, TestPlatform } from '../support/harness';

jest.setTimeout(150_000);

/**
 * The audit log and personal data at rest, in the services' own databases: every decision on
 * patient data and every operator action is in a hash chain the database refuses to change and
 * the verifier proves untouched (and catches once touched); the patients table holds ciphertext.
 */
describe('audit log and personal data at rest', () => {
  let t: TestPlatform;
  const A = '79001';
  const B = '48001';
  const scenario = listScenarios()[1]!;
  const record = scenario.build({
    facilityCode: A,
    maLk: 'PENDING',
    patientSeed: 777,
    start: new Date(Date.now() - 3 * 3600_000),
  });

  beforeAll(async () => {
    t = await startTestPlatform('e2e_sec_audit', 910);
  });

  afterAll(async () => {
    await t?.stop();
  });

  const auditRows = (service: 'encounter' | 'gatewaySync' | 'intake') =>
    t.query<{
      seq: string;
      actor: string;
      category: string;
      action: string;
      facility: string | null;
      outcome: string;
    }>(service, `SELECT seq, actor, category, action, facility, outcome FROM audit_log ORDER BY seq`);

  it('records allowed and refused reads of patient data and operator actions, in a chain that verifies', async () => {
    const enc = t.platform.url('encounter');
    await t.fetchAs(`doctor-${A}`, `${enc}/v1/facilities/${A}/encounters/${A}_2025_01_0000009`);
    await t.fetchAs(`doctor-${B}`, `${enc}/v1/facilities/${A}/encounters/${A}_2025_01_0000009`);
    await t.fetchAs('sre', `${t.platform.url('gatewaySync')}/v1/claims/summary`);
    const rows = await auditRows('encounter');
    expect(rows.map((r) => [r.actor, r.category, r.facility, r.outcome])).toEqual([
      [`doctor-${A}`, 'patient-data', A, 'allowed'],
      [`doctor-${B}`, 'patient-data', A, 'denied:FACILITY_FORBIDDEN'],
    ]);
    expect(rows[0]!.action).toBe('GET /v1/facilities/:facilityCode/encounters/:maLk');
    expect((await auditRows('gatewaySync')).map((r) => [r.actor, r.category, r.outcome])).toEqual([
      ['sre', 'operator', 'allowed'],
    ]);
    expect(await verifyAuditTable((sql, p) => t.query('encounter', sql, p))).toMatchObject({
      ok: true,
      rows: 2,
    });
  });

  it('refuses to update, delete or truncate audit rows', async () => {
    await expect(
      t.query('encounter', `UPDATE audit_log SET outcome = 'allowed' WHERE seq = 2`),
    ).rejects.toThrow(/append-only/);
    await expect(t.query('encounter', `DELETE FROM audit_log WHERE seq = 2`)).rejects.toThrow(/append-only/);
    await expect(t.query('encounter', `TRUNCATE audit_log`)).rejects.toThrow(/append-only/);
    expect(await auditRows('encounter')).toHaveLength(2);
  });

  it('detects a row changed by someone who could switch the trigger off', async () => {
    await t.query('encounter', `ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_change`);
    await t.query('encounter', `UPDATE audit_log SET outcome = 'allowed' WHERE seq = 2`);
    await t.query('encounter', `ALTER TABLE audit_log ENABLE TRIGGER audit_log_no_change`);
    expect(await verifyAuditTable((sql, p) => t.query('encounter', sql, p))).toMatchObject({
      ok: false,
      seq: 2,
      problem: 'CONTENT_HASH',
    });
  });

  it('keeps patients’ personal data only as ciphertext that the data key opens', async () => {
    const res = await t.fetchAs(`ward-${A}`, `${t.platform.url('intake')}/v1/facilities/${A}/visits`, {
      method: 'POST',
      body: JSON.stringify(registrationFor(record, 'CCCD', 'sec-pii-1')),
    });
    expect(res.status).toBe(201);
    const { patientRef } = (await res.json()) as { patientRef: string };
    const columns = await t.query<{ column_name: string }>(
      'intake',
      `SELECT column_name FROM information_schema.columns WHERE table_name = 'patients'`,
    );
    expect(columns.map((c) => c.column_name)).not.toEqual(expect.arrayContaining(['full_name']));
    const [row] = await t.query<{ pii: Buffer; whole: string }>(
      'intake',
      `SELECT pii, p::text AS whole FROM patients p WHERE patient_ref = $1`,
      [patientRef],
    );
    const secrets = [
      record.patient.fullName,
      record.patient.citizenId!,
      record.patient.birthDateTime.slice(0, 8),
    ];
    for (const s of secrets) {
      expect(row!.whole).not.toContain(s);
      expect(row!.pii.includes(Buffer.from(s, 'utf8'))).toBe(false);
    }
    const cipher = piiCipherFromEnv({
      PII_DATA_KEY: readFileSync(join(stateDir(), 'secrets', 'pii-data-key'), 'utf8').trim(),
      PII_DATA_KEY_ID: 'dev1',
    });
    expect(cipher.decrypt(row!.pii, patientRef)).toMatchObject({
      fullName: record.patient.fullName,
      citizenId: record.patient.citizenId,
    });
  });

  it('records a refused health-book read as denied with its reason, not as the guard’s allowed', async () => {
    const before = (await auditRows('encounter')).length;
    const res = await t.fetchAs(
      `doctor-${A}`,
      `${t.platform.url('encounter')}/v1/facilities/${A}/patients/6f1c1b9e-4c1e-4a57-9b43-0d2b7f7c2b10/health-book?purpose=TREATMENT`,
    );
    expect(res.status).toBe(404);
    const rows = (await auditRows('encounter')).slice(before);
    expect(rows.map((r) => [r.actor, r.action, r.outcome])).toEqual([
      [
        `doctor-${A}`,
        'GET /v1/facilities/:facilityCode/patients/:patientRef/health-book',
        'denied:PATIENT_UNKNOWN',
      ],
    ]);
  });
});
