/**
 * A circuit breaker per gateway: after `threshold` consecutive retryable failures the circuit
 * opens and no call is made for `openMs`; then one probe call is let through (half-open).
 * This stops retry storms against a gateway that is down.
 */
export type CircuitState = 'closed' | 'open' | 'half-open';

export class CircuitBreaker {
  private failures = 0;
  private openedAt = 0;
  private probing = false;
  /** How often the circuit opened (closed → open, or a failed half-open probe), for operators. */
  opened = 0;

  constructor(
    private readonly threshold: number,
    private readonly openMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  get state(): CircuitState {
    if (this.failures < this.threshold) return 'closed';
    return this.now() - this.openedAt >= this.openMs ? 'half-open' : 'open';
  }

  /** Whether a call may be made now. In half-open state only one probe at a time. */
  tryAcquire(): boolean {
    const s = this.state;
    if (s === 'closed') return true;
    if (s === 'open' || this.probing) return false;
    this.probing = true;
    return true;
  }

  /**
   * The gateway answered. @returns true when this ends an outage (the circuit was open or
   * half-open), so that callers can release work that was only waiting for the gateway.
   */
  success(): boolean {
    const recovered = this.failures >= this.threshold;
    this.failures = 0;
    this.probing = false;
    return recovered;
  }

  /** A granted probe was not used, or its outcome says nothing about the gateway's health. */
  release(): void {
    this.probing = false;
  }

  failure(): void {
    const before = this.state;
    this.probing = false;
    this.failures++;
    if (this.failures >= this.threshold) {
      if (before !== 'open') this.opened++;
      this.openedAt = this.now();
    }
  }
}
