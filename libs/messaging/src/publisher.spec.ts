import { chunkByBytes, MAX_REQUEST_BYTES } from './publisher';
import type { OutgoingMessage } from './publisher';

const msg = (i: number, bytes: number): OutgoingMessage => ({
  topic: 'claim.signed.v1',
  key: `K${i}`,
  value: 'x'.repeat(bytes),
  headers: { 'bhyt-event-id': String(i) },
});

describe('chunkByBytes', () => {
  it('splits a relay batch of claim-sized messages into requests the broker accepts, order kept', () => {
    const messages = Array.from({ length: 500 }, (_, i) => msg(i, 20_000));
    const chunks = chunkByBytes(messages, MAX_REQUEST_BYTES);
    expect(chunks.length).toBeGreaterThan(1);
    for (const c of chunks)
      expect(c.reduce((s, m) => s + (m.value as string).length, 0)).toBeLessThanOrEqual(MAX_REQUEST_BYTES);
    expect(chunks.flat().map((m) => m.key)).toEqual(messages.map((m) => m.key));
  });

  it('keeps small batches in one request', () => {
    expect(chunkByBytes([msg(1, 100), msg(2, 100)], MAX_REQUEST_BYTES)).toHaveLength(1);
  });

  it('sends a message bigger than the budget alone rather than dropping it', () => {
    const chunks = chunkByBytes([msg(1, 10), msg(2, 2_000_000), msg(3, 10)], MAX_REQUEST_BYTES);
    expect(chunks.map((c) => c.map((m) => m.key))).toEqual([['K1'], ['K2'], ['K3']]);
  });

  it('counts UTF-8 bytes, not characters (Vietnamese text is multi-byte)', () => {
    const vi = (i: number): OutgoingMessage => ({ ...msg(i, 0), value: 'ệ'.repeat(200_000) }); // 600 000 bytes
    expect(chunkByBytes([vi(1), vi(2)], MAX_REQUEST_BYTES)).toHaveLength(2);
  });
});
