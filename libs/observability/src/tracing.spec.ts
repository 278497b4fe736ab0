import { context, propagation, ROOT_CONTEXT, trace, TraceFlags } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import {
  claimAttributes,
  extractTraceContext,
  hasTraceContext,
  injectTraceHeaders,
  messageKeyAttributes,
} from './tracing';

describe('claim trace helpers', () => {
  beforeAll(() => propagation.setGlobalPropagator(new W3CTraceContextPropagator()));
  afterAll(() => propagation.disable());

  it('round-trips a W3C trace context through message headers', () => {
    const sc = {
      traceId: '0af7651916cd43dd8448eb211c80319c',
      spanId: 'b7ad6b7169203331',
      traceFlags: TraceFlags.SAMPLED,
      isRemote: true,
    };
    const headers = injectTraceHeaders(trace.setSpanContext(ROOT_CONTEXT, sc));
    expect(headers['traceparent']).toBe('00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01');
    expect(hasTraceContext(headers)).toBe(true);
    expect(trace.getSpanContext(extractTraceContext({ ...headers, other: Buffer.from('x') }))?.traceId).toBe(
      sc.traceId,
    );
    expect(hasTraceContext({})).toBe(false);
    expect(hasTraceContext(injectTraceHeaders(context.active()))).toBe(false);
  });

  it('names the claim on spans with codes and ids only', () => {
    expect(
      claimAttributes({
        facilityCode: '79001',
        maLk: '79001_2026_01_0000001',
        version: 2,
        careType: 'INPATIENT',
      }),
    ).toEqual({
      'bhyt.facility': '79001',
      'bhyt.ma_lk': '79001_2026_01_0000001',
      'bhyt.version': 2,
      'bhyt.care_type': 'INPATIENT',
    });
  });

  it('puts the message key on spans only for topics keyed by MA_LK', () => {
    expect(messageKeyAttributes('claim.signed.v1', '79001_2026_01_0000001')).toEqual({
      'messaging.kafka.message.key': '79001_2026_01_0000001',
      'bhyt.ma_lk': '79001_2026_01_0000001',
    });
    expect(messageKeyAttributes('healthbook.read.v1', 'patient-ref')).toEqual({});
    expect(messageKeyAttributes('intake.ingress.v1', 'x')).toEqual({});
    expect(messageKeyAttributes('claim.signed.v1', null)).toEqual({});
  });
});
