import { parseFacilityCode } from '@bhyt/identifiers';
import { z } from 'zod';

export const FACILITY_LEVELS = ['central', 'province', 'district', 'commune', 'private'] as const;
export type FacilityLevel = (typeof FACILITY_LEVELS)[number];

/** One healthcare facility the platform sends data for. */
export interface Facility {
  /** 5-digit QĐ 384 facility code (MA_CSKCB); the first two digits are the province. */
  readonly code: string;
  readonly name: string;
  readonly level: FacilityLevel;
  /** 2-digit province code; always equal to the first two digits of `code`. */
  readonly province: string;
  /** The facility's named account on the VSS gateway, e.g. `79001_BV`. */
  readonly gatewayAccount: string;
  /** Alias of the facility's signing certificate in the signer/HSM. */
  readonly certificateAlias: string;
  /** Inactive facilities stay known (history, resubmission) but must not take new work. */
  readonly active: boolean;
}

const nonBlank = z.string().trim().min(1, 'must not be empty');

/** Schema of one entry of a registry file; `active` defaults to true. Unknown keys are refused. */
export const FacilitySchema = z
  .strictObject({
    code: z.string().refine((c) => parseFacilityCode(c).ok, {
      message: 'must be a 5-digit facility code whose first two digits are a province code',
    }),
    name: nonBlank,
    level: z.enum(FACILITY_LEVELS),
    province: z.string().regex(/^\d{2}$/u, 'must be a 2-digit province code'),
    gatewayAccount: nonBlank,
    certificateAlias: nonBlank,
    active: z.boolean().default(true),
  })
  .superRefine((f, ctx) => {
    if (/^\d{2}$/u.test(f.province) && f.code.slice(0, 2) !== f.province) {
      ctx.addIssue({
        code: 'custom',
        path: ['province'],
        message: 'must equal the first two digits of code',
      });
    }
  });

/** Schema of a registry file (format of config/facilities.dev.json). */
export const FacilityFileSchema = z
  .object({
    $comment: z.string().optional(),
    facilities: z.array(FacilitySchema),
  })
  .superRefine((file, ctx) => {
    const seen = new Set<string>();
    file.facilities.forEach((f, i) => {
      if (seen.has(f.code)) {
        ctx.addIssue({ code: 'custom', path: ['facilities', i, 'code'], message: 'duplicate facility code' });
      }
      seen.add(f.code);
    });
  });
