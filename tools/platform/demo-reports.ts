import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { localDay, periodContaining, REPORT_KINDS } from '@bhyt/reporting';
import { devTokenClient } from './dev-security';
import { stateDir } from './processes';

/**
 * `npm start -- --out DIR`: once reporting has projected the demo's submissions, generates the
 * weekly, monthly and 6-monthly reports of the periods containing today (Asia/Ho_Chi_Minh) and
 * writes them as XLSX and CSV into DIR/reports/. Returns the files written. Calls the API as the
 * development `sre` client (province-wide reports name no facility).
 */
export async function writeDemoReports(reportingUrl: string, intakeUrl: string, outDir: string, expectedSubmitted: number, timeoutMs = 60_000): Promise<string[]> {
  const tokens = devTokenClient(stateDir(), intakeUrl);
  const fetch = async (url: string, init: RequestInit = {}) => globalThis.fetch(url, { ...init, headers: { authorization: `Bearer ${await tokens.token('sre')}` } });
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const summary = (await fetch(`${reportingUrl}/v1/reports/summary`).then((r) => r.json()).catch(() => ({ claims: [] }))) as { claims: Array<{ submitted: number }> };
    const projected = summary.claims.reduce((a, c) => a + c.submitted, 0);
    if (projected >= expectedSubmitted || Date.now() > deadline) break;
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
