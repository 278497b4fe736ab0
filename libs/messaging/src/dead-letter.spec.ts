import { Headers } from '@bhyt/contracts';
import { deadLetterMessage } from './dead-letter';

const failure = {
  code: 'SCHEMA_INVALID',
  reason: 'field maLk is missing',
  consumerGroup: 'bhyt-signer-claims',
  failedAt: new Date('2026-11-25T10:00:00Z'),
};

describe('deadLetterMessage', () => {
  it('keeps the original value and headers and adds where the message came from and why it failed', () => {
    const m = deadLetterMessage(
      'platform.dead-letter.v1',
      {
        topic: 'encounter.closed.v1',
        partition: 3,
        offset: '42',
        key: null,
        value: 'raw',
        headers: { [Headers.facility]: '79001' },
      },
      failure,
    );
    expect(m.value).toBe('raw');
    expect(m.key).toBe('encounter.closed.v1:3:42');
    expect(m.headers).toMatchObject({
      [Headers.facility]: '79001',
      [Headers.dlqReasonCode]: 'SCHEMA_INVALID',
      [Headers.dlqSourceTopic]: 'encounter.closed.v1',
      [Headers.dlqSourcePartition]: '3',
      [Headers.dlqSourceOffset]: '42',
      [Headers.dlqConsumerGroup]: 'bhyt-signer-claims',
      [Headers.dlqFailedAt]: '2026-11-25T10:00:00.000Z',
    });
  });

  it('scrubs identifiers from the reason, so that a citizen ID never reaches the dead-letter topic', () => {
    const m = deadLetterMessage(
      'dlq',
      { topic: 't', key: 'k', value: '', headers: {} },
      { ...failure, reason: 'CCCD 079123456789 is invalid' },
    );
    expect(m.headers[Headers.dlqReason]).not.toContain('079123456789');
  });

  it('names no partition or offset for a message that did not come from Kafka', () => {
    const m = deadLetterMessage(
      'dlq',
      { topic: 'encounter.ward-events.v1', key: 'LK-1', value: '{}', headers: {} },
      failure,
    );
    expect(m.key).toBe('LK-1');
    expect(m.headers[Headers.dlqSourcePartition]).toBeUndefined();
    expect(m.headers[Headers.dlqSourceOffset]).toBeUndefined();
  });
});
