import { PlatformError } from '@bhyt/contracts';
import { PoisonMessageError, type ReceivedMessage } from '@bhyt/messaging';
import { ValidationFailed } from '@bhyt/service-kit';
import { IntakeErrors } from './errors';
import { IngressConsumer } from './ingress.consumer';
import type { RegistrationService } from './registration.service';

const request = {
  requestId: 'r-1',
  identifier: { type: 'CCCD', value: '079080000001' },
  careType: 'OUTPATIENT_VISIT',
  patient: { fullName: 'Nguyễn Văn Mẫu', birthDate: '19800101', sex: '1' },
};
const message = (body: unknown, headers: Record<string, string> = {}): ReceivedMessage => ({
  topic: 'intake.ingress.v1',
  partition: 0,
  offset: '0',
  key: null,
  value: Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)),
  headers,
});
const consumer = (register: RegistrationService['register']) =>
  new IngressConsumer({ register } as RegistrationService);
const poison = async (p: Promise<unknown>) => {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(PoisonMessageError);
  return err as PoisonMessageError;
};

describe('ingress consumer', () => {
  it('declares the ingress group on intake.ingress.v1', () => {
    const spec = consumer(jest.fn()).consumerSpec();
    expect([spec.name, spec.topics]).toEqual(['ingress', ['intake.ingress.v1']]);
  });

  it('registers a valid request for its facility', async () => {
    const register = jest.fn().mockResolvedValue({});
    await consumer(register).handle(message({ facilityCode: '79001', request }, { 'x-facility': '79001' }));
    expect(register).toHaveBeenCalledWith('79001', expect.objectContaining({ requestId: 'r-1' }));
  });

  it('dead-letters what is not a request, or names another facility than its header', async () => {
    expect((await poison(consumer(jest.fn()).handle(message('{not json')))).code).toBe('MALFORMED_JSON');
    expect((await poison(consumer(jest.fn()).handle(message({ facilityCode: '79001' })))).code).toBe(
      'REQUEST_INVALID',
    );
    expect(
      (
        await poison(
          consumer(jest.fn()).handle(message({ facilityCode: '79001', request }, { 'x-facility': '79002' })),
        )
      ).code,
    ).toBe('FACILITY_MISMATCH');
  });

  it('dead-letters the intake refusals as REQUEST_REJECTED with the refusal body, naming no personal data', async () => {
    const unknown = await poison(
      consumer(
        jest
          .fn()
          .mockRejectedValue(
            IntakeErrors.raise('FACILITY_UNKNOWN', 'facility 79001 is not registered on this platform'),
          ),
      ).handle(message({ facilityCode: '79001', request })),
    );
    expect(unknown.code).toBe('REQUEST_REJECTED');
    expect(JSON.parse(unknown.message)).toEqual({
      error: 'FACILITY_UNKNOWN',
      message: 'facility 79001 is not registered on this platform',
    });
    const conflict = await poison(
      consumer(
        jest.fn().mockRejectedValue(IntakeErrors.raise('REQUEST_ID_CONFLICT', 'used', { key: 'requestId' })),
      ).handle(message({ facilityCode: '79001', request })),
    );
    expect(JSON.parse(conflict.message)).toEqual({
      key: 'requestId',
      error: 'REQUEST_ID_CONFLICT',
      message: 'used',
    });
    const invalid = await poison(
      consumer(
        jest
          .fn()
          .mockRejectedValue(
            new ValidationFailed([
              { field: 'patient.birthDate', code: 'DATE_IN_FUTURE', message: 'in the future' },
            ]),
          ),
      ).handle(message({ facilityCode: '79001', request })),
    );
    expect(JSON.parse(invalid.message)).toMatchObject({
      error: 'VALIDATION_FAILED',
      errors: [{ field: 'patient.birthDate' }],
    });
    expect(unknown.message + conflict.message + invalid.message).not.toContain('Nguyễn');
  });

  it('lets a dependency that is down through, to be retried', async () => {
    const down = new PlatformError('DB_UNAVAILABLE', 'unavailable', 'the database does not answer');
    await expect(
      consumer(jest.fn().mockRejectedValue(down)).handle(message({ facilityCode: '79001', request })),
    ).rejects.toBe(down);
  });
});
