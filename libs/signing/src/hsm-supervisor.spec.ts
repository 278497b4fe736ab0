import { HsmSupervisor, SupervisedHsm } from './hsm-supervisor';

/**
 * An HSM like SoftHSM: once its token went away its sessions stay broken, even after the token is
 * back, until it is reopened; reopening succeeds only while the token is there.
 */
function fakeHsm() {
  const hsm = {
    tokenPresent: true,
    broken: false,
    reopened: 0,
    attempts: 0,
    set down(v: boolean) {
      hsm.tokenPresent = !v;
      if (v) hsm.broken = true;
    },
    health: async () => hsm.tokenPresent && !hsm.broken,
    reopen: async () => {
      hsm.attempts++;
      if (!hsm.tokenPresent) throw new Error('token missing');
      hsm.broken = false;
      hsm.reopened++;
    },
  };
  return hsm satisfies SupervisedHsm & Record<string, unknown>;
}

describe('HSM supervisor', () => {
  it('reopens a failed HSM with a growing wait, is dead after deadAfterMs, and up again once it answers', async () => {
    let now = 0;
    const hsm = fakeHsm();
    const changes: boolean[] = [];
    const sup = new HsmSupervisor(hsm, {
      deadAfterMs: 10_000,
      retryMaxMs: 4000,
      now: () => now,
      onChange: (up) => changes.push(up),
    });
    expect(await sup.check()).toBe(true);
    expect(hsm.attempts).toBe(0);

    hsm.down = true;
    expect(await sup.check()).toBe(false); // first attempt at once
    expect(hsm.attempts).toBe(1);
    now += 500;
    await sup.check(); // within the 1 s wait: no attempt
    expect(hsm.attempts).toBe(1);
    now += 600;
    await sup.check(); // 1.1 s: second attempt, then 2 s wait
    expect(hsm.attempts).toBe(2);
    now += 2100;
    await sup.check();
    now += 4100;
    await sup.check(); // waits are capped at retryMaxMs
    expect(hsm.attempts).toBe(4);
    expect(sup.up).toBe(false);
    expect(sup.dead).toBe(false);
    now += 4000;
    expect(sup.dead).toBe(true);

    hsm.down = false;
    now += 4100;
    expect(await sup.check()).toBe(true);
    expect(hsm.reopened).toBe(1);
    expect([sup.up, sup.dead]).toEqual([true, false]);
    expect(changes).toEqual([false, true]);
  });

  it('runs one check at a time: concurrent callers share it', async () => {
    const hsm = fakeHsm();
    hsm.down = true;
    const sup = new HsmSupervisor(hsm, { deadAfterMs: 1000 });
    await Promise.all([sup.check(), sup.check(), sup.check()]);
    expect(hsm.attempts).toBe(1);
  });
});
