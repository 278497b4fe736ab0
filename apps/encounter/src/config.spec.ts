import { ConfigError } from '@bhyt/config';
import { loadEncounterConfig } from './config';

const base = { DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/postgres', KAFKA_BROKERS: '127.0.0.1:9092' };

describe('encounter configuration', () => {
  it('dead-letters parked ward events after 24 hours, sweeping every minute, by default', () => {
    const config = loadEncounterConfig(base);
    expect([config.PARKED_WARD_EVENT_MAX_AGE_MINUTES, config.PARKED_WARD_EVENT_SWEEP_MS]).toEqual([
      1440, 60_000,
    ]);
  });

  it('takes a maximum age in minutes, fractions included', () => {
    expect(
      loadEncounterConfig({
        ...base,
        PARKED_WARD_EVENT_MAX_AGE_MINUTES: '0.25',
        PARKED_WARD_EVENT_SWEEP_MS: '500',
      }),
    ).toMatchObject({ PARKED_WARD_EVENT_MAX_AGE_MINUTES: 0.25, PARKED_WARD_EVENT_SWEEP_MS: 500 });
  });

  it.each([
    ['PARKED_WARD_EVENT_MAX_AGE_MINUTES', '0'],
    ['PARKED_WARD_EVENT_MAX_AGE_MINUTES', '-5'],
    ['PARKED_WARD_EVENT_MAX_AGE_MINUTES', 'a day'],
    ['PARKED_WARD_EVENT_SWEEP_MS', '10'],
    ['PARKED_WARD_EVENT_SWEEP_MS', '1.5'],
  ])('refuses to start with %s=%s, naming the variable', (name, value) => {
    let error: unknown;
    try {
      loadEncounterConfig({ ...base, [name]: value });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems.join('\n')).toContain(name);
  });
});
