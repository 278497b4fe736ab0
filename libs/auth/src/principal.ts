import { z } from 'zod';

/** The five kinds of caller of the platform's HTTP APIs. */
export const ROLES = ['ward-system', 'doctor', 'facility-it', 'provincial-officer', 'sre'] as const;
export const Role = z.enum(ROLES);
export type Role = z.infer<typeof Role>;

/**
 * Who calls, as carried by the access token: the OAuth client (`sub`), its role and its scope —
 * one facility for ward systems, doctors and facility IT; one province for provincial officers;
 * none for SRE (operator APIs only, never patient data).
 */
export interface Principal {
  sub: string;
  role: Role;
  facility?: string;
  province?: string;
}

/** Each role's scope is mandatory for it and forbidden for the others. */
export function scopeProblem(p: {
  role: Role;
  facility?: string | undefined;
  province?: string | undefined;
}): string | undefined {
  const facilityScoped = p.role === 'ward-system' || p.role === 'doctor' || p.role === 'facility-it';
  if (facilityScoped && !/^\d{5}$/.test(p.facility ?? '')) return `role ${p.role} needs a 5-digit facility`;
  if (!facilityScoped && p.facility !== undefined) return `role ${p.role} is not bound to a facility`;
  if (p.role === 'provincial-officer' && !/^\d{2}$/.test(p.province ?? ''))
    return 'role provincial-officer needs a 2-digit province';
  if (p.role !== 'provincial-officer' && p.province !== undefined)
    return `role ${p.role} is not bound to a province`;
  return undefined;
}
