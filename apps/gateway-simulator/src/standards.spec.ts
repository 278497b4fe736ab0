/**
 * The simulator checks records against the edition of the endpoint they are sent to (3176 on
 * …QD3176, 4750 on …QD4750), with the field tables and rules of libs/xml130. In-process
 * simulator on an ephemeral port, signature checks off (signature.spec.ts covers them).
 */
import { GatewayClient, staticAccountResolver } from '@bhyt/gateway-client';
import {
  buildCheckinDocument,
  buildClaimTables,
  buildEnvelope,
  serializeClaimTables,
  type StandardId,
} from '@bhyt/xml130';
import { scenarios } from '@bhyt/xml130/testing';
import { startGatewaySimulator, type SimulatorHandle } from './simulator';

const FACILITY = '79999';
let sim: SimulatorHandle;

beforeAll(async () => {
  sim = await startGatewaySimulator({
    port: 0,
    config: {
      facilities: [{ code: FACILITY, accounts: [{ username: `${FACILITY}_BV`, password: 'pw' }] }],
      signaturePolicy: 'off',
      processingDelayMs: 1,
    },
  });
});
afterAll(() => sim.close());

function client(family: StandardId): GatewayClient {
  return new GatewayClient({
    baseUrl: sim.url,
    endpointFamily: family,
    accounts: staticAccountResolver({ [FACILITY]: { username: `${FACILITY}_BV`, password: 'pw' } }),
    totalTimeoutMs: 5_000,
  });
}

function envelope(scenario: string, standard: StandardId, maLk: string): string {
  const tables = buildClaimTables(scenarios[scenario]!({ facilityCode: FACILITY, maLk }), { standard });
  return buildEnvelope({
    facilityCode: FACILITY,
    ngayLap: '20261102',
    files: serializeClaimTables(tables, standard),
  });
}

async function resultErrors(maGiaoDich: string): Promise<unknown[]> {
  await sim.drain();
  const r = (await (await fetch(`${sim.url}/admin/results/${maGiaoDich}`)).json()) as { errors?: unknown[] };
  return r.errors ?? [];
}

describe('simulator validation by endpoint edition', () => {
  it('accepts a 3176-shaped record on the 3176 endpoint with no validation errors', async () => {
    const c = client('3176');
    try {
      for (const name of ['referral', 'followUpAppointment', 'inpatientWithSurgery']) {
        const out = await c.submitClaim({
          facilityCode: FACILITY,
          signedXml: envelope(name, '3176', `LK-3176-${name}`),
        });
        expect(out.kind).toBe('accepted');
        if (out.kind === 'accepted') expect(await resultErrors(out.maGiaoDich)).toEqual([]);
      }
      expect(
        (
          await c.submitCheckin({
            facilityCode: FACILITY,
            signedXml: buildCheckinDocument(
              scenarios['outpatientVisit']!({ facilityCode: FACILITY, maLk: 'LK-CI' }),
            ),
          })
        ).kind,
      ).toBe('accepted');
    } finally {
      c.close();
    }
  });

  it('refuses 4750-shaped XML13 and XML14 on the 3176 endpoint with 202 naming the table and element', async () => {
    const c = client('3176');
    try {
      const x13 = await c.submitClaim({
        facilityCode: FACILITY,
        signedXml: envelope('referral', '4750', 'LK-OLD13'),
      });
      expect(x13).toMatchObject({ kind: 'permanent', code: '202' });
      expect((x13 as { reason: string }).reason).toMatch(
        /^XML13\.(MA_NOI_DI|MA_NOI_DEN|TEN_DICH_VU|TEN_THUOC|PP_DIEU_TRI): .* under 4750, not under 3176/,
      );
      const x14 = await c.submitClaim({
        facilityCode: FACILITY,
        signedXml: envelope('followUpAppointment', '4750', 'LK-OLD14'),
      });
      expect(x14).toMatchObject({ kind: 'permanent', code: '202' });
      expect((x14 as { reason: string }).reason).toMatch(/^XML14\.NGAY_HEN_KL: /);
    } finally {
      c.close();
    }
  });

  it('keeps the 4750 behaviour on the 4750 endpoint: 4750 records accepted, 3176 elements refused', async () => {
    const c = client('4750');
    try {
      const ok = await c.submitClaim({
        facilityCode: FACILITY,
        signedXml: envelope('referral', '4750', 'LK-4750'),
      });
      expect(ok.kind).toBe('accepted');
      if (ok.kind === 'accepted') expect(await resultErrors(ok.maGiaoDich)).toEqual([]);
      const wrong = await c.submitClaim({
        facilityCode: FACILITY,
        signedXml: envelope('referral', '3176', 'LK-NEW-ON-OLD'),
      });
      expect(wrong).toMatchObject({ kind: 'permanent', code: '202' });
    } finally {
      c.close();
    }
  });

  it('reports field errors of the edition asynchronously, per table, row and field', async () => {
    const c = client('3176');
    try {
      const tables = buildClaimTables(scenarios['inpatient']!({ facilityCode: FACILITY, maLk: 'LK-BAD' }));
      tables.XML1![0]!.MA_TTDV = 'G'.repeat(300);
      const xml = buildEnvelope({
        facilityCode: FACILITY,
        ngayLap: '20261102',
        files: serializeClaimTables(tables),
      });
      const out = await c.submitClaim({ facilityCode: FACILITY, signedXml: xml });
      expect(out.kind).toBe('accepted');
      if (out.kind === 'accepted')
        expect(await resultErrors(out.maGiaoDich)).toContainEqual(
          expect.objectContaining({ check: 'fields', table: 'XML1', field: 'MA_TTDV' }),
        );
    } finally {
      c.close();
    }
  });
});
