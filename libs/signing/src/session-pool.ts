import { SigningError } from './errors';

/**
 * A fixed set of resources (PKCS#11 session handles) lent out one at a time: each session runs
 * at most one operation, waiters are served first-come first-served.
 */
export class SessionPool<T> {
  private readonly idle: T[];
  private readonly waiters: Array<{ resolve: (s: T) => void; reject: (e: Error) => void }> = [];
  private closed = false;
  private busy = 0;

  constructor(readonly items: readonly T[]) {
    if (items.length === 0) throw new SigningError('BAD_INPUT', 'a session pool needs at least one session');
    this.idle = [...items];
  }

  get size(): number {
    return this.items.length;
  }

  get inUse(): number {
    return this.busy;
  }

  /** Drained: lends nothing any more (HSM closed or being reopened). */
  get isClosed(): boolean {
    return this.closed;
  }

  get waiting(): number {
    return this.waiters.length;
  }

  acquire(): Promise<T> {
    if (this.closed) return Promise.reject(new SigningError('HSM_CLOSED', 'the HSM session pool is closed'));
    const s = this.idle.pop();
    if (s !== undefined) {
      this.busy++;
      return Promise.resolve(s);
    }
    return new Promise<T>((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  /** An idle session if one is free right now, without waiting (for health checks). */
  tryAcquire(): T | undefined {
    if (this.closed) return undefined;
    const s = this.idle.pop();
    if (s !== undefined) this.busy++;
    return s;
  }

  release(s: T): void {
    const next = this.waiters.shift();
    if (next) {
      next.resolve(s);
      return;
    }
    this.busy--;
    this.idle.push(s);
  }

  async use<R>(fn: (s: T) => Promise<R> | R): Promise<R> {
    const s = await this.acquire();
    try {
      return await fn(s);
    } finally {
      this.release(s);
    }
  }

  /** Rejects the waiters; resolves when every lent session has come back. */
  async drain(): Promise<void> {
    this.closed = true;
    for (const w of this.waiters.splice(0))
      w.reject(new SigningError('HSM_CLOSED', 'the HSM session pool is closed'));
    while (this.busy > 0) await new Promise((r) => setTimeout(r, 5));
  }
}
