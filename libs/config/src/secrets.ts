import { readFileSync } from 'node:fs';

/**
 * Reads a secret from `<NAME>_FILE` (a mounted secret file, preferred) or `<NAME>`.
 * Returns undefined when neither is set; the error, if any, names the variable only.
 */
export function readSecret(name: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const file = env[`${name}_FILE`];
  if (file) {
    try {
      return readFileSync(file, 'utf8').trim();
    } catch {
      throw new Error(`${name}_FILE: cannot read the secret file`);
    }
  }
  const value = env[name];
  return value === undefined || value === '' ? undefined : value;
}
