import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { FacilityRegistryError, FacilityRegistryIssue } from './errors';
import { FacilityFileSchema } from './facility';
import { FacilityRegistry } from './registry';

export const FACILITY_REGISTRY_ENV = 'FACILITY_REGISTRY_FILE';
export const DEFAULT_FACILITY_REGISTRY_FILE = 'config/facilities.dev.json';

/** First directory at or above `start` that contains a package.json, or undefined. */
const walkUp = (start: string): string | undefined => {
  let dir = resolve(start);
  for (;;) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
};

/**
 * The repository root: the nearest folder with a package.json above this module, else above
 * `cwd`, else `cwd` itself.
 */
export const findRepositoryRoot = (cwd: string = process.cwd()): string =>
  walkUp(__dirname) ?? walkUp(cwd) ?? cwd;

const formatPath = (path: readonly PropertyKey[]): string =>
  path.reduce<string>(
    (acc, key) => (typeof key === 'number' ? `${acc}[${key}]` : acc ? `${acc}.${String(key)}` : String(key)),
    '',
  );

/**
 * Validates already-parsed JSON as a registry file. Pure.
 * @param source file name used in error messages.
 * @throws FacilityRegistryError (`FACILITY_REGISTRY_INVALID`) naming the file and each bad field.
 */
export const parseFacilityRegistry = (json: unknown, source: string): FacilityRegistry => {
  const parsed = FacilityFileSchema.safeParse(json);
  if (!parsed.success) {
    const issues: FacilityRegistryIssue[] = parsed.error.issues.map((i) => ({
      path: formatPath(i.path),
      message: i.message,
    }));
    throw new FacilityRegistryError('FACILITY_REGISTRY_INVALID', source, issues);
  }
  return new FacilityRegistry(parsed.data.facilities, source);
};

export interface LoadFacilityRegistryOptions {
  /** Environment to read `FACILITY_REGISTRY_FILE` from (default `process.env`). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Repository root for relative paths (default: {@link findRepositoryRoot}). */
  readonly root?: string;
}

/** The absolute file {@link loadFacilityRegistry} would read. */
export const resolveFacilityRegistryPath = (
  path?: string,
  options: LoadFacilityRegistryOptions = {},
): string => {
  const fromEnv = (options.env ?? process.env)[FACILITY_REGISTRY_ENV];
  const chosen = path ?? (fromEnv && fromEnv.trim() !== '' ? fromEnv.trim() : DEFAULT_FACILITY_REGISTRY_FILE);
  return isAbsolute(chosen) ? chosen : resolve(options.root ?? findRepositoryRoot(), chosen);
};

/**
 * Loads the facility registry (synchronously; meant for service start-up) from `path`, else
 * env `FACILITY_REGISTRY_FILE`, else `config/facilities.dev.json`. Relative paths are resolved
 * against the repository root.
 * @throws FacilityRegistryError `FACILITY_REGISTRY_UNREADABLE` (missing file, not JSON) or
 *   `FACILITY_REGISTRY_INVALID` (schema), naming the file and the fields.
 */
export const loadFacilityRegistry = (
  path?: string,
  options: LoadFacilityRegistryOptions = {},
): FacilityRegistry => {
  const file = resolveFacilityRegistryPath(path, options);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e: unknown) {
    const reason = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : 'file cannot be read';
    throw new FacilityRegistryError('FACILITY_REGISTRY_UNREADABLE', file, [{ path: '', message: reason }]);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e: unknown) {
    throw new FacilityRegistryError('FACILITY_REGISTRY_UNREADABLE', file, [
      { path: '', message: `not valid JSON (${e instanceof Error ? e.message : 'parse error'})` },
    ]);
  }
  return parseFacilityRegistry(json, file);
};
