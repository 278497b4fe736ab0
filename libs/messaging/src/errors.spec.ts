import { PlatformError } from '@bhyt/contracts';
import { isInfrastructureOutage } from './errors';

describe('telling an outage from a failing message', () => {
  it('treats unreachable or restarting databases and brokers as outages, through TypeORM and cause chains', () => {
    expect(
      isInfrastructureOutage(
        Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }),
      ),
    ).toBe(true);
    expect(
      isInfrastructureOutage(
        Object.assign(new Error('QueryFailedError'), {
          driverError: { code: '57P01', message: 'terminating connection' },
        }),
      ),
    ).toBe(true);
    expect(
      isInfrastructureOutage(
        new Error('wrapped', { cause: Object.assign(new Error('deadlock detected'), { code: '40P01' }) }),
      ),
    ).toBe(true);
    expect(isInfrastructureOutage(new Error('timeout exceeded when trying to connect'))).toBe(true);
    expect(
      isInfrastructureOutage(
        Object.assign(new Error('Connection error'), { name: 'KafkaJSConnectionError' }),
      ),
    ).toBe(true);
    expect(
      isInfrastructureOutage(Object.assign(new Error('HSM session failed'), { code: 'HSM_UNAVAILABLE' })),
    ).toBe(true);
    expect(isInfrastructureOutage(Object.assign(new Error('C_Sign failed'), { code: 'HSM_ERROR' }))).toBe(
      true,
    );
  });

  it('counts everything else against the message: constraint violations, bad casts, programming errors', () => {
    expect(isInfrastructureOutage(Object.assign(new Error('duplicate key value'), { code: '23505' }))).toBe(
      false,
    );
    expect(
      isInfrastructureOutage(
        Object.assign(new Error('QueryFailedError'), { driverError: { code: '22P02' } }),
      ),
    ).toBe(false);
    expect(
      isInfrastructureOutage(new TypeError("cannot read properties of undefined (reading 'maLk')")),
    ).toBe(false);
    expect(isInfrastructureOutage('a string')).toBe(false);
  });
  it('retries a domain refusal of kind unavailable as an outage, and no other kind', () => {
    expect(
      isInfrastructureOutage(new PlatformError('HSM_UNAVAILABLE', 'unavailable', 'the HSM does not answer')),
    ).toBe(true);
    expect(isInfrastructureOutage(new PlatformError('ENCOUNTER_UNKNOWN', 'not_found', 'no encounter'))).toBe(
      false,
    );
  });
});
