import { CircuitBreaker } from './circuit-breaker';
import { nextAttemptDelay } from './backoff';
import { deadlineFor, deadlinePolicy, deadlineState, HOUR } from './deadline';

describe('deadlines', () => {
  const end = new Date('2026-11-25T08:00:00Z');

  it('puts the deadline one window after the encounter end', () => {
    expect(deadlineFor(end, deadlinePolicy(24)).toISOString()).toBe('2026-11-26T08:00:00.000Z');
    expect(deadlineFor(end, deadlinePolicy(3)).toISOString()).toBe('2026-11-25T11:00:00.000Z');
  });

  it('reports ok, then at risk after three quarters of the window, then missed', () => {
    const p = deadlinePolicy(24);
    const dl = deadlineFor(end, p);
    expect(deadlineState(new Date(end.getTime() + 17 * HOUR), end, dl, p)).toBe('ok');
    expect(deadlineState(new Date(end.getTime() + 18 * HOUR), end, dl, p)).toBe('at-risk');
    expect(deadlineState(new Date(end.getTime() + 24 * HOUR + 1), end, dl, p)).toBe('missed');
  });

  it('refuses a window that is not positive', () => {
    expect(() => deadlinePolicy(0)).toThrow();
  });
});

describe('backoff', () => {
  const policy = { baseMs: 1000, maxMs: 60000 };
  it('grows exponentially with jitter between half and the full step', () => {
    expect(nextAttemptDelay(1, policy, () => 0)).toBe(500);
    expect(nextAttemptDelay(1, policy, () => 0.999)).toBeLessThanOrEqual(1000);
    expect(nextAttemptDelay(4, policy, () => 0)).toBe(4000);
  });
  it('is capped at the maximum', () => {
    expect(nextAttemptDelay(30, policy, () => 0.999)).toBeLessThanOrEqual(60000);
  });
  it('retries sooner when the deadline is near', () => {
    expect(nextAttemptDelay(10, policy, () => 0.5, 8000)).toBe(2000);
  });
});

describe('circuit breaker', () => {
  it('opens after the threshold, lets one probe through after the pause, and closes on success', () => {
    let t = 0;
    const cb = new CircuitBreaker(3, 1000, () => t);
    cb.failure();
    cb.failure();
    expect(cb.tryAcquire()).toBe(true);
    cb.failure();
    expect(cb.state).toBe('open');
    expect(cb.tryAcquire()).toBe(false);
    t = 1000;
    expect(cb.tryAcquire()).toBe(true);
    expect(cb.tryAcquire()).toBe(false);
    expect(cb.success()).toBe(true);
    expect(cb.state).toBe('closed');
    expect(cb.opened).toBe(1);
  });

  it('counts a failed probe as another opening and reports no recovery for an ordinary success', () => {
    let t = 0;
    const cb = new CircuitBreaker(1, 1000, () => t);
    cb.failure();
    t = 1000;
    expect(cb.tryAcquire()).toBe(true);
    cb.failure();
    expect(cb.state).toBe('open');
    expect(cb.opened).toBe(2);
    t = 2000;
    expect(cb.success()).toBe(true);
    expect(cb.success()).toBe(false);
  });

  it('lets another probe through once an unused probe is released', () => {
    let t = 0;
    const cb = new CircuitBreaker(1, 1000, () => t);
    cb.failure();
    t = 1000;
    expect(cb.tryAcquire()).toBe(true);
    expect(cb.tryAcquire()).toBe(false);
    cb.release();
    expect(cb.state).toBe('half-open');
    expect(cb.tryAcquire()).toBe(true);
  });
});
