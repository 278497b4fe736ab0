import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { trace } from '@opentelemetry/api';
import type { Request } from 'express';
import { tap } from 'rxjs';
import { ClaimAttr } from '@bhyt/observability';

/** Route parameters that name a facility or a claim; nothing else from the request goes on the span. */
const PARAM_ATTRIBUTES: Record<string, string> = {
  facilityCode: ClaimAttr.facility,
  facility: ClaimAttr.facility,
  maLk: ClaimAttr.maLk,
  version: ClaimAttr.version,
};

/**
 * Names the HTTP server span (made by the http instrumentation) after the Nest route —
 * "POST /v1/facilities/:facilityCode/visits" instead of "POST" — and puts the facility code
 * and MA_LK from the route, or the MA_LK a registration answers with, on it, so that Tempo
 * finds a claim's HTTP requests by bhyt.ma_lk.
 */
@Injectable()
export class HttpTracingInterceptor implements NestInterceptor {
  intercept(ctx: ExecutionContext, next: CallHandler) {
    const span = trace.getActiveSpan();
    if (!span || ctx.getType() !== 'http') return next.handle();
    const req = ctx.switchToHttp().getRequest<Request>();
    const route = routeOf(req);
    if (route) {
      span.updateName(`${req.method} ${route}`);
      span.setAttribute('http.route', route);
    }
    for (const [param, attr] of Object.entries(PARAM_ATTRIBUTES)) {
      const v = req.params?.[param];
      if (typeof v === 'string' && v.length <= 64)
        span.setAttribute(attr, attr === ClaimAttr.version && /^\d+$/.test(v) ? Number(v) : v);
    }
    return next.handle().pipe(
      tap((body: unknown) => {
        const maLk = body && typeof body === 'object' ? (body as { maLk?: unknown }).maLk : undefined;
        if (typeof maLk === 'string' && maLk.length <= 64) span.setAttribute(ClaimAttr.maLk, maLk);
      }),
    );
  }
}

/** The matched route pattern (":maLk", not the value): low cardinality and free of data. */
export function routeOf(req: Pick<Request, 'baseUrl'> & { route?: { path?: unknown } }): string | undefined {
  const path = req.route?.path;
  if (typeof path !== 'string') return undefined;
  const full = `${req.baseUrl ?? ''}${path}`;
  return full.startsWith('/') ? full : `/${full}`;
}
