/** What the supervisor needs of an HSM connection (Pkcs11Hsm, or a fake in tests). */
export interface SupervisedHsm {
  health(): Promise<boolean>;
  reopen(): Promise<void>;
}

export interface HsmSupervisorOptions {
  /** How often the HSM is asked while it answers (ms). */
  checkEveryMs?: number;
  /** Longest wait between two reopen attempts while it does not (ms); the first is at once. */
  retryMaxMs?: number;
  /** Failing this long in a row, the HSM is dead: liveness fails so that the pod is restarted. */
  deadAfterMs: number;
  now?: () => number;
  /** Called with the new state when the HSM goes down or comes back. */
  onChange?: (up: boolean) => void;
  onReopenFailed?: (err: unknown) => void;
}

/**
 * Watches the signer's HSM: while it answers, nothing happens; when it stops, the sessions are
 * reopened (at once, then with a doubling wait up to retryMaxMs) until it answers again. Readiness
 * follows `up`; liveness follows `dead` — an HSM that stays down past deadAfterMs, where only a
 * new process (a fresh PKCS#11 library) may help.
 */
export class HsmSupervisor {
  private downSince?: number;
  private nextAttemptAt = 0;
  private waitMs = 0;
  private timer?: NodeJS.Timeout;
  private running?: Promise<boolean>;
  private readonly now: () => number;

  constructor(
    private readonly hsm: SupervisedHsm,
    private readonly options: HsmSupervisorOptions,
  ) {
    this.now = options.now ?? Date.now;
  }

  get up(): boolean {
    return this.downSince === undefined;
  }

  /** Down for longer than deadAfterMs. */
  get dead(): boolean {
    return this.downSince !== undefined && this.now() - this.downSince >= this.options.deadAfterMs;
  }

  start(): void {
    const every = this.options.checkEveryMs ?? 2000;
    this.timer = setInterval(() => void this.check(), every);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** Asks the HSM once (reopening it when it fails and a retry is due); resolves `up`. */
  check(): Promise<boolean> {
    this.running ??= this.checkOnce().finally(() => (this.running = undefined));
    return this.running;
  }

  private async checkOnce(): Promise<boolean> {
    if (await this.hsm.health().catch(() => false)) {
      this.markUp();
      return true;
    }
    if (this.downSince === undefined) {
      this.downSince = this.now();
      this.nextAttemptAt = 0;
      this.waitMs = 0;
      this.options.onChange?.(false);
    }
    if (this.now() < this.nextAttemptAt) return false;
    try {
      await this.hsm.reopen();
      if (await this.hsm.health().catch(() => false)) {
        this.markUp();
        return true;
      }
      throw new Error('the HSM reopened but does not answer');
    } catch (err) {
      this.waitMs = Math.min(Math.max(this.waitMs * 2, 1000), this.options.retryMaxMs ?? 15_000);
      this.nextAttemptAt = this.now() + this.waitMs;
      this.options.onReopenFailed?.(err);
      return false;
    }
  }

  private markUp(): void {
    if (this.downSince === undefined) return;
    this.downSince = undefined;
    this.options.onChange?.(true);
  }
}
