import { CanActivate, ExecutionContext, HttpException } from '@nestjs/common';
import type { Request, Response } from 'express';
import type { AuthSettings } from './config';
import { JwtError, verifyJwt } from './jwt';
import { authorize, Decision, handlerDecidesAccess, isOpenRoute } from './policy';
import { Principal, Role, scopeProblem } from './principal';

/** What the guard writes for every decision on a protected route (see @bhyt/audit). */
export interface AccessRecord {
  actor: string;
  role: string;
  category: string;
  action: string;
  resource: string;
  facility: string | null;
  outcome: string;
}
export type AccessAuditor = (record: AccessRecord) => Promise<unknown>;

export interface AuthenticatedRequest extends Request {
  principal?: Principal;
  /** The policy decision that let this request in (its facility or province scope). */
  access?: Decision;
  /**
   * On routes whose handler decides further (policy.ts handlerDecidesAccess): the audit record
   * the handler completes with its own outcome and appends before answering.
   */
  pendingAudit?: AccessRecord;
}

const unauthenticated = (message: string) => new HttpException({ error: 'UNAUTHENTICATED', message }, 401);

/** Turns verified claims into a principal; a token whose role and scope do not fit is refused. */
export function principalFromClaims(claims: Record<string, unknown>): Principal {
  const role = Role.safeParse(claims['role']);
  if (!role.success) throw unauthenticated('token carries no valid role');
  const p: Principal = { sub: String(claims['sub']), role: role.data };
  if (typeof claims['facility'] === 'string') p.facility = claims['facility'];
  if (typeof claims['province'] === 'string') p.province = claims['province'];
  if (scopeProblem(p)) throw unauthenticated('token scope does not fit its role');
  return p;
}

/**
 * The global guard of every service: probes, metrics, docs and the token endpoint are open;
 * everything else needs a valid bearer token AND a rule of the access policy that lets the
 * principal reach this facility. Each decision on a protected route is written to the audit log
 * before the request is served — if the audit log cannot be written, the request is refused.
 */
export class AuthGuard implements CanActivate {
  constructor(
    private readonly settings: Pick<AuthSettings, 'issuer' | 'audience' | 'verificationKeys'>,
    private readonly audit: AccessAuditor,
    private readonly onAuditFailure: (err: unknown) => void = () => undefined,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const req = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const res = context.switchToHttp().getResponse<Response>();
    if (isOpenRoute(req.method, req.path)) return true;
    let principal: Principal;
    try {
      principal = this.authenticate(req.headers.authorization);
    } catch (err) {
      res.setHeader('WWW-Authenticate', 'Bearer realm="bhyt"');
      throw err;
    }
    const decision = authorize(principal, {
      method: req.method,
      path: req.path,
      params: (req.params ?? {}) as Record<string, string | undefined>,
      query: (req.query ?? {}) as Record<string, unknown>,
    });
    if (decision.allow && handlerDecidesAccess(req.method, req.path))
      req.pendingAudit = this.recordOf(principal, req, decision);
    else await this.record(principal, req, decision);
    if (!decision.allow)
      throw new HttpException({ error: 'FORBIDDEN', code: decision.code, message: decision.reason }, 403);
    req.principal = principal;
    req.access = decision;
    return true;
  }

  private authenticate(header: string | undefined): Principal {
    if (this.settings.verificationKeys.size === 0)
      throw unauthenticated('authentication is not configured on this service');
    const m = /^Bearer ([A-Za-z0-9._-]+)$/.exec(header ?? '');
    if (!m) throw unauthenticated('a bearer token is required (POST /oauth/token, client credentials)');
    try {
      return principalFromClaims(verifyJwt(m[1]!, this.settings.verificationKeys, this.settings));
    } catch (err) {
      if (err instanceof JwtError) throw unauthenticated(err.message);
      throw err;
    }
  }

  private recordOf(p: Principal, req: Request, d: Decision): AccessRecord {
    const routePath = (req.route as { path?: string } | undefined)?.path ?? req.path;
    return {
      actor: p.sub,
      role: p.role,
      category: d.category ?? 'none',
      action: `${req.method} ${routePath}`,
      resource: req.path.slice(0, 500),
      facility: d.facility ?? null,
      outcome: d.allow ? 'allowed' : `denied:${d.code}`,
    };
  }

  private async record(p: Principal, req: Request, d: Decision): Promise<void> {
    try {
      await this.audit(this.recordOf(p, req, d));
    } catch (err) {
      this.onAuditFailure(err);
      throw new HttpException(
        { error: 'AUDIT_UNAVAILABLE', message: 'the audit log cannot be written; try again' },
        503,
      );
    }
  }
}
