import type { tracing } from '@opentelemetry/sdk-node';
import { isUntracedRequest, RedactingSpanProcessor } from './tracing';
import { routeOf } from './http-tracing';

describe('service tracing set-up', () => {
  it('leaves probes, metrics and API docs untraced, and traces the APIs', () => {
    expect(
      ['/health/live', '/health/ready', '/metrics', '/docs/openapi.json', '/metrics?x=1'].map(
        isUntracedRequest,
      ),
    ).toEqual([true, true, true, true, true]);
    expect(
      ['/v1/claims/79001/LK1', '/v1/facilities/79001/visits', '/healthbook', '/metricsx'].map(
        isUntracedRequest,
      ),
    ).toEqual([false, false, false, false]);
  });

  it('scrubs personal data from attributes, events and status of every span before export', () => {
    const span = {
      attributes: {
        'url.full': 'http://gw/api/the?maThe=GD4797912345678',
        'db.statement': 'SELECT 1 WHERE x = $1',
        hoTen: 'NGUYEN VAN A',
        'bhyt.ma_lk': '79001_2026_01_0000001',
      },
      events: [{ name: 'exception', attributes: { 'exception.message': 'no card for 079085000123' } }],
      status: { code: 2, message: 'lookup 079085000123 failed' },
    } as unknown as tracing.ReadableSpan;
    new RedactingSpanProcessor().onEnd(span);
    expect(JSON.stringify(span)).not.toMatch(/GD4797912345678|079085000123|NGUYEN VAN A/);
    expect(span.attributes['bhyt.ma_lk']).toBe('79001_2026_01_0000001');
    expect(span.attributes['db.statement']).toBe('SELECT 1 WHERE x = $1');
  });

  it('names HTTP spans by the route pattern, never by the values in the path', () => {
    expect(
      routeOf({ baseUrl: '', route: { path: '/v1/facilities/:facilityCode/encounters/:maLk/close' } }),
    ).toBe('/v1/facilities/:facilityCode/encounters/:maLk/close');
    expect(routeOf({ baseUrl: '' })).toBeUndefined();
  });
});
