import { GatewayTimeError, parseGatewayTime } from './gateway-time';

describe('parseGatewayTime', () => {
  it('reads yyyyMMddHHmmss as Vietnam local time', () => {
    expect(parseGatewayTime('20261125160000').toISOString()).toBe('2026-11-25T09:00:00.000Z');
  });

  it.each([
    '',
    '2026-11-25T16:00:00Z',
    '20261325160000',
    '20260231120000',
    '20261125240000',
    '2026112516000',
    'abcdefghijklmn',
  ])('refuses %j with an error naming the field', (value) => {
    expect(() => parseGatewayTime(value)).toThrow(GatewayTimeError);
    expect(() => parseGatewayTime(value)).toThrow(/thoiGianTiepNhan/);
  });
});
