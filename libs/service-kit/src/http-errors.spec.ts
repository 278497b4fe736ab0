import { defineErrorCodes } from '@bhyt/contracts';
import { toProblem } from './http-errors';

describe('problem details of domain refusals', () => {
  const Errors = defineErrorCodes({
    EVENT_ID_CONFLICT: 'conflict',
    FACILITY_UNKNOWN: 'not_found',
    HSM_UNAVAILABLE: 'unavailable',
  });

  it('maps each kind to its HTTP status and keeps the code and details', () => {
    expect(
      toProblem(Errors.raise('EVENT_ID_CONFLICT', 'eventId e-1 was already recorded', { key: 'eventId' })),
    ).toMatchObject({
      status: 409,
      code: 'EVENT_ID_CONFLICT',
      detail: 'eventId e-1 was already recorded',
      key: 'eventId',
      type: 'urn:bhyt:problem:event-id-conflict',
    });
    expect(toProblem(Errors.raise('FACILITY_UNKNOWN', 'facility 99999 is not registered')).status).toBe(404);
    expect(toProblem(Errors.raise('HSM_UNAVAILABLE', 'the HSM does not answer')).status).toBe(503);
  });

  it('answers 500 without internals for anything that is not a known refusal', () => {
    expect(toProblem(new Error('connection string postgres://secret'))).toMatchObject({
      status: 500,
      code: 'INTERNAL',
      detail: 'internal error',
    });
  });
});
