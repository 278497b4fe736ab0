import { z } from 'zod';

/** Deterministic PRNG (mulberry32): same seed → same fault sequence. */
export class SeededRng {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(maxExclusive: number): number {
    return Math.floor(this.next() * maxExclusive);
  }
}

export const ROUTE_KINDS = ['token', 'submit', 'checkin', 'lookup'] as const;
export type RouteKind = (typeof ROUTE_KINDS)[number];

export const FAULT_ACTIONS = [
  'http5xx', // HTTP 502 with an HTML proxy page; nothing recorded
  'http500', // HTTP 500 with an HTML body
  'hang', // hold the request for hangMs, then destroy the socket without an answer
  'reset', // destroy the socket at once; nothing recorded
  'acceptThenDrop', // submissions: record the claim, then destroy the socket instead of answering
  'acceptThenHang', // submissions: record the claim, hold the answer for hangMs, then destroy the socket (client timeout after acceptance)
  'business500', // HTTP 200, maKetQua "500"
  'business124', // HTTP 200, maKetQua "124" (server failed to save)
  'business205', // submissions: HTTP 200, maKetQua "205" (parameter format error; permanent)
  'business403', // submissions: HTTP 200, maKetQua "403" (account locked; needs an operator)
  'token401', // invalidate the presented token, answer maKetQua "401"
  'rateLimit', // HTTP 429
  'lookup100', // lookups: maKetQua "100"
  'lookup101', // lookups: maKetQua "101"
] as const;
export type FaultAction = (typeof FAULT_ACTIONS)[number];

const latencySchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('none') }),
  z.object({ kind: z.literal('fixed'), ms: z.number().nonnegative() }),
  z.object({ kind: z.literal('uniform'), minMs: z.number().nonnegative(), maxMs: z.number().nonnegative() }),
  z.object({
    kind: z.literal('longTail'),
    baseMs: z.number().nonnegative(),
    tailMs: z.number().nonnegative(),
    tailProbability: z.number().min(0).max(1),
  }),
]);
export type LatencyProfile = z.infer<typeof latencySchema>;

export const faultProfileSchema = z.object({
  seed: z.number().int().optional(),
  /** Routes the probabilistic faults and latency apply to; default all. */
  routes: z.array(z.enum(ROUTE_KINDS)).optional(),
  latency: latencySchema.optional(),
  /** Probability per request of each action (checked in FAULT_ACTIONS order). */
  probabilities: z.partialRecord(z.enum(FAULT_ACTIONS), z.number().min(0).max(1)).optional(),
  /** Deterministic script: the next matching requests get these actions, in order. */
  script: z
    .array(z.object({ route: z.enum(ROUTE_KINDS).optional(), action: z.enum(FAULT_ACTIONS) }))
    .optional(),
  hangMs: z.number().nonnegative().default(35_000),
  /** Token-bucket-free fixed window: more than maxRequests per windowMs per account/IP → HTTP 429. */
  rateLimit: z
    .object({ maxRequests: z.number().int().positive(), windowMs: z.number().int().positive() })
    .optional(),
  /** Emit maKetQua as JSON numbers instead of strings. */
  numericCodes: z.boolean().default(false),
  /** Card lookups return dsLichSuKCB2018/dsLichSuKT2018 as null. */
  nullLists: z.boolean().default(false),
  /** Maintenance window: every /api call answers HTTP 503 HTML until this ISO time. */
  maintenanceUntil: z.string().optional(),
});
export type FaultProfile = z.output<typeof faultProfileSchema>;
export type FaultProfileInput = z.input<typeof faultProfileSchema>;

export class FaultEngine {
  private profile: FaultProfile;
  private rng: SeededRng;
  private script: Array<{ route?: RouteKind | undefined; action: FaultAction }>;
  private readonly windows = new Map<string, { start: number; count: number }>();

  constructor(profile: FaultProfile, defaultSeed: number) {
    this.profile = profile;
    this.rng = new SeededRng(profile.seed ?? defaultSeed);
    this.script = [...(profile.script ?? [])];
    this.defaultSeed = defaultSeed;
  }
  private readonly defaultSeed: number;

  set(input: FaultProfileInput): FaultProfile {
    this.profile = faultProfileSchema.parse(input);
    this.rng = new SeededRng(this.profile.seed ?? this.defaultSeed);
    this.script = [...(this.profile.script ?? [])];
    this.windows.clear();
    return this.profile;
  }

  get current(): FaultProfile {
    return { ...this.profile, script: [...this.script] };
  }

  private applies(route: RouteKind): boolean {
    return !this.profile.routes || this.profile.routes.includes(route);
  }

  /** Picks the fault for this request (script first, then probabilities), or undefined. */
  pick(route: RouteKind): FaultAction | undefined {
    const idx = this.script.findIndex((s) => s.route === undefined || s.route === route);
    if (idx >= 0) return this.script.splice(idx, 1)[0]!.action;
    if (!this.applies(route) || !this.profile.probabilities) return undefined;
    for (const action of FAULT_ACTIONS) {
      const p = this.profile.probabilities[action];
      if (p !== undefined && p > 0 && this.rng.next() < p) return action;
    }
    return undefined;
  }

  latencyMs(route: RouteKind): number {
    const l = this.profile.latency;
    if (!l || !this.applies(route)) return 0;
    switch (l.kind) {
      case 'none':
        return 0;
      case 'fixed':
        return l.ms;
      case 'uniform':
        return l.minMs + this.rng.next() * Math.max(0, l.maxMs - l.minMs);
      case 'longTail':
        return this.rng.next() < l.tailProbability ? l.tailMs : l.baseMs * (0.5 + this.rng.next());
    }
  }

  /** True when this key exceeded the fixed-window rate limit. */
  rateLimited(key: string, nowMs: number): boolean {
    const rl = this.profile.rateLimit;
    if (!rl) return false;
    const w = this.windows.get(key);
    if (!w || nowMs - w.start >= rl.windowMs) {
      this.windows.set(key, { start: nowMs, count: 1 });
      return false;
    }
    w.count += 1;
    return w.count > rl.maxRequests;
  }

  inMaintenance(nowMs: number): boolean {
    const until = this.profile.maintenanceUntil;
    return until !== undefined && nowMs < Date.parse(until);
  }

  code(code: string): string | number {
    return this.profile.numericCodes && /^\d+$/.test(code) ? Number(code) : code;
  }

  get hangMs(): number {
    return this.profile.hangMs;
  }

  get nullLists(): boolean {
    return this.profile.nullLists;
  }
}
