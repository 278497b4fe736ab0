import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import {
  chownSync,
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join, relative } from 'node:path';
import { Services, ServiceKey } from '@bhyt/contracts';

/**
 * The platform run from its images (`npm start -- --from-images`): each service is its image,
 * started by `buildah run` on the host network against the local Kafka, PostgreSQL and SoftHSM,
 * as the uid the image declares (1000). Podman's own runtime cannot start containers on these
 * machines; buildah's chroot isolation can.
 *
 * What a pod gets from volumes and secrets, a container gets here from a run folder mounted at
 * /var/lib/bhyt (the images' state volume): copies of the development secrets and of the SoftHSM
 * token, owned by uid 1000 (the originals are root's, mode 0600). Environment values that name
 * files of the state folder are rewritten to the copies; secrets passed by value go as
 * <NAME>_FILE, so that no secret is on a command line.
 */
export const CONTAINER_STATE = '/var/lib/bhyt';
const IMAGE_UID = 1000;

/** The image of each service; the signer's development image carries SoftHSM. */
export function imageName(key: ServiceKey): string {
  return key === 'signer' ? 'signer-softhsm' : Services[key].name;
}

export interface ImageRun {
  /** Image tag (package.json's version, as scripts/images.sh tags them). */
  tag: string;
  /** Host folder mounted at /var/lib/bhyt, made by prepareRunFolder. */
  runDir: string;
  /** Prefix of the working containers' names (one platform's containers). */
  namePrefix: string;
}

export const imageRef = (key: ServiceKey, tag: string) => `localhost/bhyt/${imageName(key)}:${tag}`;

function chownTree(path: string): void {
  chownSync(path, IMAGE_UID, IMAGE_UID);
  if (statSync(path).isDirectory()) for (const f of readdirSync(path)) chownTree(join(path, f));
}

/**
 * Copies what the containers read from the state folder (secrets, certificates, the SoftHSM
 * token) into runDir for uid 1000, and writes a SoftHSM configuration pointing at the token copy.
 */
export function prepareRunFolder(stateDir: string, runDir: string): void {
  rmSync(runDir, { recursive: true, force: true });
  mkdirSync(runDir, { recursive: true, mode: 0o700 });
  for (const dir of ['secrets', 'certs'])
    if (existsSync(join(stateDir, dir))) cpSync(join(stateDir, dir), join(runDir, dir), { recursive: true });
  const conf = readFileSync(join(stateDir, 'softhsm', 'softhsm2.conf'), 'utf8');
  const tokens = /^directories\.tokendir\s*=\s*(.+)$/m.exec(conf)?.[1]?.trim();
  if (!tokens) throw new Error(`no directories.tokendir in ${join(stateDir, 'softhsm', 'softhsm2.conf')}`);
  cpSync(tokens, join(runDir, 'softhsm', 'tokens'), { recursive: true });
  writeFileSync(
    join(runDir, 'softhsm', 'softhsm2.conf'),
    conf.replace(
      /^directories\.tokendir\s*=.*$/m,
      `directories.tokendir = ${CONTAINER_STATE}/softhsm/tokens`,
    ),
  );
  mkdirSync(join(runDir, 'secrets', 'env'), { recursive: true, mode: 0o700 });
  chownTree(runDir);
}

/** Secrets the runner passes by value; in a container they become <NAME>_FILE. */
const BY_VALUE_SECRETS = ['IDENTITY_HASH_KEY'];

/** The environment of a service's container: host paths of the state folder mapped into it. */
export function containerEnvironment(
  vars: Record<string, string>,
  stateDir: string,
  run: ImageRun,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(vars)) {
    if (BY_VALUE_SECRETS.includes(name)) {
      const file = join(run.runDir, 'secrets', 'env', name);
      writeFileSync(file, value, { mode: 0o600 });
      chownSync(file, IMAGE_UID, IMAGE_UID);
      out[`${name}_FILE`] = `${CONTAINER_STATE}/secrets/env/${name}`;
    } else if (value.startsWith(`${stateDir}/`)) {
      out[name] = `${CONTAINER_STATE}/${relative(stateDir, value)}`;
    } else out[name] = value;
  }
  // Inside the image: its own copy of the facility registry, SoftHSM at the Debian path.
  out['FACILITY_REGISTRY_FILE'] = '/app/config/facilities.dev.json';
  out['SOFTHSM2_CONF'] = `${CONTAINER_STATE}/softhsm/softhsm2.conf`;
  out['PKCS11_MODULE'] = '/usr/lib/softhsm/libsofthsm2.so';
  out['STATE_DIR'] = CONTAINER_STATE;
  // Host network: listen where the local stack does, not on every interface of the machine.
  out['HTTP_HOST'] = '127.0.0.1';
  return out;
}

/** Starts a service's image: a fresh working container, then `buildah run` on the host network. */
export function startContainer(key: ServiceKey, env: Record<string, string>, run: ImageRun): ChildProcess {
  const name = `${run.namePrefix}-${Services[key].name}`;
  try {
    execFileSync('buildah', ['rm', name], { stdio: 'ignore' });
  } catch {
    /* none left from an earlier run */
  }
  execFileSync('buildah', ['from', '--quiet', '--pull-never', '--name', name, imageRef(key, run.tag)], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const envArgs = Object.entries(env).flatMap(([k, v]) => ['--env', `${k}=${v}`]);
  const child = spawn(
    'buildah',
    [
      'run',
      '--isolation',
      'chroot',
      '--network',
      'host',
      '--volume',
      `${run.runDir}:${CONTAINER_STATE}`,
      ...envArgs,
      name,
      '--',
      'node',
      '--enable-source-maps',
      'main.js',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child.once('exit', () => {
    try {
      execFileSync('buildah', ['rm', name], { stdio: 'ignore' });
    } catch {
      /* already removed */
    }
  });
  return child;
}

/** Children of each process, from /proc (Linux). */
function childrenOf(pid: number): number[] {
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) out.push(Number(entry));
    } catch {
      /* exited meanwhile */
    }
  }
  return out;
}

/**
 * Signals the service process inside the container. `buildah run` does not forward SIGTERM (it
 * dies and the service would be killed without its ordered shutdown), so the signal goes to the
 * deepest process under it: the container's `node main.js`.
 */
export function signalContainer(child: ChildProcess, signal: NodeJS.Signals): void {
  let pid = child.pid;
  if (pid === undefined) return;
  for (let kids = childrenOf(pid); kids.length > 0; kids = childrenOf(pid)) pid = kids[kids.length - 1]!;
  try {
    process.kill(pid, signal);
  } catch {
    /* gone already */
  }
}
