import { Headers, Topics } from '@bhyt/contracts';
import type { WardEvent } from '@bhyt/encounter-domain';
import type { ReceivedMessage } from '@bhyt/messaging';
import { wardEventHandler } from './consumers';
import type { EncounterService, ParkableMessage } from './encounter.service';

describe('ward events over Kafka', () => {
  it('hands the message as received (value, key, headers, position) to parking, for its dead letter', async () => {
    const calls: Array<{ event: WardEvent; park?: ParkableMessage }> = [];
    const encounters = {
      record: async (event: WardEvent, options: { park?: ParkableMessage }) =>
        void calls.push({ event, park: options.park }),
    } as unknown as EncounterService;
    // Odd spacing on purpose: the kept value is the bytes sent, not a re-serialisation.
    const raw =
      '{"eventId":"6f1c1b9e-4c1e-4a57-9b43-0d2b7f7c2b10",  "facilityCode":"79001","maLk":"79001_2026_03_0000042","type":"note.recorded","occurredAt":"2026-03-01T08:00:00+07:00","data":{"text":"stable","at":"2026-03-01T08:00:00+07:00","authors":["BS001"]}}';
    const message: ReceivedMessage = {
      topic: Topics.wardEvents.name,
      partition: 2,
      offset: '77',
      key: '79001_2026_03_0000042',
      value: Buffer.from(raw),
      headers: { [Headers.facility]: '79001' },
    };
    await wardEventHandler(encounters)(message);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.event.maLk).toBe('79001_2026_03_0000042');
    expect(calls[0]!.park).toEqual({
      raw,
      origin: {
        topic: Topics.wardEvents.name,
        partition: 2,
        offset: '77',
        key: '79001_2026_03_0000042',
        headers: { [Headers.facility]: '79001' },
      },
    });
  });

  it('dead-letters an event whose data does not match its type, naming the event’s fields', async () => {
    const encounters = { record: async () => 'applied' } as unknown as EncounterService;
    const raw = JSON.stringify({
      eventId: '6f1c1b9e-4c1e-4a57-9b43-0d2b7f7c2b11',
      facilityCode: '79001',
      maLk: '79001_2026_03_0000042',
      type: 'drug.ordered',
      occurredAt: '2026-03-01T08:00:00+07:00',
      data: {},
    });
    const message: ReceivedMessage = {
      topic: Topics.wardEvents.name,
      partition: 0,
      offset: '1',
      key: null,
      value: Buffer.from(raw),
      headers: {},
    };
    await expect(wardEventHandler(encounters)(message)).rejects.toMatchObject({
      code: 'WARD_EVENT_INVALID',
      message: expect.stringContaining('data.unitPrice'),
    });
  });

  it('dead-letters an event dated after the clock plus its tolerance', async () => {
    const encounters = { record: async () => 'applied' } as unknown as EncounterService;
    const raw = JSON.stringify({
      eventId: '6f1c1b9e-4c1e-4a57-9b43-0d2b7f7c2b12',
      facilityCode: '79001',
      maLk: '79001_2026_03_0000042',
      type: 'note.recorded',
      occurredAt: '2099-03-01T08:00:00+07:00',
      data: { text: 'x', at: '2026-03-01T08:00:00+07:00', authors: ['BS001'] },
    });
    const message: ReceivedMessage = {
      topic: Topics.wardEvents.name,
      partition: 0,
      offset: '1',
      key: null,
      value: Buffer.from(raw),
      headers: {},
    };
    await expect(wardEventHandler(encounters, { clockToleranceMs: 60_000 })(message)).rejects.toMatchObject({
      code: 'WARD_EVENT_INVALID',
      message: expect.stringContaining('occurredAt: DATE_IN_FUTURE'),
    });
  });
});
