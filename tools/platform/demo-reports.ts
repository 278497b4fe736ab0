import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { localDay, periodContaining, REPORT_KINDS } from '@bhyt/reporting';
import { devTokenClient } from './dev-security';
import { stateDir } from './processes';

/**
 * `npm start -- --out DIR`: once reporting's projections have caught up with Kafka, generates the
 * weekly, monthly and 6-monthly reports of the periods containing today (Asia/Ho_Chi_Minh) and
 * writes them as XLSX and CSV into DIR/reports/. Returns the files written. Calls the API as the
 * development `sre` client (province-wide reports name no facility).
 */
export async function writeDemoReports(
  reportingUrl: string,
  intakeUrl: string,
  outDir: string,
  expectedSubmitted: number,
  timeoutMs = 60_000,
): Promise<string[]> {
  const tokens = devTokenClient(stateDir(), intakeUrl);
  const fetch = async (url: string, init: RequestInit = {}) =>
    globalThis.fetch(url, { ...init, headers: { authorization: `Bearer ${await tokens.token('sre')}` } });
  // Reports are generated once the projections have caught up with Kafka: the lag is zero on two
  // checks half a second apart (a claim.submitted the demo saw committed may still be on its way
  // from the outbox to Kafka at the first one). The all-time submitted count is only a lower
  // bound: on a second run against the same databases it is reached before the run is projected.
  const deadline = Date.now() + timeoutMs;
  let caughtUpOnce = false;
  for (;;) {
    const summary = (await fetch(`${reportingUrl}/v1/reports/summary`)
      .then((r) => r.json())
      .catch(() => ({ claims: [] }))) as { claims: Array<{ submitted: number }> };
    const projected = summary.claims.reduce((a, c) => a + c.submitted, 0);
    const fresh = (await fetch(`${reportingUrl}/v1/reports/freshness`)
      .then((r) => r.json())
      .catch(() => ({ upToDate: false }))) as { upToDate: boolean };
    const caughtUp = projected >= expectedSubmitted && fresh.upToDate;
    if ((caughtUp && caughtUpOnce) || Date.now() > deadline) break;
    caughtUpOnce = caughtUp;
    await new Promise((r) => setTimeout(r, 500));
  }
  const dir = join(outDir, 'reports');
  mkdirSync(dir, { recursive: true });
  const today = localDay(new Date());
  const written: string[] = [];
  for (const kind of REPORT_KINDS) {
    const period = periodContaining(kind, today);
    const base = `${reportingUrl}/v1/reports/${kind}/${period.key}`;
    const gen = await fetch(`${base}/regenerate`, { method: 'POST' });
    if (!gen.ok) throw new Error(`reporting answered ${gen.status} generating the ${kind} report`);
    for (const format of ['xlsx', 'csv'] as const) {
      const res = await fetch(`${base}?format=${format}`);
      if (!res.ok) throw new Error(`reporting answered ${res.status} for the ${kind} ${format}`);
      const file = join(dir, `bao-cao-${kind}-${period.key}.${format}`);
      writeFileSync(file, Buffer.from(await res.arrayBuffer()));
      written.push(file);
    }
  }
  return written;
}
