import { z } from 'zod';
import { CareType, IdentifierType } from '@bhyt/contracts';

/** What a ward system or reception desk sends to register a visit (REST body or Kafka payload). */
export const RegisterVisitRequest = z.object({
  /** Idempotency key chosen by the caller: re-sending the same request returns the same visit. */
  requestId: z.string().min(1).max(100),
  identifier: z.object({ type: IdentifierType, value: z.string().min(1).max(2000) }),
  careType: CareType,
  maBn: z.string().min(1).max(100).optional(),
  patient: z.object({
    fullName: z.string().min(1).max(255),
    birthDate: z.string().regex(/^\d{12}$|^\d{8}$/, 'birth date as yyyyMMdd or yyyyMMddHHmm'),
    sex: z.enum(['1', '2', '3']),
    address: z.string().max(1024).optional(),
  }),
  insuranceCard: z
    .object({
      number: z.string().length(15),
      registeredFacility: z.string().regex(/^\d{5}$/),
      validFrom: z.string().regex(/^\d{8}$/),
      validTo: z.string().regex(/^\d{8}$/),
    })
    .optional(),
  registeredAt: z.iso.datetime({ offset: true }).optional(),
});
export type RegisterVisitRequest = z.infer<typeof RegisterVisitRequest>;
