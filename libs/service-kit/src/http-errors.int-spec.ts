import 'reflect-metadata';
import { Body, Controller, Get, INestApplication, Module, Param, Post } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { z } from 'zod';
import { createLogger } from '@bhyt/observability';
import { FacilityPathGuard } from './facility-guard';
import { DomainError, HttpErrorFilter, PROBLEM_CONTENT_TYPE } from './http-errors';
import { parseBody, parseParams } from './zod-http';

@Controller('v1/facilities/:facilityCode/things')
class ThingsController {
  @Post()
  create(@Body() body: unknown) {
    return parseBody(z.object({ name: z.string().max(10) }), body);
  }
  @Get(':version')
  get(@Param('version') version: string) {
    const { n } = parseParams(z.object({ n: z.coerce.number().int().positive() }), { n: version });
    if (n > 5) throw new DomainError(404, 'THING_UNKNOWN', 'no such thing');
    return { n };
  }
  @Get()
  crash() {
    throw Object.assign(new Error('invalid input syntax for type integer: "abc"'), {
      code: '22P02',
      severity: 'ERROR',
    });
  }
}

@Module({ controllers: [ThingsController] })
class TestModule {}

describe('HTTP errors as problem+json', () => {
  let app: INestApplication;
  let base: string;
  beforeAll(async () => {
    app = await NestFactory.create(TestModule, { logger: false });
    app.useGlobalFilters(new HttpErrorFilter(createLogger('test', 'silent')));
    app.useGlobalGuards(new FacilityPathGuard({ has: (c) => c === '79001' }));
    await app.listen(0, '127.0.0.1');
    base = `${await app.getUrl()}/v1/facilities`;
  });
  afterAll(() => app.close());

  const call = async (path: string, init: RequestInit = {}) => {
    const res = await fetch(`${base}${path}`, init);
    return {
      status: res.status,
      type: res.headers.get('content-type') ?? '',
      body: (await res.json()) as Record<string, unknown>,
    };
  };
  const post = (path: string, body: string) =>
    call(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body });

  it('answers a 2 MB body with 413 PAYLOAD_TOO_LARGE, not 500', async () => {
    const r = await post('/79001/things', JSON.stringify({ name: 'x'.repeat(2_000_000) }));
    expect([r.status, r.body['code']]).toEqual([413, 'PAYLOAD_TOO_LARGE']);
    expect(r.type).toContain(PROBLEM_CONTENT_TYPE);
  });

  it('answers malformed JSON with 400 MALFORMED_JSON', async () => {
    expect((await post('/79001/things', '{"name":')).body).toMatchObject({
      status: 400,
      code: 'MALFORMED_JSON',
    });
  });

  it('answers a malformed facility with 400 and an unregistered one with 404', async () => {
    expect((await call('/abc/things/1')).body).toMatchObject({
      status: 400,
      code: 'PATH_PARAMETER_INVALID',
      errors: [{ field: 'facilityCode' }],
    });
    expect((await call('/79999/things/1')).body).toMatchObject({ status: 404, code: 'FACILITY_UNKNOWN' });
  });

  it('answers a non-numeric path parameter with 400 naming it, and a database type error with 400', async () => {
    expect((await call('/79001/things/abc')).body).toMatchObject({
      status: 400,
      code: 'PATH_PARAMETER_INVALID',
      errors: [{ field: 'n' }],
    });
    expect((await call('/79001/things')).body).toMatchObject({ status: 400, code: 'INPUT_INVALID' });
  });

  it('gives field errors, domain refusals and unknown routes the same shape', async () => {
    const shape = {
      type: expect.stringMatching(/^urn:bhyt:problem:/),
      title: expect.any(String),
      status: expect.any(Number),
      detail: expect.any(String),
      code: expect.any(String),
    };
    const bodies = [
      (await post('/79001/things', '{"name":5}')).body,
      (await call('/79001/things/9')).body,
      (await call('/nowhere')).body,
    ];
    for (const b of bodies) expect(b).toMatchObject(shape);
    expect(bodies.map((b) => [b['status'], b['code']])).toEqual([
      [422, 'VALIDATION_FAILED'],
      [404, 'THING_UNKNOWN'],
      [404, 'ROUTE_NOT_FOUND'],
    ]);
  });
});
