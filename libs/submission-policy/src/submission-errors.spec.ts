import { HTTP_STATUS_OF_KIND, isPlatformError } from '@bhyt/contracts';
import { SubmissionErrors } from './submission-errors';

describe('submission errors', () => {
  it('answers an unknown claim with 404 and a refused re-drive with 409, as the operator API always did', () => {
    const unknown = SubmissionErrors.raise('CLAIM_UNKNOWN', 'no claim with this MA_LK at this facility');
    const refused = SubmissionErrors.raise('NOT_REDRIVABLE', 'a newer version of this MA_LK exists');
    expect(isPlatformError(unknown) && HTTP_STATUS_OF_KIND[unknown.kind]).toBe(404);
    expect(isPlatformError(refused) && HTTP_STATUS_OF_KIND[refused.kind]).toBe(409);
    expect(SubmissionErrors.is(refused, 'NOT_REDRIVABLE')).toBe(true);
    expect(SubmissionErrors.is(unknown, 'NOT_REDRIVABLE')).toBe(false);
  });
});
