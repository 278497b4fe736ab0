import { BackgroundJob, BackgroundJobOptions, RunResult, stopJobs } from './background-job';

const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

class ProbeJob extends BackgroundJob {
  runs = 0;
  active = 0;
  maxActive = 0;
  constructor(
    options: Partial<BackgroundJobOptions>,
    private readonly work: (run: number, signal: AbortSignal) => Promise<RunResult> = async () => undefined,
  ) {
    super({ name: 'probe', intervalMs: 10_000, ...options });
  }
  protected async runOnce(signal: AbortSignal): Promise<RunResult> {
    this.runs++;
    this.active++;
    this.maxActive = Math.max(this.maxActive, this.active);
    try {
      return await this.work(this.runs, signal);
    } finally {
      this.active--;
    }
  }
}

describe('BackgroundJob', () => {
  it('runs at start and then waits for its interval', async () => {
    const job = new ProbeJob({ intervalMs: 10_000 });
    job.start();
    await tick(30);
    expect(job.runs).toBe(1);
    await job.stop();
  });

  it('runs again at once when woken instead of waiting for the interval', async () => {
    const job = new ProbeJob({ intervalMs: 10_000 });
    job.start();
    await tick(20);
    job.notify();
    await tick(20);
    expect(job.runs).toBe(2);
    await job.stop();
  });

  it('never runs twice at the same time, and a wake-up during a run asks for one more run', async () => {
    const job = new ProbeJob({ intervalMs: 10_000 }, async () => {
      await tick(30);
    });
    job.start();
    await tick(5);
    job.notify();
    job.notify();
    await tick(100);
    expect(job.maxActive).toBe(1);
    expect(job.runs).toBe(2);
    await job.stop();
  });

  it('runs again without waiting while a run reports more work', async () => {
    const job = new ProbeJob({ intervalMs: 10_000 }, async (run) => (run < 4 ? 'more' : 'idle'));
    job.start();
    await tick(30);
    expect(job.runs).toBe(4);
    await job.stop();
  });

  it('stop waits for the run in progress and aborts its signal', async () => {
    let finished = false;
    let aborted = false;
    const job = new ProbeJob({ intervalMs: 10_000 }, async (_run, signal) => {
      await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve()));
      aborted = signal.aborted;
      await tick(20);
      finished = true;
    });
    job.start();
    await tick(5);
    await job.stop();
    expect(aborted).toBe(true);
    expect(finished).toBe(true);
    expect(job.running).toBe(false);
  });

  it('reports what a run threw and keeps running after its back-off', async () => {
    const errors: string[] = [];
    const job = new ProbeJob(
      {
        intervalMs: 10_000,
        errorBackoffMs: 10,
        onError: (e, name) => errors.push(`${name}: ${(e as Error).message}`),
      },
      async (run) => {
        if (run === 1) throw new Error('database unreachable');
      },
    );
    job.start();
    await tick(60);
    expect(errors).toEqual(['probe: database unreachable']);
    expect(job.runs).toBe(2);
    await job.stop();
  });

  it('waits its initial delay before the first run', async () => {
    const job = new ProbeJob({ intervalMs: 10_000, initialDelayMs: 10_000 });
    job.start();
    await tick(20);
    expect(job.runs).toBe(0);
    await job.stop();
    expect(job.runs).toBe(0);
  });

  it('stopJobs stops the last started first and goes on past a failing stop', async () => {
    const order: string[] = [];
    const make = (name: string, fail = false) =>
      ({
        name,
        stop: async () => {
          order.push(name);
          if (fail) throw new Error('stuck');
        },
      }) as unknown as BackgroundJob;
    const errors: string[] = [];
    await stopJobs([make('relay'), make('scheduler', true), make('monitor')], (_e, job) => errors.push(job));
    expect(order).toEqual(['monitor', 'scheduler', 'relay']);
    expect(errors).toEqual(['scheduler']);
  });
});
