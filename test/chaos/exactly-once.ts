import { TestPlatform } from '../support/harness';

/**
 * gateway-sync's own account of exactly-once (GET /v1/submissions/exactly-once, operator API):
 * rows not final and past their lease, sends whose outcome was unknown, and each claim version
 * that may have reached the gateway twice.
 */
export interface ExactlyOnceReport {
  stuck: number;
  ambiguousSends: number;
  possibleDuplicates: Array<{ facility: string; maLk: string; version: number; sends: number }>;
}

/**
 * Reads the report from a running gateway-sync replica. When the endpoint is not there (a
 * gateway-sync without it), `stuck` falls back to the rows still in flight at the end — a call
 * that no replica is making any more — and the other figures are unknown (null in the verdict).
 */
export async function readExactlyOnce(
  t: TestPlatform,
): Promise<{ report?: ExactlyOnceReport; fallbackStuck: number | null; note?: string }> {
  const live = t.platform.live('gatewaySync');
  for (const p of live.length ? live : [t.platform.get('gatewaySync')]) {
    try {
      const res = await t.fetchAs('sre', `${p.url}/v1/submissions/exactly-once`, {
        signal: AbortSignal.timeout(20000),
      });
      if (res.status === 404) break;
      if (!res.ok) continue;
      const body = (await res.json()) as Partial<ExactlyOnceReport>;
      if (
        typeof body.stuck === 'number' &&
        typeof body.ambiguousSends === 'number' &&
        Array.isArray(body.possibleDuplicates)
      )
        return { report: body as ExactlyOnceReport, fallbackStuck: null };
    } catch {
      /* that replica is not answering: try the next */
    }
  }
  const [row] = await t.query<{ n: number }>(
    'gatewaySync',
    `SELECT count(*)::int AS n FROM submissions WHERE status IN ('IN_FLIGHT', 'IN_FLIGHT_RECONCILE')`,
  );
  return {
    fallbackStuck: row?.n ?? null,
    note: 'GET /v1/submissions/exactly-once unavailable: stuck = rows still IN_FLIGHT at the end; ambiguous_sends and possible_duplicates unknown',
  };
}
