import type { Principal, Role } from './principal';

/**
 * Route-level authorization as one table, read in one place, so that a new endpoint is covered
 * by the rule of its family without anyone remembering a decorator. Families:
 *
 * | family                          | ward-system, doctor | facility-it     | provincial-officer        | sre   |
 * |---------------------------------|---------------------|-----------------|---------------------------|-------|
 * | /v1/facilities/:facility/**     | own facility, r+w   | —               | province, read-only       | —     |
 * | /v1/claims/** (operator API)    | —                   | own facility    | province, read-only       | all   |
 * | /v1/submissions/** (SRE report) | —                   | —               | —                         | all   |
 * | /v1/reports/**                  | —                   | own facility    | province*, read-only      | all   |
 * | anything else                   | —                   | —               | —                         | —     |
 *
 * "Own facility" is the facility in the path (or the `facility` query parameter of a search);
 * a request that names none is refused to every facility-scoped role (no cross-facility lists).
 * *Except that a provincial officer may read the reports without naming a facility: the reports
 * are addressed to the province (Sở Y tế), so the decision then carries the officer's province
 * and the service must cut its answer to it ({@link allowedScope}).
 * SRE never reaches patient data. Probes, metrics, the API docs and the token endpoint are open.
 */
export type AccessCategory = 'patient-data' | 'operator' | 'report';

export interface RequestFacts {
  method: string;
  /** URL path without the query string, as received. */
  path: string;
  /** Route parameters resolved by the router. */
  params: Record<string, string | undefined>;
  query: Record<string, unknown>;
}

export type Decision =
  | { allow: true; category: AccessCategory; facility?: string; province?: string }
  | {
      allow: false;
      category?: AccessCategory;
      facility?: string;
      code: 'NO_RULE' | 'ROLE_FORBIDDEN' | 'FACILITY_FORBIDDEN' | 'FACILITY_REQUIRED' | 'READ_ONLY';
      reason: string;
    };

const OPEN: Array<{ method: string; path: RegExp }> = [
  { method: 'GET', path: /^\/health\/(live|ready)\/?$/ },
  { method: 'GET', path: /^\/metrics\/?$/ },
  { method: 'GET', path: /^\/docs(\/.*)?$/ },
  { method: 'POST', path: /^\/oauth\/token\/?$/ },
  // The reporting web page (browser, no bearer token) checks its own session cookie for now
  // (apps/reporting/src/web/web-auth.ts) until it moves to the shared authentication.
  { method: 'GET', path: /^\/ui(\/.*)?$/ },
  { method: 'POST', path: /^\/ui\/.+$/ },
];

export function isOpenRoute(method: string, path: string): boolean {
  const m = method.toUpperCase() === 'HEAD' ? 'GET' : method.toUpperCase();
  return OPEN.some((r) => r.method === m && r.path.test(path));
}

/**
 * Routes whose handler takes a further access decision of its own (the health book: care
 * relationship, reader role): the guard does not write "allowed" for them but hands the
 * record to the handler, which writes the decision it took (allowed, or denied with the
 * reason) before answering — one audit row per request, the one that was taken.
 */
const HANDLER_DECIDES: RegExp[] = [/^\/v1\/facilities\/[^/]+\/patients\/[^/]+\/health-book\/?$/];
export const handlerDecidesAccess = (method: string, path: string): boolean =>
  ['GET', 'HEAD'].includes(method.toUpperCase()) && HANDLER_DECIDES.some((r) => r.test(path));

interface Family {
  path: RegExp;
  category: AccessCategory;
  roles: Record<Role, 'scoped' | 'all' | 'none'>;
  /** A provincial officer may read it without naming a facility, scoped to the province. */
  provinceWide?: true;
}

const FAMILIES: Family[] = [
  {
    path: /^\/v1\/facilities(\/|$)/,
    category: 'patient-data',
    roles: {
      'ward-system': 'scoped',
      doctor: 'scoped',
      'facility-it': 'none',
      'provincial-officer': 'scoped',
      sre: 'none',
    },
  },
  // Network-wide delivery figures (no facility in them): SRE only.
  {
    path: /^\/v1\/submissions(\/|$)/,
    category: 'operator',
    roles: {
      'ward-system': 'none',
      doctor: 'none',
      'facility-it': 'none',
      'provincial-officer': 'none',
      sre: 'all',
    },
  },
  // Encounters that cannot move on, and taking back the event at fault (apps/encounter).
  {
    path: /^\/v1\/operations(\/|$)/,
    category: 'operator',
    roles: {
      'ward-system': 'none',
      doctor: 'none',
      'facility-it': 'scoped',
      'provincial-officer': 'scoped',
      sre: 'all',
    },
  },
  {
    path: /^\/v1\/claims(\/|$)/,
    category: 'operator',
    roles: {
      'ward-system': 'none',
      doctor: 'none',
      'facility-it': 'scoped',
      'provincial-officer': 'scoped',
      sre: 'all',
    },
  },
  {
    path: /^\/v1\/reports(\/|$)/,
    category: 'report',
    roles: {
      'ward-system': 'none',
      doctor: 'none',
      'facility-it': 'scoped',
      'provincial-officer': 'scoped',
      sre: 'all',
    },
    provinceWide: true,
  },
];

/** The facility a request is about: route parameter, else path segment, else `facility` query. */
export function requestFacility(r: RequestFacts): { facility?: string; conflict: boolean } {
  const found = new Set<string>();
  for (const name of ['facilityCode', 'facility']) {
    const v: unknown = r.params[name];
    if (v !== undefined) found.add(Array.isArray(v) ? '(several)' : String(v));
  }
  const inPath = /^\/v1\/facilities\/([^/]+)/.exec(r.path)?.[1];
  if (inPath !== undefined) found.add(decodeURIComponent(inPath));
  const q = r.query['facility'];
  if (found.size === 0 && q !== undefined) found.add(Array.isArray(q) ? '(several)' : String(q));
  if (found.size > 1) return { conflict: true };
  const [facility] = [...found];
  return facility === undefined ? { conflict: false } : { facility, conflict: false };
}

const isRead = (method: string) => ['GET', 'HEAD'].includes(method.toUpperCase());

export function authorize(p: Principal, r: RequestFacts): Decision {
  const family = FAMILIES.find((f) => f.path.test(r.path));
  if (!family) return { allow: false, code: 'NO_RULE', reason: 'no access rule covers this route' };
  const category = family.category;
  const { facility, conflict } = requestFacility(r);
  const about = facility !== undefined ? { facility } : {};
  const grant = family.roles[p.role];
  if (grant === 'none')
    return {
      allow: false,
      category,
      ...about,
      code: 'ROLE_FORBIDDEN',
      reason: `role ${p.role} has no access to ${category}`,
    };
  if (grant === 'all') return { allow: true, category, ...about };
  if (conflict)
    return {
      allow: false,
      category,
      code: 'FACILITY_FORBIDDEN',
      reason: 'the request names two different facilities',
    };
  if (p.role === 'provincial-officer') return authorizeOfficer(p, r, family, facility);
  if (facility === undefined)
    return {
      allow: false,
      category,
      code: 'FACILITY_REQUIRED',
      reason: 'name the facility (path or ?facility=)',
    };
  if (facility !== p.facility)
    return {
      allow: false,
      category,
      ...about,
      code: 'FACILITY_FORBIDDEN',
      reason: 'the token is for another facility',
    };
  return { allow: true, category, ...about };
}

function authorizeOfficer(
  p: Principal,
  r: RequestFacts,
  family: Family,
  facility: string | undefined,
): Decision {
  const category = family.category;
  const about = facility !== undefined ? { facility } : {};
  // Read-only first: a write is refused as such whether or not it names a facility.
  if (!isRead(r.method))
    return {
      allow: false,
      category,
      ...about,
      code: 'READ_ONLY',
      reason: 'provincial officers have read-only access',
    };
  // The token's province is checked by principalFromClaims; a principal built elsewhere without
  // one must not turn into "every province".
  const province = p.province;
  if (province === undefined || !/^\d{2}$/.test(province))
    return {
      allow: false,
      category,
      ...about,
      code: 'FACILITY_FORBIDDEN',
      reason: 'the officer’s token names no province',
    };
  if (facility === undefined) {
    if (family.provinceWide) return { allow: true, category, province };
    return {
      allow: false,
      category,
      code: 'FACILITY_REQUIRED',
      reason: 'name the facility (path or ?facility=)',
    };
  }
  // QĐ 384 facility codes start with their province (enforced by the facility registry).
  if (facility.slice(0, 2) !== province || !/^\d{5}$/.test(facility)) {
    return {
      allow: false,
      category,
      ...about,
      code: 'FACILITY_FORBIDDEN',
      reason: 'the facility is outside the officer’s province',
    };
  }
  return { allow: true, category, ...about };
}

/** The data an allowed request may see. */
export type DataScope = { facility: string } | { province: string } | 'all';

/**
 * What the service must cut its answer to, for an allowed decision: the facility the request
 * names, else the officer's province, else everything. Only an unscoped role (SRE) reaches
 * 'all': a scoped role is allowed only with a facility or, for an officer, a province.
 */
export function allowedScope(d: Extract<Decision, { allow: true }>): DataScope {
  if (d.facility !== undefined) return { facility: d.facility };
  if (d.province !== undefined) return { province: d.province };
  return 'all';
}
