import { runChaos } from '../chaos/chaos';

jest.setTimeout(300_000);

/**
 * The short chaos variant inside npm test: a few hundred claims while services are SIGKILLed at
 * random and the gateway answers 5xx, hangs, drops accepted submissions and is slow. The shared
 * Kafka broker and PostgreSQL are not restarted here (other suites' platforms share them); the
 * long variant (`npm run chaos`) does that. The verdict comes from the simulator's own record.
 */
describe('chaos, short variant', () => {
  it('submits every closed encounter exactly once, loses none and explains every failure', async () => {
    const result = await runChaos({
      name: 'e2e_chaos_short',
      portOffset: 920,
      claims: Number(process.env['CHAOS_SHORT_CLAIMS'] ?? 200),
      facilities: ['79001', '79002', '01001', '48001'],
      concurrency: 12,
      faultEveryMs: 8000,
      killServices: true,
      restartKafka: false,
      restartPostgres: false,
      gatewayFaults: true,
      overdueEvery: 50,
      loadTimeoutMs: 120_000,
      settleTimeoutMs: 60_000,
      ...(process.env['CHAOS_LOG'] ? { log: (line: string) => process.stderr.write(`${line}\n`) } : {}),
    });
    const { details, faults: _f, failedToClose: _c, ...verdict } = result;
    console.log(JSON.stringify(verdict));
    expect(details.closeErrors).toEqual([]);
    expect(details.lost).toEqual([]);
    expect(details.duplicates).toEqual([]);
    expect(details.unexplained).toEqual([]);
    expect(details.deadlineMissed).toEqual([]);
    expect(verdict.claims).toBe(Number(process.env['CHAOS_SHORT_CLAIMS'] ?? 200));
    expect(Object.keys(result.faults).some((k) => k.startsWith('sigkill:'))).toBe(true);
  });
});
