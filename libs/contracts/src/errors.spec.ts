import { defineErrorCodes, HTTP_STATUS_OF_KIND, isPlatformError, PlatformError } from './errors';

describe('error catalogues', () => {
  const Errors = defineErrorCodes({ ENCOUNTER_UNKNOWN: 'not_found', EVENT_ID_CONFLICT: 'conflict' });

  it('builds an error whose kind comes from the catalogue, not from the thrower', () => {
    const err = Errors.raise('EVENT_ID_CONFLICT', 'eventId e-1 was already recorded', { key: 'eventId' });
    expect(err).toBeInstanceOf(PlatformError);
    expect(err).toMatchObject({
      code: 'EVENT_ID_CONFLICT',
      kind: 'conflict',
      message: 'eventId e-1 was already recorded',
      details: { key: 'eventId' },
    });
    expect(isPlatformError(err)).toBe(true);
  });

  it('lists its codes as an enum and recognises its own errors only', () => {
    expect(Errors.codes.ENCOUNTER_UNKNOWN).toBe('ENCOUNTER_UNKNOWN');
    const other = defineErrorCodes({ CLAIM_UNKNOWN: 'not_found' });
    expect(Errors.is(Errors.raise('ENCOUNTER_UNKNOWN', 'x'))).toBe(true);
    expect(Errors.is(Errors.raise('ENCOUNTER_UNKNOWN', 'x'), 'EVENT_ID_CONFLICT')).toBe(false);
    expect(Errors.is(other.raise('CLAIM_UNKNOWN', 'x'))).toBe(false);
    expect(Errors.is(new Error('x'))).toBe(false);
  });

  it('gives every kind an HTTP status', () => {
    expect(HTTP_STATUS_OF_KIND).toEqual({
      invalid: 400,
      unprocessable: 422,
      not_found: 404,
      conflict: 409,
      forbidden: 403,
      unavailable: 503,
    });
  });
});
