import { Injectable } from '@nestjs/common';
import { z } from 'zod';
import { describeIssues, FacilityCode, Headers, PlatformError, Topics } from '@bhyt/contracts';
import { PoisonMessageError, ReceivedMessage } from '@bhyt/messaging';
import {
  type ConsumerSpec,
  type DeclaredConsumer,
  unstorableTextPaths,
  ValidationFailed,
} from '@bhyt/service-kit';
import { RegisterVisitRequest } from './registration.schema';
import { RegistrationService } from './registration.service';

const IngressMessage = z.object({ facilityCode: FacilityCode, request: RegisterVisitRequest });

/**
 * Ward systems may register visits over Kafka (topic intake.ingress.v1). A message that is
 * not a valid request (or names an unknown facility) is dead-lettered with the field errors;
 * a valid one is registered idempotently by its requestId.
 */
@Injectable()
export class IngressConsumer implements DeclaredConsumer {
  constructor(private readonly registration: RegistrationService) {}

  consumerSpec(): ConsumerSpec {
    return {
      name: 'ingress',
      topics: [Topics.intakeIngress.name],
      handler: (message) => this.handle(message),
    };
  }

  async handle(message: ReceivedMessage): Promise<void> {
    let json: unknown;
    try {
      json = JSON.parse(message.value?.toString('utf8') ?? '');
    } catch {
      throw new PoisonMessageError('MALFORMED_JSON', 'ingress message is not JSON');
    }
    const unstorable = unstorableTextPaths(json);
    if (unstorable.length)
      throw new PoisonMessageError(
        'REQUEST_INVALID',
        `unstorable text (NUL or unpaired surrogate) at ${unstorable.join(', ')}`,
      );
    const parsed = IngressMessage.safeParse(json);
    if (!parsed.success) throw new PoisonMessageError('REQUEST_INVALID', describeIssues(parsed.error));
    if (message.headers[Headers.facility] && message.headers[Headers.facility] !== parsed.data.facilityCode) {
      throw new PoisonMessageError('FACILITY_MISMATCH', 'x-facility header differs from facilityCode');
    }
    try {
      await this.registration.register(parsed.data.facilityCode, parsed.data.request);
    } catch (err) {
      // Dead-lettered as REQUEST_REJECTED with the refusal's body, as the HTTP caller would read it.
      if (err instanceof ValidationFailed)
        throw new PoisonMessageError('REQUEST_REJECTED', JSON.stringify(err.getResponse()));
      if (err instanceof PlatformError && err.kind !== 'unavailable') {
        throw new PoisonMessageError(
          'REQUEST_REJECTED',
          JSON.stringify({ ...err.details, error: err.code, message: err.message }),
        );
      }
      throw err;
    }
  }
}
