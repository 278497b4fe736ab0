import { CanActivate, ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import { DomainError, ParameterInvalid } from './http-errors';

const FACILITY_CODE = /^\d{5}$/;

/**
 * The facility a route names (`:facilityCode` or `:facility`) is checked before anything else:
 * a malformed code is a 400 and a code the platform does not serve a 404 — not an access
 * refusal ("token is for another facility") nor a 500 further in. Facility codes are public
 * (QĐ 384), so answering this before authentication discloses nothing.
 */
export class FacilityPathGuard implements CanActivate {
  constructor(private readonly facilities: { has(code: string): boolean }) {}

  canActivate(context: ExecutionContext): boolean {
    if (context.getType() !== 'http') return true;
    const req = context.switchToHttp().getRequest<Request>();
    const params = (req.params ?? {}) as Record<string, unknown>;
    for (const name of ['facilityCode', 'facility']) {
      const value = params[name];
      if (value === undefined) continue;
      if (typeof value !== 'string' || !FACILITY_CODE.test(value)) {
        throw new ParameterInvalid([
          { field: name, code: 'FACILITY_CODE_FORMAT', message: 'facility code must be 5 digits (QĐ 384)' },
        ]);
      }
      if (!this.facilities.has(value))
        throw new DomainError(
          404,
          'FACILITY_UNKNOWN',
          `facility ${value} is not registered on this platform`,
        );
    }
    return true;
  }
}
