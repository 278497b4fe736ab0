import { z } from 'zod';
import { ConfigError, env, loadConfig } from './env';
import { readSecret } from './secrets';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';

describe('loadConfig', () => {
  const schema = z.object({
    DATABASE_URL: z.string().url(),
    HTTP_PORT: env.port(3000),
    KAFKA_BROKERS: env.brokers(),
  });

  it('returns typed values with defaults applied', () => {
    const cfg = loadConfig('svc', schema, { DATABASE_URL: 'postgres://h/db', KAFKA_BROKERS: 'a:1, b:2' });
    expect(cfg).toEqual({ DATABASE_URL: 'postgres://h/db', HTTP_PORT: 3000, KAFKA_BROKERS: ['a:1', 'b:2'] });
  });

  it('names every missing or invalid variable in one error', () => {
    const attempt = () => loadConfig('svc', schema, { HTTP_PORT: 'eighty', KAFKA_BROKERS: 'nohostport' });
    expect(attempt).toThrow(ConfigError);
    try {
      attempt();
    } catch (e) {
      const message = (e as Error).message;
      expect(message).toContain('DATABASE_URL is required');
      expect(message).toContain('HTTP_PORT');
      expect(message).toContain('KAFKA_BROKERS');
    }
  });

  it('never echoes the value of a bad variable', () => {
    expect(() =>
      loadConfig('svc', schema, { DATABASE_URL: 'not-a-url-secret123', KAFKA_BROKERS: 'a:1' }),
    ).toThrow(expect.objectContaining({ message: expect.not.stringContaining('secret123') }));
  });
});

describe('readSecret', () => {
  it('prefers the secret file over the plain variable', () => {
    const dir = mkdtempSync(join(tmpdir(), 'secret-'));
    writeFileSync(join(dir, 'pin'), 'from-file\n');
    expect(readSecret('HSM_PIN', { HSM_PIN_FILE: join(dir, 'pin'), HSM_PIN: 'from-env' })).toBe('from-file');
  });

  it('falls back to the variable and to undefined', () => {
    expect(readSecret('HSM_PIN', { HSM_PIN: 'x' })).toBe('x');
    expect(readSecret('HSM_PIN', {})).toBeUndefined();
  });
});
