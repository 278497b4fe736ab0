import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { faultProfileSchema, type FaultProfile } from './faults';

export const checkModeSchema = z.enum(['sync', 'async', 'off']);
export type CheckMode = z.infer<typeof checkModeSchema>;

export const CONTENT_CHECKS = [
  'rootShape',
  'envelope',
  'loaiHoSoSet',
  'innerXml',
  'sameMaLk',
  'tableShape',
  'fields',
] as const;
export type ContentCheck = (typeof CONTENT_CHECKS)[number];

const accountSchema = z.object({
  username: z.string().min(1),
  /** Plain password (development only) or its MD5 hex. One of the two is required. */
  password: z.string().optional(),
  passwordMd5: z
    .string()
    .regex(/^[0-9a-fA-F]{32}$/)
    .optional(),
  locked: z.boolean().default(false),
  /** Facility bound to the account; omitted on an account means "bound to none" (→ 402 at login). */
  facility: z.string().optional(),
});

const staffSchema = z.object({ name: z.string().min(1), cccd: z.string().min(9) });

const facilitySchema = z.object({
  code: z.string().regex(/^[0-9A-Z]{5}$/),
  name: z.string().default(''),
  province: z
    .string()
    .regex(/^\d{2}$/)
    .optional(),
  accounts: z.array(accountSchema.omit({ facility: true })).optional(),
  staff: z.array(staffSchema).optional(),
  allowedIps: z.array(z.string()).optional(),
});

export const simulatorConfigSchema = z.object({
  facilities: z.array(facilitySchema).default([]),
  /** Accounts not bound to any facility (to exercise 402). */
  unboundAccounts: z.array(accountSchema.omit({ facility: true })).default([]),
  tokenLifetimeSeconds: z.number().positive().default(600),
  signaturePolicy: z.enum(['off', 'warn', 'enforce']).default('enforce'),
  maxFileBytes: z
    .number()
    .int()
    .positive()
    .default(20 * 1024 * 1024),
  /** Delay of each asynchronous step (received → processing → processed). */
  processingDelayMs: z.number().int().nonnegative().default(50),
  /** Raw XML is kept only for the most recent N submissions (metadata is kept for all). */
  rawRetention: z.number().int().positive().default(50_000),
  /** Result queries reach back at most this many days (portal mirrors 60). */
  resultWindowDays: z.number().int().positive().default(60),
  seed: z.number().int().default(130),
  cardPopulation: z.number().int().nonnegative().default(200),
  acceptBirthYearOnly: z.boolean().default(true),
  contentChecks: z.partialRecord(z.enum(CONTENT_CHECKS), checkModeSchema).default({}),
  faults: faultProfileSchema.prefault({}),
});

export type SimulatorConfigInput = z.input<typeof simulatorConfigSchema>;

export interface AccountConfig {
  readonly username: string;
  readonly passwordMd5: string;
  readonly locked: boolean;
  readonly facility: string | undefined;
}

export interface StaffMember {
  readonly name: string;
  readonly cccd: string;
}

export interface FacilityConfig {
  readonly code: string;
  readonly name: string;
  readonly province: string;
  readonly staff: readonly StaffMember[];
  readonly allowedIps: readonly string[] | undefined;
}

export interface SimulatorConfig {
  readonly facilities: ReadonlyMap<string, FacilityConfig>;
  readonly accounts: ReadonlyMap<string, AccountConfig>;
  readonly tokenLifetimeSeconds: number;
  readonly signaturePolicy: 'off' | 'warn' | 'enforce';
  readonly maxFileBytes: number;
  readonly processingDelayMs: number;
  readonly rawRetention: number;
  readonly resultWindowDays: number;
  readonly seed: number;
  readonly cardPopulation: number;
  readonly acceptBirthYearOnly: boolean;
  readonly contentChecks: Readonly<Record<ContentCheck, CheckMode>>;
  readonly faults: FaultProfile;
}

export function md5Upper(plain: string): string {
  return createHash('md5').update(plain, 'utf8').digest('hex').toUpperCase();
}

/** DEVELOPMENT ONLY: the password every default account gets when none is configured. */
export function defaultDevPassword(code: string, env: NodeJS.ProcessEnv = process.env): string {
  return env['GATEWAY_SIMULATOR_PASSWORD'] ?? `dev-password-${code}`;
}

export function defaultStaff(code: string): StaffMember[] {
  return [{ name: 'TRẦN THỊ CÁN BỘ', cccd: `0${code}000001` }];
}

export function normaliseConfig(
  input: SimulatorConfigInput,
  env: NodeJS.ProcessEnv = process.env,
): SimulatorConfig {
  const parsed = simulatorConfigSchema.parse(input);
  const facilities = new Map<string, FacilityConfig>();
  const accounts = new Map<string, AccountConfig>();
  const hash = (
    a: { password?: string | undefined; passwordMd5?: string | undefined },
    code: string,
  ): string => a.passwordMd5?.toUpperCase() ?? md5Upper(a.password ?? defaultDevPassword(code, env));
  for (const f of parsed.facilities) {
    facilities.set(f.code, {
      code: f.code,
      name: f.name,
      province: f.province ?? f.code.slice(0, 2),
      staff: f.staff ?? defaultStaff(f.code),
      allowedIps: f.allowedIps,
    });
    for (const a of f.accounts ?? [{ username: `${f.code}_BV`, locked: false }]) {
      accounts.set(a.username, {
        username: a.username,
        passwordMd5: hash(a, f.code),
        locked: a.locked,
        facility: f.code,
      });
    }
  }
  for (const a of parsed.unboundAccounts) {
    accounts.set(a.username, {
      username: a.username,
      passwordMd5: hash(a, a.username),
      locked: a.locked,
      facility: undefined,
    });
  }
  const contentChecks = Object.fromEntries(
    CONTENT_CHECKS.map((c) => [c, parsed.contentChecks[c] ?? (c === 'fields' ? 'async' : 'sync')]),
  ) as Record<ContentCheck, CheckMode>;
  return {
    facilities,
    accounts,
    tokenLifetimeSeconds: parsed.tokenLifetimeSeconds,
    signaturePolicy: parsed.signaturePolicy,
    maxFileBytes: parsed.maxFileBytes,
    processingDelayMs: parsed.processingDelayMs,
    rawRetention: parsed.rawRetention,
    resultWindowDays: parsed.resultWindowDays,
    seed: parsed.seed,
    cardPopulation: parsed.cardPopulation,
    acceptBirthYearOnly: parsed.acceptBirthYearOnly,
    contentChecks,
    faults: parsed.faults,
  };
}

/**
 * Config precedence: GATEWAY_SIMULATOR_CONFIG (a JSON file in the shape of
 * simulatorConfigSchema) → otherwise the facilities of config/facilities.dev.json with
 * account `<code>_BV` and the development password.
 */
export function loadConfigInput(
  env: NodeJS.ProcessEnv = process.env,
  cwd = process.cwd(),
): SimulatorConfigInput {
  const file = env['GATEWAY_SIMULATOR_CONFIG'];
  if (file) return JSON.parse(readFileSync(resolve(cwd, file), 'utf8')) as SimulatorConfigInput;
  const dev = resolve(cwd, 'config/facilities.dev.json');
  if (!existsSync(dev)) return { facilities: [] };
  const registry = JSON.parse(readFileSync(dev, 'utf8')) as {
    facilities: Array<{ code: string; name?: string; province?: string; gatewayAccount?: string }>;
  };
  return {
    facilities: registry.facilities.map((f) => ({
      code: f.code,
      name: f.name ?? '',
      ...(f.province ? { province: f.province } : {}),
      accounts: [{ username: f.gatewayAccount ?? `${f.code}_BV`, password: defaultDevPassword(f.code, env) }],
    })),
  };
}

/** Reads `<facilityCode>.pem` files (one or more certificates each) from a directory. */
export function loadCertificateDir(dir: string): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const name of readdirSync(dir)) {
    const m = /^([0-9A-Z]{5})\.pem$/.exec(name);
    if (!m) continue;
    const text = readFileSync(join(dir, name), 'utf8');
    const certs = text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
    out[m[1]!] = certs;
  }
  return out;
}
