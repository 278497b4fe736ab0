import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listScenarios } from '@bhyt/xml130/testing';
import { runDemo, DemoEncounter } from '../../tools/platform/demo';
import { simulatorSubmissions, startTestPlatform, TestPlatform, waitFor } from '../support/harness';

jest.setTimeout(300_000);

/**
 * The walking skeleton, end to end against the real stack: ward-system traffic for every
 * scenario enters intake over HTTP and travels intake.registered → encounter.closed →
 * claim.signed → claim.submitted; each hop is checked in that service's own database and the
 * simulator's record, and every received document is verified by xmlsec1.
 */
describe('a claim travels from intake to the gateway', () => {
  let t: TestPlatform;
  let demo: DemoEncounter[];
  const facilities = ['79001', '01001'];

  beforeAll(async () => {
    t = await startTestPlatform('e2e_pipeline', 100);
    demo = await runDemo({
      intakeUrl: t.platform.url('intake'),
      encounterUrl: t.platform.url('encounter'),
      facilities,
      encounters: listScenarios().length,
      concurrency: 4,
    });
  });

  afterAll(async () => {
    await t?.stop();
  });

  it('closes every scenario without a validation error', () => {
    expect(demo.filter((d) => d.error).map((d) => `${d.scenario}: ${d.error}`)).toEqual([]);
    expect(demo.map((d) => d.careType)).toEqual(
      expect.arrayContaining([
        'OUTPATIENT_VISIT',
        'OUTPATIENT_TREATMENT',
        'INPATIENT',
        'DAY_TREATMENT',
        'SCHEDULED_REFILL',
        'TELEMEDICINE',
      ]),
    );
  });

  it('delivers each closed encounter to the gateway exactly once', async () => {
    const sim = t.platform.url('gatewaySimulator');
    const received = await waitFor('all claims at the simulator', async () => {
      const subs = (await simulatorSubmissions(sim)).filter((s) => s.kind !== 'checkin');
      return subs.length >= demo.length ? subs : undefined;
    });
    const keys = received.map((s) => `${s.facility}|${s.maLk}|${s.version}`);
    expect(new Set(keys).size).toBe(keys.length);
    expect(received.filter((s) => s.duplicateOf)).toEqual([]);
    expect(new Set(received.map((s) => `${s.facility}|${s.maLk}`))).toEqual(
      new Set(demo.map((d) => `${d.facilityCode}|${d.maLk}`)),
    );
  });

  it('leaves the expected state in every service database', async () => {
    const maLks = demo.map((d) => d.maLk);
    const visits = await t.query('intake', `SELECT ma_lk FROM visits WHERE ma_lk = ANY($1)`, [maLks]);
    expect(visits).toHaveLength(demo.length);
    const encounters = await t.query<{ status: string; version: number }>(
      'encounter',
      `SELECT status, version FROM encounters WHERE ma_lk = ANY($1)`,
      [maLks],
    );
    expect(encounters.every((e) => e.status === 'CLOSED' && e.version === 1)).toBe(true);
    expect(encounters).toHaveLength(demo.length);
    const signed = await t.query('signer', `SELECT ma_lk FROM signed_claims WHERE ma_lk = ANY($1)`, [maLks]);
    expect(signed).toHaveLength(demo.length);
    const submitted = await waitFor('gateway-sync rows submitted', async () => {
      const rows = await t.query<{ status: string; ma_giao_dich: string }>(
        'gatewaySync',
        `SELECT status, ma_giao_dich FROM submissions WHERE kind = 'claim' AND ma_lk = ANY($1)`,
        [maLks],
      );
      return rows.length === demo.length && rows.every((r) => r.ma_giao_dich) ? rows : undefined;
    });
    expect(submitted.every((r) => ['SUBMITTED', 'ACCEPTED'].includes(r.status))).toBe(true);
    const facts = await waitFor('reporting counts every submission', async () => {
      const rows = await t.query<{ submitted_at: Date | null }>(
        'reporting',
        `SELECT submitted_at FROM claim_facts WHERE ma_lk = ANY($1)`,
        [maLks],
      );
      return rows.length === demo.length && rows.every((r) => r.submitted_at) ? rows : undefined;
    });
    expect(facts).toHaveLength(demo.length);
  });

  it('produces documents that xmlsec1 verifies and that fail once tampered', async () => {
    const sim = t.platform.url('gatewaySimulator');
    const received = (await simulatorSubmissions(sim)).filter((s) => s.kind !== 'checkin');
    const dir = mkdtempSync(join(tmpdir(), 'e2e-xml-'));
    const certDir = join(process.env['STATE_DIR'] ?? '.state', 'certs');
    for (const s of received) {
      const raw = Buffer.from(
        await (await fetch(`${sim}/admin/submissions/${encodeURIComponent(s.maGiaoDich)}/raw`)).arrayBuffer(),
      );
      const file = join(dir, `${s.maGiaoDich}.xml`);
      writeFileSync(file, raw);
      const cert = join(certDir, `${s.facility}.pem`);
      expect(existsSync(cert)).toBe(true);
      execFileSync(
        'xmlsec1',
        ['--verify', '--enabled-reference-uris', 'empty', '--pubkey-cert-pem', cert, file],
        { stdio: 'pipe' },
      );
      const tampered = join(dir, `${s.maGiaoDich}.tampered.xml`);
      const text = raw.toString('utf8');
      writeFileSync(tampered, text.replace('<MACSKCB>', '<MACSKCB>9'));
      expect(() =>
        execFileSync(
          'xmlsec1',
          ['--verify', '--enabled-reference-uris', 'empty', '--pubkey-cert-pem', cert, tampered],
          { stdio: 'pipe' },
        ),
      ).toThrow();
    }
    expect(received.length).toBeGreaterThan(0);
  });
});
