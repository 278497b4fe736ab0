import { Headers, Topics } from '@bhyt/contracts';
import {
  ENCOUNTER_NEVER_OPENED,
  expiresAt,
  expiryCutoff,
  formatAge,
  isExpired,
  neverOpenedDeadLetter,
  ParkedEvent,
  parkedGaugeValues,
} from './parked-expiry';

const now = new Date('2026-03-02T10:00:00.000Z');
const minutesAgo = (m: number) => new Date(now.getTime() - m * 60_000);

describe('expiry of parked ward events', () => {
  it('expires an event only once it has waited longer than the maximum age', () => {
    expect(isExpired(minutesAgo(1439), now, 1440)).toBe(false);
    expect(isExpired(minutesAgo(1440), now, 1440)).toBe(false);
    expect(isExpired(new Date(minutesAgo(1440).getTime() - 1), now, 1440)).toBe(true);
    expect(isExpired(minutesAgo(3 * 1440), now, 1440)).toBe(true);
  });

  it('takes fractions of a minute', () => {
    expect(expiryCutoff(now, 0.25).toISOString()).toBe('2026-03-02T09:59:45.000Z');
    expect(isExpired(new Date(now.getTime() - 16_000), now, 0.25)).toBe(true);
    expect(isExpired(new Date(now.getTime() - 14_000), now, 0.25)).toBe(false);
  });

  it('shows an operator the same moment the sweeper uses: expired exactly when expiresAt is past', () => {
    for (const receivedAt of [
      minutesAgo(10),
      minutesAgo(60),
      new Date(minutesAgo(60).getTime() - 1),
      minutesAgo(61),
    ]) {
      expect(isExpired(receivedAt, now, 60)).toBe(expiresAt(receivedAt, 60).getTime() < now.getTime());
    }
    expect(expiresAt(minutesAgo(10), 60).toISOString()).toBe('2026-03-02T10:50:00.000Z');
  });

  it('writes ages for people', () => {
    expect([0, 42, 60, 3599, 3600, 86_400 + 2 * 3600 + 5 * 60 + 7, -5].map(formatAge)).toEqual([
      '0s',
      '42s',
      '1m',
      '59m',
      '1h 0m',
      '1d 2h 5m',
      '0s',
    ]);
  });
});

describe('the dead letter of an event whose encounter never opened', () => {
  const raw =
    '{ "eventId": "6f1c1b9e-4c1e-4a57-9b43-0d2b7f7c2b10", "facilityCode": "79001", "maLk": "79001_2026_03_0000042", "type": "diagnosis", "occurredAt": "2026-03-01T08:00:00+07:00", "data": { "mainText": "Viêm phổi" } }';
  const parked: ParkedEvent = {
    eventId: '6f1c1b9e-4c1e-4a57-9b43-0d2b7f7c2b10',
    facilityCode: '79001',
    maLk: '79001_2026_03_0000042',
    receivedAt: new Date(now.getTime() - (26 * 3600 + 5 * 60) * 1000),
    raw,
    origin: {
      topic: Topics.wardEvents.name,
      partition: 4,
      offset: '1234',
      key: '79001_2026_03_0000042',
      headers: {
        [Headers.facility]: '79001',
        traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
      },
    },
    event: { ignored: 'raw wins' },
  };

  it('keeps the value exactly as received, its key and its headers, and adds the dead-letter headers', () => {
    const dl = neverOpenedDeadLetter(parked, now, 1440, 'bhyt-encounter-ward-events');
    expect(dl.topic).toBe(Topics.deadLetter.name);
    expect(dl.key).toBe('79001_2026_03_0000042');
    expect(dl.value).toBe(raw);
    expect(dl.headers).toEqual({
      [Headers.facility]: '79001',
      traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
      [Headers.dlqReasonCode]: ENCOUNTER_NEVER_OPENED,
      [Headers.dlqReason]: expect.any(String),
      [Headers.dlqSourceTopic]: Topics.wardEvents.name,
      [Headers.dlqSourcePartition]: '4',
      [Headers.dlqSourceOffset]: '1234',
      [Headers.dlqConsumerGroup]: 'bhyt-encounter-ward-events',
      [Headers.dlqFailedAt]: now.toISOString(),
    });
  });

  it('names facility, MA_LK and age in the reason, and nothing from the payload', () => {
    const reason = neverOpenedDeadLetter(parked, now, 1440, 'g').headers[Headers.dlqReason]!;
    expect(reason).toContain('79001_2026_03_0000042');
    expect(reason).toContain('facility 79001');
    expect(reason).toContain('1d 2h 5m');
    expect(reason).toContain('limit 1d 0h 0m');
    expect(reason).not.toContain('Viêm');
    expect(reason).not.toContain('diagnosis');
  });

  it('redacts a personal identifier a ward system put in the MA_LK by mistake', () => {
    const reason = neverOpenedDeadLetter({ ...parked, maLk: '079123456789' }, now, 1440, 'g').headers[
      Headers.dlqReason
    ]!;
    expect(reason).not.toContain('079123456789');
  });

  it('replaces dead-letter headers an earlier re-drive left on the message', () => {
    const redriven = {
      ...parked,
      origin: {
        ...parked.origin!,
        headers: {
          ...parked.origin!.headers,
          [Headers.dlqReasonCode]: 'OLD',
          [Headers.dlqSourceOffset]: '1',
        },
      },
    };
    const dl = neverOpenedDeadLetter(redriven, now, 1440, 'g');
    expect([dl.headers[Headers.dlqReasonCode], dl.headers[Headers.dlqSourceOffset]]).toEqual([
      ENCOUNTER_NEVER_OPENED,
      '1234',
    ]);
  });

  it('falls back to the parsed event for events parked before the message was kept', () => {
    const event = { eventId: parked.eventId, facilityCode: '79001', maLk: parked.maLk, type: 'diagnosis' };
    const dl = neverOpenedDeadLetter(
      { ...parked, raw: null, origin: null, event },
      now,
      1440,
      'bhyt-encounter-ward-events',
    );
    expect(JSON.parse(String(dl.value))).toEqual(event);
    expect(dl.key).toBe(parked.maLk);
    expect(dl.headers[Headers.facility]).toBe('79001');
    expect(dl.headers[Headers.dlqSourceTopic]).toBe(Topics.wardEvents.name);
    expect(dl.headers[Headers.dlqSourceOffset]).toBeUndefined();
  });

  it('keys a message that had no key by where it came from, like the consumers do', () => {
    const dl = neverOpenedDeadLetter({ ...parked, origin: { ...parked.origin!, key: null } }, now, 1440, 'g');
    expect(dl.key).toBe(`${Topics.wardEvents.name}:4:1234`);
  });
});

describe('parked-event gauges', () => {
  it('reads 0 for every served facility with nothing parked, and the sample for the others', () => {
    const values = parkedGaugeValues(
      [{ facilityCode: '79001', count: 3, oldestSeconds: 7200.4 }],
      ['01001', '79001'],
    );
    expect(Object.fromEntries(values)).toEqual({
      '01001': { count: 0, oldestSeconds: 0 },
      '79001': { count: 3, oldestSeconds: 7200 },
    });
  });
});
