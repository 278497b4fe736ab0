import { runChaos } from '../chaos/chaos';
import { chaosVerdict } from '../chaos/verdict';

jest.setTimeout(540_000);

/**
 * The short chaos variant inside npm test: a few hundred claims with every service running as
 * two processes, while replicas are SIGKILLed at random, services go through rolling restarts and
 * scale down to one replica and back, and the gateway answers 5xx, hangs, drops accepted
 * submissions and is slow. The shared Kafka broker and PostgreSQL are not restarted here (other
 * suites' platforms share them); the long variant (`npm run chaos`) does that. The verdict comes
 * from the simulator's own record and gateway-sync's operator API.
 */
describe('chaos, short variant, two replicas of every service', () => {
  it('submits every closed encounter exactly once, loses none, leaves none stuck and explains every failure', async () => {
    const claims = Number(process.env['CHAOS_SHORT_CLAIMS'] ?? 200);
    const result = await runChaos({
      name: 'e2e_chaos_short',
      portOffset: 920,
      replicas: Number(process.env['CHAOS_SHORT_REPLICAS'] ?? 2),
      claims,
      facilities: ['79001', '79002', '01001', '48001'],
      concurrency: 12,
      faultEveryMs: 8000,
      killServices: true,
      restartKafka: false,
      restartPostgres: false,
      gatewayFaults: true,
      overdueEvery: 50,
      loadTimeoutMs: 300_000,
      settleTimeoutMs: 90_000,
      ...(process.env['CHAOS_LOG'] ? { log: (line: string) => process.stderr.write(`${line}\n`) } : {}),
    });
    const { details, faults, failedToClose: _c, ...verdict } = result;
    console.log(JSON.stringify({ ...verdict, faults }));
    expect(details.closeErrors).toEqual([]);
    expect(details.lost).toEqual([]);
    expect(details.duplicates).toEqual([]);
    expect(details.unexplained).toEqual([]);
    expect(details.deadlineMissed).toEqual([]);
    expect(chaosVerdict(result, claims)).toEqual([]);
    expect(verdict.replicas).toBe(Number(process.env['CHAOS_SHORT_REPLICAS'] ?? 2));
    expect(Object.keys(faults).some((k) => /^(sigkill|rolling|scale):/.test(k))).toBe(true);
  });
});
