import { kafkaConnectionFromEnv } from './kafka';

describe('kafkaConnectionFromEnv', () => {
  it('reads the brokers and leaves SASL off by default', () => {
    expect(kafkaConnectionFromEnv('svc', { KAFKA_BROKERS: 'a:1, b:2' })).toEqual({
      brokers: ['a:1', 'b:2'],
      clientId: 'svc',
      ssl: false,
    });
  });

  it('configures SCRAM with TLS when the mechanism and credentials are given', () => {
    const conn = kafkaConnectionFromEnv('svc', {
      KAFKA_BROKERS: 'a:1',
      KAFKA_SSL: 'true',
      KAFKA_SASL_MECHANISM: 'scram-sha-512',
      KAFKA_SASL_USERNAME: 'u',
      KAFKA_SASL_PASSWORD: 'p',
    });
    expect(conn.ssl).toBe(true);
    expect(conn.sasl).toEqual({ mechanism: 'scram-sha-512', username: 'u', password: 'p' });
  });

  it('names the variable of an unknown mechanism without echoing it', () => {
    expect(() =>
      kafkaConnectionFromEnv('svc', { KAFKA_BROKERS: 'a:1', KAFKA_SASL_MECHANISM: 'gssapi-secret' }),
    ).toThrow(/^KAFKA_SASL_MECHANISM must be one of/);
    expect(() =>
      kafkaConnectionFromEnv('svc', { KAFKA_BROKERS: 'a:1', KAFKA_SASL_MECHANISM: 'gssapi-secret' }),
    ).toThrow(expect.objectContaining({ message: expect.not.stringContaining('gssapi-secret') }));
  });

  it('refuses a mechanism without credentials and an empty broker list', () => {
    expect(() =>
      kafkaConnectionFromEnv('svc', { KAFKA_BROKERS: 'a:1', KAFKA_SASL_MECHANISM: 'plain' }),
    ).toThrow(/KAFKA_SASL_USERNAME/);
    expect(() => kafkaConnectionFromEnv('svc', {})).toThrow(/KAFKA_BROKERS is required/);
  });
});
