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
  logDir?: string;
  /** Run the five services from their images (tools/platform/images.ts); the simulator stays a process. */
  images?: ImageRun;
}

export const ALL_SERVICES: ServiceKey[] = ['gatewaySimulator', 'intake', 'encounter', 'signer', 'gatewaySync', 'reporting'];

export function servicePort(key: ServiceKey, env: PlatformEnv): number {
  return Services[key].port + (env.portOffset ?? 0);
}

export function serviceUrl(key: ServiceKey, env: PlatformEnv): string {
  return `http://127.0.0.1:${servicePort(key, env)}`;
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

export function serviceEnvironment(key: ServiceKey, env: PlatformEnv): Record<string, string> {
  const suffix = env.databaseSuffix ?? '';
  const common: Record<string, string> = {
    DATABASE_URL: env.databaseUrl,
    DATABASE_NAME: `${Services[key].database}${suffix}`,
    KAFKA_BROKERS: env.kafkaBrokers,
    HTTP_PORT: String(servicePort(key, env)),
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
  return { ...common, ...(env.extra ?? {}) };
}

export class ServiceProcess {
  child?: ChildProcess;
  constructor(
    readonly key: ServiceKey,
    private readonly env: PlatformEnv,
  ) {}

  get url(): string {
    return serviceUrl(this.key, this.env);
  }

  private get fromImage(): boolean {
    return this.env.images !== undefined && this.key !== 'gatewaySimulator';
  }

  start(): void {
    const logDir = this.env.logDir ?? join(stateDir(), 'logs');
    mkdirSync(logDir, { recursive: true });
    const log = createWriteStream(join(logDir, `${Services[this.key].name}.log`), { flags: 'a' });
    if (this.fromImage) {
      const passed: Record<string, string> = {};
      for (const k of ['HSM_TOKEN_LABEL', 'HSM_SESSIONS', 'NODE_OPTIONS', 'OTEL_EXPORTER_OTLP_ENDPOINT']) if (process.env[k]) passed[k] = process.env[k]!;
      this.child = startContainer(this.key, containerEnvironment({ ...passed, ...serviceEnvironment(this.key, this.env) }, stateDir(), this.env.images!), this.env.images!);
    } else {
      const entry = join(ROOT, 'dist/apps', Services[this.key].name, 'src/main.js');
      this.child = spawn(process.execPath, ['--enable-source-maps', entry], {
        cwd: ROOT,
        env: { ...process.env, ...serviceEnvironment(this.key, this.env) },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
    }
    this.child.stdout?.pipe(log);
    this.child.stderr?.pipe(log);
  }

  async waitReady(timeoutMs = this.fromImage ? 180_000 : 60_000): Promise<void> {
    // A container adds `buildah from` and its start to the service's own (migrations first).
    const deadline = Date.now() + timeoutMs;
    const path = this.key === 'gatewaySimulator' ? '/health' : '/health/ready';
    while (Date.now() < deadline) {
      if (this.child && this.child.exitCode !== null) {
        throw new Error(`${Services[this.key].name} exited with code ${this.child.exitCode} during start-up (see .state/logs/${Services[this.key].name}.log)`);
      }
      try {
        const res = await fetch(`${this.url}${path}`, { signal: AbortSignal.timeout(2000) });
        if (res.ok) return;
      } catch {
        /* not listening yet */
      }
      await new Promise((r) => setTimeout(r, 250));
    }
    throw new Error(`${Services[this.key].name} not ready after ${timeoutMs} ms`);
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
  readonly processes = new Map<ServiceKey, ServiceProcess>();
  constructor(readonly env: PlatformEnv) {
    for (const key of ALL_SERVICES) this.processes.set(key, new ServiceProcess(key, env));
  }

  get(key: ServiceKey): ServiceProcess {
    return this.processes.get(key)!;
  }

  url(key: ServiceKey): string {
    return serviceUrl(key, this.env);
  }

  async start(onProgress?: (name: string) => void): Promise<void> {
    const sim = this.get('gatewaySimulator');
    sim.start();
    await sim.waitReady();
    onProgress?.(Services.gatewaySimulator.name);
    const rest = ALL_SERVICES.filter((k) => k !== 'gatewaySimulator').map((k) => this.get(k));
    for (const p of rest) p.start();
    await Promise.all(rest.map(async (p) => (await p.waitReady(), onProgress?.(Services[p.key].name))));
  }

  async restart(key: ServiceKey, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const p = this.get(key);
    await p.stop(signal);
    p.start();
    await p.waitReady();
  }

  async stop(): Promise<void> {
    const rest = ALL_SERVICES.filter((k) => k !== 'gatewaySimulator').map((k) => this.get(k));
    await Promise.all(rest.map((p) => p.stop()));
    await this.get('gatewaySimulator').stop();
  }
}
