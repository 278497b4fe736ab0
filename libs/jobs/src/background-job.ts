/**
 * One lifecycle for every loop a service runs beside its consumers (outbox relay, submission
 * scheduler, deadline monitor, sweepers, report scheduler): one run at a time, on an interval or
 * when woken, and a stop that waits for the run in progress. Services stop their jobs in the
 * reverse order of start, before their consumers and pool (service-kit's bootstrap does it).
 */
export interface BackgroundJobOptions {
  /** For logs and errors: what the job is, e.g. `submission-scheduler`. */
  name: string;
  /** Time between two runs when the last one found nothing more to do. */
  intervalMs: number;
  /** Delay before the first run (default: run at once). */
  initialDelayMs?: number;
  /** Time before the next run after a run threw (default: intervalMs). */
  errorBackoffMs?: number;
  /** Called with what a run threw; the job goes on (a loop that dies silently loses work). */
  onError?: (error: unknown, job: string) => void;
}

/** What a run tells the loop: `more` runs again at once (a full batch), anything else waits. */
export type RunResult = 'more' | 'idle' | void;

export abstract class BackgroundJob {
  private loop?: Promise<void>;
  private stopping = false;
  private wake?: () => void;
  private woken = false;
  private abort = new AbortController();

  protected constructor(protected readonly jobOptions: BackgroundJobOptions) {}

  get name(): string {
    return this.jobOptions.name;
  }

  /** Whether the loop is started and not stopped. */
  get running(): boolean {
    return this.loop !== undefined && !this.stopping;
  }

  /** One pass of the job's work. `signal` aborts when stop() is called (long waits should honour it). */
  protected abstract runOnce(signal: AbortSignal): Promise<RunResult>;

  /** Starts the loop; a second call is a no-op. */
  start(): void {
    if (this.loop) return;
    this.stopping = false;
    this.abort = new AbortController();
    this.loop = this.run();
  }

  /** Wakes the loop for a run now (or right after the run in progress) instead of at the next interval. */
  notify(): void {
    this.woken = true;
    this.wake?.();
  }

  /** Stops taking new runs and waits for the one in progress. */
  async stop(): Promise<void> {
    if (!this.loop) return;
    this.stopping = true;
    this.abort.abort();
    this.wake?.();
    await this.loop;
    this.loop = undefined;
  }

  private async run(): Promise<void> {
    if (this.jobOptions.initialDelayMs) await this.sleep(this.jobOptions.initialDelayMs);
    while (!this.stopping) {
      this.woken = false;
      let wait = this.jobOptions.intervalMs;
      try {
        if ((await this.runOnce(this.abort.signal)) === 'more') wait = 0;
      } catch (error) {
        wait = this.jobOptions.errorBackoffMs ?? this.jobOptions.intervalMs;
        this.jobOptions.onError?.(error, this.name);
      }
      // A notify() during the run asks for another run: its work may have come after the run looked.
      if (this.stopping) break;
      if (wait > 0 && !this.woken) await this.sleep(wait);
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = () => {
        this.wake = undefined;
        done();
      };
    });
  }
}

/** Stops jobs in the reverse order of their start; a failing stop does not keep the others running. */
export async function stopJobs(
  jobs: readonly BackgroundJob[],
  onError: (error: unknown, job: string) => void,
): Promise<void> {
  for (const job of [...jobs].reverse()) {
    try {
      await job.stop();
    } catch (error) {
      onError(error, job.name);
    }
  }
}
