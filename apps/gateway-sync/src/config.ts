import { z } from 'zod';
import { baseServiceEnv, env, loadConfig } from '@bhyt/config';
import { Services } from '@bhyt/contracts';

const schema = baseServiceEnv.extend({
  HTTP_PORT: env.port(Services.gatewaySync.port),
  GATEWAY_URL: z.string().url(),
  GATEWAY_ENDPOINT_FAMILY: z.enum(['4750', '3176']).default('4750'),
  /** Submission window after the encounter end; 24 h by default, 3 h under the draft rule. */
  GATEWAY_WINDOW_HOURS: z.coerce.number().positive().default(24),
  GATEWAY_AT_RISK_FRACTION: z.coerce.number().gt(0).lt(1).default(0.75),
  GATEWAY_CONCURRENCY: env.int(16, 1),
  GATEWAY_CONCURRENCY_PER_FACILITY: env.int(8, 1),
  /** Check-ins (XML0) have their own slots, so that they never take a slot from a claim with a deadline. */
  GATEWAY_CHECKIN_CONCURRENCY: env.int(2, 1),
  GATEWAY_TIMEOUT_MS: env.int(30000, 100),
  /**
   * After an ambiguous outcome (or a crash with requests in flight) the gateway may still be
   * processing the request: reconcile no sooner than this after the request was sent, or the
   * lookup could miss a claim that is about to be recorded and the re-send would duplicate it.
   * Raise it if the gateway is known to record later than this.
   */
  GATEWAY_RECONCILE_SETTLE_MS: env.int(15000, 0),
  /**
   * An attempt in flight is owned by its replica for this long, renewed every third of it while
   * the call runs; an expired lease (its replica died or lost the database) is recovered as a
   * send of unknown outcome by any replica's sweep (every GATEWAY_LEASE_SWEEP_MS).
   */
  GATEWAY_LEASE_MS: env.int(45000, 300),
  GATEWAY_LEASE_SWEEP_MS: env.int(5000, 50),
  /** A graceful stop waits this long for calls in flight; default GATEWAY_TIMEOUT_MS + 5 s (k8s grace must exceed it). */
  GATEWAY_STOP_GRACE_MS: env.int(0, 0),
  /** Operator report: a due row untaken for longer than this counts as stuck. */
  GATEWAY_STUCK_DUE_MS: env.int(600000, 1000),
  GATEWAY_BACKOFF_BASE_MS: env.int(1000, 10),
  GATEWAY_BACKOFF_MAX_MS: env.int(300000, 100),
  GATEWAY_CIRCUIT_THRESHOLD: env.int(8, 1),
  GATEWAY_CIRCUIT_OPEN_MS: env.int(15000, 100),
  /** Only for the simulator: lets gateway-sync reconcile and read asynchronous results. */
  GATEWAY_SIMULATOR_ADMIN_URL: z.string().url().optional(),
  GATEWAY_RESULT_POLL_MS: env.int(2000, 100),
});

export const loadGatewaySyncConfig = (source: NodeJS.ProcessEnv = process.env) => {
  const c = loadConfig('gateway-sync', schema, source);
  return { ...c, GATEWAY_STOP_GRACE_MS: c.GATEWAY_STOP_GRACE_MS || c.GATEWAY_TIMEOUT_MS + 5000 };
};
export type GatewaySyncConfig = ReturnType<typeof loadGatewaySyncConfig>;

/**
 * How long a graceful stop may take before the process exits forcibly: the scheduler's grace
 * for gateway calls in flight, then the runtime's own stop (consumers, relay flush). The
 * gateway-sync Deployment's terminationGracePeriodSeconds must exceed it (checked by a test).
 */
export const shutdownTimeoutMs = (c: GatewaySyncConfig): number => c.GATEWAY_STOP_GRACE_MS + 20_000;
