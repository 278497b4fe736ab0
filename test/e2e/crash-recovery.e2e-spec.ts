import { runDemo } from '../../tools/platform/demo';
import { simulatorSubmissions, startTestPlatform, TestPlatform, waitFor } from '../support/harness';

jest.setTimeout(300_000);

/**
 * Kills services with SIGKILL while claims flow and restarts them: every closed encounter
 * still reaches the gateway, and none reaches it twice (the simulator's own record decides).
 */
describe('a service killed mid-stream', () => {
  let t: TestPlatform;

  beforeAll(async () => {
    t = await startTestPlatform('e2e_crash', 200);
  });

  afterAll(async () => {
    await t?.stop();
  });

  it('loses nothing and submits nothing twice when signer and gateway-sync are SIGKILLed and restarted', async () => {
    const sim = t.platform.url('gatewaySimulator');
    // Slow the gateway a little so that submissions are in flight when gateway-sync dies.
    await fetch(`${sim}/admin/faults`, {
      method: 'POST',
      body: JSON.stringify({ latency: { kind: 'fixed', ms: 150 } }),
    });
    let closed = 0;
    const demoDone = runDemo({
      intakeUrl: t.platform.url('intake'),
      encounterUrl: t.platform.url('encounter'),
      facilities: ['79001', '79002', '48001'],
      encounters: 48,
      concurrency: 6,
      onProgress: (done) => (closed = done),
    });
    await waitFor(
      'a first batch of closed encounters',
      async () => (closed >= 10 ? true : undefined),
      120000,
      100,
    );
    await t.platform.get('gatewaySync').stop('SIGKILL');
    await t.platform.get('signer').stop('SIGKILL');
    await new Promise((r) => setTimeout(r, 1000));
    const gs = t.platform.get('gatewaySync');
    const signer = t.platform.get('signer');
    gs.start();
    signer.start();
    await Promise.all([gs.waitReady(), signer.waitReady()]);
    await waitFor('more closed encounters', async () => (closed >= 30 ? true : undefined), 120000, 100);
    await t.platform.get('gatewaySync').stop('SIGKILL');
    gs.start();
    await gs.waitReady();
    const demo = await demoDone;
    expect(demo.filter((d) => d.error)).toEqual([]);

    const received = await waitFor(
      'every claim at the simulator',
      async () => {
        const subs = (await simulatorSubmissions(sim)).filter((s) => s.kind !== 'checkin');
        const have = new Set(subs.map((s) => `${s.facility}|${s.maLk}`));
        return demo.every((d) => have.has(`${d.facilityCode}|${d.maLk}`)) ? subs : undefined;
      },
      180000,
    );
    const perClaim = new Map<string, number>();
    for (const s of received)
      perClaim.set(
        `${s.facility}|${s.maLk}|${s.version}`,
        (perClaim.get(`${s.facility}|${s.maLk}|${s.version}`) ?? 0) + 1,
      );
    expect([...perClaim.values()].filter((n) => n > 1)).toEqual([]);
    expect(perClaim.size).toBe(demo.length);
  });
});
