import { lastScheduledRun, nextScheduledRun, REPORT_KINDS, ReportKind } from '@bhyt/reporting';
import { ServiceRuntime } from '@bhyt/service-kit';
import { ReportService } from './report.service';

/** Longest sleep between checks: a suspended VM or a clock step is noticed within the hour. */
const MAX_SLEEP_MS = 3600_000;
/** A claimed run whose generation never finished (crash) may be taken over after this. */
const STALE_CLAIM = '10 minutes';
/** How long a run waits for the projections to catch up before generating anyway. */
const MAX_CATCH_UP_MS = 5 * 60_000;

/**
 * Generates the scheduled reports (weekly: Thursday 14:00 Asia/Ho_Chi_Minh for the week that
 * ended the day before, ahead of the 15:00 deadline; monthly and 6-monthly: the first morning of
 * the next period — see @bhyt/reporting calendar). At start it catches up the latest run of each
 * kind if it was missed. Each run is claimed in `scheduled_report_runs`, so several replicas
 * generate it once. Before generating, it waits (up to 5 minutes) until the projections have
 * consumed every event already published — after a restart they may be behind.
 */
export class ReportScheduler {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private stopped = false;

  constructor(
    private readonly runtime: ServiceRuntime,
    private readonly reports: ReportService,
    private readonly lag: () => Promise<number>,
    private readonly kinds: readonly ReportKind[] = REPORT_KINDS,
    private readonly now: () => Date = () => new Date(),
  ) {}

  private async caughtUp(): Promise<void> {
    const until = Date.now() + MAX_CATCH_UP_MS;
    for (;;) {
      const lag = await this.lag().catch(() => -1);
      if (lag === 0 || this.stopped) return;
      if (Date.now() > until) {
        this.runtime.logger.warn(
          { lag },
          'projections still behind; generating the scheduled reports anyway',
        );
        return;
      }
      await new Promise((r) => setTimeout(r, 2000));
    }
  }

  async start(): Promise<void> {
    await this.tick();
  }

  /** Generates every scheduled run that is due and not yet done; returns the kinds generated. */
  async runDue(): Promise<ReportKind[]> {
    const done: ReportKind[] = [];
    const due: ReportKind[] = [];
    for (const kind of this.kinds) {
      const { period } = lastScheduledRun(kind, this.now());
      const rows: unknown[] = await this.runtime.ds.query(
        `SELECT 1 FROM scheduled_report_runs WHERE kind = $1 AND period_key = $2 AND report_id IS NOT NULL`,
        [kind, period.key],
      );
      if (rows.length === 0) due.push(kind);
    }
    if (due.length === 0) return done;
    await this.caughtUp();
    for (const kind of due) {
      const { runAt, period } = lastScheduledRun(kind, this.now());
      const claimed = await this.runtime.ds.query(
        `INSERT INTO scheduled_report_runs (kind, period_key, run_at) VALUES ($1, $2, $3)
         ON CONFLICT (kind, period_key) DO UPDATE SET claimed_at = now()
           WHERE scheduled_report_runs.report_id IS NULL AND scheduled_report_runs.claimed_at < now() - interval '${STALE_CLAIM}'
         RETURNING kind`,
        [kind, period.key, runAt],
      );
      if (claimed.length === 0) continue;
      try {
        const stored = await this.reports.generate(period, 'scheduler');
        await this.runtime.ds.query(
          `UPDATE scheduled_report_runs SET report_id = $3 WHERE kind = $1 AND period_key = $2`,
          [kind, period.key, stored.id],
        );
        done.push(kind);
      } catch (err) {
        // Release the claim so that the next tick retries.
        await this.runtime.ds
          .query(
            `DELETE FROM scheduled_report_runs WHERE kind = $1 AND period_key = $2 AND report_id IS NULL`,
            [kind, period.key],
          )
          .catch(() => undefined);
        this.runtime.logger.error(
          { kind, period: period.key, error: err instanceof Error ? err.message : 'error' },
          'scheduled report failed',
        );
      }
    }
    return done;
  }

  private async tick(): Promise<void> {
    if (this.stopped) return;
    this.running = this.runDue().then(
      () => undefined,
      (err: unknown) =>
        this.runtime.logger.error(
          { error: err instanceof Error ? err.message : 'error' },
          'report scheduler tick failed',
        ),
    );
    await this.running;
    if (this.stopped) return;
    const now = this.now().getTime();
    const next = Math.min(...this.kinds.map((k) => nextScheduledRun(k, new Date(now)).runAt.getTime()));
    this.timer = setTimeout(() => void this.tick(), Math.max(1000, Math.min(MAX_SLEEP_MS, next - now)));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }
}
