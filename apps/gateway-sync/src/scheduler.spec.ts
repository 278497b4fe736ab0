import type { EntityManager } from 'typeorm';
import type { GatewayClient, GatewayOutcome } from '@bhyt/gateway-client';
import type { ServiceRuntime } from '@bhyt/service-kit';
import { loadGatewaySyncConfig } from './config';
import { SubmissionScheduler, SubmissionRow } from './scheduler';

const row: SubmissionRow = {
  id: '1',
  kind: 'claim',
  facility_code: '79001',
  ma_lk: 'LK-1',
  version: 1,
  care_type: 'OUTPATIENT_VISIT',
  document_sha256: 'ab'.repeat(32),
  signed_xml_b64: Buffer.from('<GIAMDINHHS/>').toString('base64'),
  encounter_end: new Date('2026-11-25T08:00:00Z'),
  deadline: new Date('2026-11-26T08:00:00Z'),
  status: 'IN_FLIGHT',
  attempts: 1,
  missed_notified: false,
  trace: null,
};

const accepted: GatewayOutcome = { kind: 'accepted', maGiaoDich: 'GD-1', thoiGianTiepNhan: '20261125160000' };

/** A runtime whose database fails to store the outcome `failures` times (a restart), then works. */
function fakeRuntime(failures: number) {
  const stored: string[][] = [];
  let taken = false;
  let calls = 0;
  const runtime = {
    logger: { warn: jest.fn(), error: jest.fn(), info: jest.fn() },
    ds: {
      // The scheduler's take: one due row, once.
      query: jest.fn(async () => {
        if (taken) return [[], 0];
        taken = true;
        return [[row], 1];
      }),
    },
    tx: jest.fn(async (work: (m: EntityManager) => Promise<unknown>) => {
      calls++;
      if (calls <= failures) throw new Error('connection terminated unexpectedly');
      const log: string[] = [];
      stored.push(log);
      return work({ query: async (sql: string) => (log.push(sql.trim().split(/\s+/).slice(0, 3).join(' ')), [[], 0]) } as unknown as EntityManager);
    }),
  };
  return { runtime: runtime as unknown as ServiceRuntime, stored, tx: runtime.tx, logger: runtime.logger };
}

describe('SubmissionScheduler', () => {
  it('keeps retrying to store a gateway answer while the database is down, and sends the claim only once', async () => {
    const { runtime, stored, tx, logger } = fakeRuntime(2);
    const submitClaim = jest.fn(async () => accepted);
    const config = loadGatewaySyncConfig({ GATEWAY_URL: 'http://gateway.test', DATABASE_URL: 'postgres://u@127.0.0.1:5432/x', KAFKA_BROKERS: '127.0.0.1:9092', FACILITY_REGISTRY_FILE: 'config/facilities.dev.json' });
    const scheduler = new SubmissionScheduler(runtime, { submitClaim } as unknown as GatewayClient, config);
    scheduler.start();
    const until = Date.now() + 10_000;
    while (stored.length === 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
    await scheduler.stop();
    expect(tx).toHaveBeenCalledTimes(3);
    expect(submitClaim).toHaveBeenCalledTimes(1);
    expect(stored[0]).toEqual(expect.arrayContaining(['INSERT INTO submission_attempts', 'UPDATE submissions SET']));
    expect(logger.warn).toHaveBeenCalledWith(expect.objectContaining({ failures: 2 }), 'gateway outcome not stored yet; retrying');
  });
});
