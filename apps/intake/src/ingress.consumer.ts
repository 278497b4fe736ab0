import { z } from 'zod';
import { describeIssues, FacilityCode, Headers } from '@bhyt/contracts';
import { PoisonMessageError, ReceivedMessage } from '@bhyt/messaging';
import { DomainError, unstorableTextPaths, ValidationFailed } from '@bhyt/service-kit';
import { RegisterVisitRequest } from './registration.schema';
import { RegistrationService } from './registration.service';

const IngressMessage = z.object({ facilityCode: FacilityCode, request: RegisterVisitRequest });

/**
 * Ward systems may register visits over Kafka (topic intake.ingress.v1). A message that is
 * not a valid request (or names an unknown facility) is dead-lettered with the field errors;
 * a valid one is registered idempotently by its requestId.
 */
export function ingressHandler(registration: RegistrationService) {
  return async (message: ReceivedMessage): Promise<void> => {
    let json: unknown;
    try {
      json = JSON.parse(message.value?.toString('utf8') ?? '');
    } catch {
      throw new PoisonMessageError('MALFORMED_JSON', 'ingress message is not JSON');
    }
    const unstorable = unstorableTextPaths(json);
    if (unstorable.length) throw new PoisonMessageError('REQUEST_INVALID', `unstorable text (NUL or unpaired surrogate) at ${unstorable.join(', ')}`);
    const parsed = IngressMessage.safeParse(json);
    if (!parsed.success) throw new PoisonMessageError('REQUEST_INVALID', describeIssues(parsed.error));
    if (message.headers[Headers.facility] && message.headers[Headers.facility] !== parsed.data.facilityCode) {
      throw new PoisonMessageError('FACILITY_MISMATCH', 'x-facility header differs from facilityCode');
    }
    try {
      await registration.register(parsed.data.facilityCode, parsed.data.request);
    } catch (err) {
      if (err instanceof ValidationFailed || (err instanceof DomainError && err.getStatus() < 500)) {
        throw new PoisonMessageError('REQUEST_REJECTED', JSON.stringify(err.getResponse()));
      }
      throw err;
    }
  };
}
