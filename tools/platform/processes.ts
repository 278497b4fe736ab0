import { ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, mkdirSync, readFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Services, ServiceKey } from '@bhyt/contracts';
import { loadFacilityRegistry } from '@bhyt/facilities';
import { devSecurityEnvironment } from './dev-security';
import { containerEnvironment, ImageRun, signalContainer, startContainer } from './images';

/**
 * Starts and stops the platform's services as separate OS processes, the way Kubernetes
 * would: each with its own environment, its logs in .state/logs/<service>.log, readiness
 * polled over HTTP. Used by `npm start`, the e2e tests, the chaos suite and the benchmarks.
 */
function repositoryRoot(): string {
  // Works from the sources (tests) and from dist/ alike: the first folder up with package.json.
  let dir = __dirname;
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
}
export const ROOT = repositoryRoot();
export const stateDir = () => process.env['STATE_DIR'] ?? join(ROOT, '.state');

export interface PlatformEnv {
  databaseUrl: string;
  kafkaBrokers: string;
  /** Appended to database names so that tests get their own databases. */
  databaseSuffix?: string;
  /** Port offset so that a test platform does not collide with a running demo. */
  portOffset?: number;
  gatewayWindowHours?: number;
  extra?: Record<string, string>;
  /** Extra environment of the gateway simulator only (e.g. GATEWAY_SIMULATOR_MODE). */
  simulatorExtra?: Record<string, string>;
  logDir?: string;
  /** Run the five services from their images (tools/platform/images.ts); the simulator stays a process. */
  images?: ImageRun;
  /**
   * Processes per service (not the simulator), as Kubernetes runs 2–6 replicas: each its own
   * port (replicaPort), log file and PID, all sharing the service's database and consumer groups.
   */
  replicas?: number;
}

/** The most replicas a platform runs per service: the highest KEDA scales to. */
export const MAX_REPLICAS = 6;

export const ALL_SERVICES: ServiceKey[] = [
  'gatewaySimulator',
  'intake',
  'encounter',
  'signer',
  'gatewaySync',
  'reporting',
];

export function servicePort(key: ServiceKey, env: PlatformEnv): number {
  return Services[key].port + (env.portOffset ?? 0);
}

export function serviceUrl(key: ServiceKey, env: PlatformEnv): string {
  return `http://127.0.0.1:${servicePort(key, env)}`;
}

/**
 * Replica r listens 100 × r above the service's port: clear of the other suites' offsets (steps
 * of 10, none 100 × r + 0…4 apart from a chaos suite's), of the lanes (2000 apart) and of the
 * kernel's ephemeral ports (32768 and up), where an outgoing connection that happens to hold the
 * port made a replica fail with EADDRINUSE.
 */
export function replicaPort(key: ServiceKey, env: PlatformEnv, replica: number): number {
  return servicePort(key, env) + 100 * replica;
}

function devSecret(name: string): string {
  const file = join(stateDir(), 'secrets', name);
  return existsSync(file) ? readFileSync(file, 'utf8').trim() : '';
}

/**
 * Development gateway accounts, one per facility (`<code>_BV`), matching the simulator's
 * development passwords. Production reads BHYT_GATEWAY_<code>_USERNAME / _PASSWORD_MD5 from
 * secrets; there is no default account.
 */
function devGatewayAccounts(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of loadFacilityRegistry().list()) {
    out[`BHYT_GATEWAY_${f.code}_USERNAME`] = f.gatewayAccount;
    out[`BHYT_GATEWAY_${f.code}_PASSWORD`] = `dev-password-${f.code}`;
    // The staff member registered for card lookups (hoTenCb/cccdCb): the simulator's default.
    out[`CARD_LOOKUP_${f.code}_STAFF_NAME`] = 'TRẦN THỊ CÁN BỘ';
    out[`CARD_LOOKUP_${f.code}_STAFF_CCCD`] = `0${f.code}000001`;
  }
  return out;
}

export function serviceEnvironment(key: ServiceKey, env: PlatformEnv, replica = 0): Record<string, string> {
  const suffix = env.databaseSuffix ?? '';
  const common: Record<string, string> = {
    DATABASE_URL: env.databaseUrl,
    DATABASE_NAME: `${Services[key].database}${suffix}`,
    KAFKA_BROKERS: env.kafkaBrokers,
    HTTP_PORT: String(replicaPort(key, env, replica)),
    LOG_LEVEL: process.env['LOG_LEVEL'] ?? 'info',
    FACILITY_REGISTRY_FILE: process.env['FACILITY_REGISTRY_FILE'] ?? join(ROOT, 'config/facilities.dev.json'),
    GATEWAY_URL: serviceUrl('gatewaySimulator', env),
    GATEWAY_SIMULATOR_PORT: String(servicePort('gatewaySimulator', env)),
    GATEWAY_SIMULATOR_CERT_DIR: join(stateDir(), 'certs'),
    GATEWAY_WINDOW_HOURS: String(env.gatewayWindowHours ?? 24),
    IDENTITY_HASH_KEY: devSecret('identity-hash-key'),
    HSM_PIN_FILE: process.env['HSM_PIN_FILE'] ?? join(stateDir(), 'secrets', 'hsm-pin'),
    ...devGatewayAccounts(),
    ...devSecurityEnvironment(stateDir(), key),
  };
  return {
    ...common,
    ...(env.extra ?? {}),
    ...(key === 'gatewaySimulator' ? (env.simulatorExtra ?? {}) : {}),
  };
}

/**
 * Every child started by this process: killed when it exits, however it exits (a chaos run
 * interrupted with Ctrl-C must not leave fifteen services running, holding database connections).
 */
const children = new Set<ChildProcess>();
let exitHookInstalled = false;
function track(child: ChildProcess): void {
  children.add(child);
  child.once('exit', () => children.delete(child));
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const c of children) c.kill('SIGKILL');
  });
}

export class ServiceProcess {
  child?: ChildProcess;
  constructor(
    readonly key: ServiceKey,
    private readonly env: PlatformEnv,
    readonly replica = 0,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${replicaPort(this.key, this.env, this.replica)}`;
  }

  /** `gateway-sync`, or `gateway-sync#2` for a further replica. */
  get label(): string {
    return this.replica === 0 ? Services[this.key].name : `${Services[this.key].name}#${this.replica}`;
  }

  /** Started and neither exited nor killed. */
  get alive(): boolean {
    return !!this.child && this.child.exitCode === null && this.child.signalCode === null;
  }

  private get logName(): string {
    return this.replica === 0
      ? `${Services[this.key].name}.log`
      : `${Services[this.key].name}-${this.replica}.log`;
  }

  private get fromImage(): boolean {
    return this.env.images !== undefined && this.key !== 'gatewaySimulator';
  }

  start(): void {
    const logDir = this.env.logDir ?? join(stateDir(), 'logs');
    mkdirSync(logDir, { recursive: true });
    const log = createWriteStream(join(logDir, this.logName), { flags: 'a' });
    if (this.fromImage) {
      const passed: Record<string, string> = {};
      for (const k of ['HSM_TOKEN_LABEL', 'HSM_SESSIONS', 'NODE_OPTIONS', 'OTEL_EXPORTER_OTLP_ENDPOINT'])
        if (process.env[k]) passed[k] = process.env[k]!;
      this.child = startContainer(
        this.key,
        containerEnvironment(
          { ...passed, ...serviceEnvironment(this.key, this.env, this.replica) },
          stateDir(),
          this.env.images!,
        ),
        this.env.images!,
      );
    } else {
      const entry = join(ROOT, 'dist/apps', Services[this.key].name, 'src/main.js');
      this.child = spawn(process.execPath, ['--enable-source-maps', entry], {
        cwd: ROOT,
        env: { ...process.env, ...serviceEnvironment(this.key, this.env, this.replica) },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
    }
    track(this.child);
    this.child.stdout?.pipe(log);
    this.child.stderr?.pipe(log);
  }

  // SERVICE_READY_TIMEOUT_S: a machine loaded by other work (a chaos run beside the tests) starts
  // services slower than the 60 s a quiet one needs; start-up time is not what the suites test.
  async waitReady(
    timeoutMs = this.fromImage ? 180_000 : Number(process.env['SERVICE_READY_TIMEOUT_S'] ?? 60) * 1000,
  ): Promise<void> {
    // A container adds `buildah from` and its start to the service's own (migrations first).
    const deadline = Date.now() + timeoutMs;
    const path = this.key === 'gatewaySimulator' ? '/health' : '/health/ready';
    while (Date.now() < deadline) {
      if (this.child && this.child.exitCode !== null) {
        throw new Error(
          `${this.label} exited with code ${this.child.exitCode} during start-up (see .state/logs/${this.logName})`,
        );
      }
      try {
        const res = await fetch(`${this.url}${path}`, { signal: AbortSignal.timeout(2000) });
        if (res.ok) return;
      } catch {
        /* not listening yet */
      }
      await new Promise((r) => setTimeout(r, 250));
    }
    throw new Error(`${this.label} not ready after ${timeoutMs} ms`);
  }

  /** SIGTERM and wait (graceful), or SIGKILL for chaos tests. */
  async stop(signal: NodeJS.Signals = 'SIGTERM', timeoutMs = 30000): Promise<number | null> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return child?.exitCode ?? null;
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    const kill = (s: NodeJS.Signals) => (this.fromImage ? signalContainer(child, s) : child.kill(s));
    kill(signal);
    const timer = setTimeout(() => kill('SIGKILL'), timeoutMs);
    const code = await exited;
    clearTimeout(timer);
    return code;
  }
}

export class Platform {
  /** Replica 0 of each service (and the simulator). */
  readonly processes = new Map<ServiceKey, ServiceProcess>();
  private readonly sets = new Map<ServiceKey, ServiceProcess[]>();
  constructor(readonly env: PlatformEnv) {
    const replicas = env.replicas ?? 1;
    if (!Number.isInteger(replicas) || replicas < 1 || replicas > MAX_REPLICAS)
      throw new Error(`replicas must be an integer from 1 to ${MAX_REPLICAS}`);
    for (const key of ALL_SERVICES) {
      const n = key === 'gatewaySimulator' ? 1 : replicas;
      const set = Array.from({ length: n }, (_, r) => new ServiceProcess(key, env, r));
      this.sets.set(key, set);
      this.processes.set(key, set[0]!);
    }
  }

  /** Replica 0 of a service. */
  get(key: ServiceKey): ServiceProcess {
    return this.processes.get(key)!;
  }

  /** Every replica of a service, running or not. */
  replicas(key: ServiceKey): ServiceProcess[] {
    return this.sets.get(key)!;
  }

  /** The replicas of a service that are running now. */
  live(key: ServiceKey): ServiceProcess[] {
    return this.replicas(key).filter((p) => p.alive);
  }

  /** Replica 0's URL (the stable one: tests that run one replica use it). */
  url(key: ServiceKey): string {
    return serviceUrl(key, this.env);
  }

  async start(onProgress?: (name: string) => void): Promise<void> {
    const sim = this.get('gatewaySimulator');
    sim.start();
    await sim.waitReady();
    onProgress?.(Services.gatewaySimulator.name);
    const services = ALL_SERVICES.filter((k) => k !== 'gatewaySimulator');
    const first = services.map((k) => this.get(k));
    for (const p of first) p.start();
    await Promise.all(first.map(async (p) => (await p.waitReady(), onProgress?.(Services[p.key].name))));
    // Further replicas once the first ones are ready (their migrations done), as a rollout would:
    // eleven Node processes starting at once on a small machine miss the readiness timeout.
    const more = services.flatMap((k) => this.replicas(k).slice(1));
    for (const p of more) p.start();
    await Promise.all(more.map(async (p) => (await p.waitReady(240000), onProgress?.(p.label))));
  }

  async restart(key: ServiceKey, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const p = this.get(key);
    await p.stop(signal);
    p.start();
    await p.waitReady();
  }

  /** Runs `n` replicas of a service: stops the highest ones (SIGTERM) or starts the missing ones. */
  async scale(key: ServiceKey, n: number): Promise<void> {
    const set = this.replicas(key);
    await Promise.all(set.slice(n).map((p) => p.stop()));
    const missing = set.slice(0, n).filter((p) => !p.alive);
    for (const p of missing) p.start();
    await Promise.all(missing.map((p) => p.waitReady(120000)));
  }

  async stop(): Promise<void> {
    const rest = ALL_SERVICES.filter((k) => k !== 'gatewaySimulator').flatMap((k) => this.replicas(k));
    await Promise.all(rest.map((p) => p.stop()));
    await this.get('gatewaySimulator').stop();
  }
}
