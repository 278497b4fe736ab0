import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { createEvent, type ReceivedMessage } from '@bhyt/messaging';
import { Topics, type CheckinReady } from '@bhyt/contracts';
import { FACILITY_REGISTRY, LOGGER, REPEATABLE_TRANSACTION } from '@bhyt/service-kit';
import { FacilityKeyStore } from '@bhyt/signing';
import { SignCheckinConsumer } from './sign-checkin.handler';
import { SignClaimConsumer } from './sign-claim.handler';
import { SignedDocumentStore } from './signed-document.store';
import { SignerErrors } from './signer-errors';
import { SIGNER_CONCURRENCY } from './tokens';

/** The consumers as Nest builds them, from the narrow injectables (not the whole runtime). */
async function consumers() {
  const store = {
    claimSignedBefore: jest.fn(async () => false),
    checkinSignedBefore: jest.fn(async () => false),
  };
  const keys = { signerFor: jest.fn() };
  const tx = jest.fn();
  @Module({
    providers: [
      SignClaimConsumer,
      SignCheckinConsumer,
      { provide: SignedDocumentStore, useValue: store },
      { provide: FacilityKeyStore, useValue: keys },
      { provide: REPEATABLE_TRANSACTION, useValue: tx },
      { provide: FACILITY_REGISTRY, useValue: { has: (code: string) => code === '79001' } },
      { provide: LOGGER, useValue: { info: jest.fn() } },
      { provide: SIGNER_CONCURRENCY, useValue: 3 },
    ],
  })
  class TestModule {}
  const app = await NestFactory.createApplicationContext(TestModule, { logger: false });
  return { app, store, keys, tx, claims: app.get(SignClaimConsumer), checkins: app.get(SignCheckinConsumer) };
}

const received = (value: string): ReceivedMessage => ({
  topic: Topics.checkinReady.name,
  partition: 0,
  offset: '0',
  key: 'LK-1',
  value: Buffer.from(value),
  headers: {},
});

describe('signer consumers', () => {
  it('declare their groups, topics and concurrency', async () => {
    const { app, claims, checkins } = await consumers();
    expect(claims.consumerSpec()).toMatchObject({
      name: 'claims',
      topics: [Topics.encounterClosed.name],
      concurrency: 3,
      inFlightPerPartition: 16,
    });
    expect(checkins.consumerSpec()).toMatchObject({
      name: 'checkins',
      topics: [Topics.checkinReady.name],
      concurrency: 2,
    });
    await app.close();
  });

  it('refuse a check-in of a facility not served, before signing or writing anything', async () => {
    const { app, checkins, keys, tx } = await consumers();
    const payload: CheckinReady = {
      facilityCode: '00000',
      maLk: 'LK-1',
      sequence: 1,
      careType: 'OUTPATIENT_VISIT',
      firstBillableAt: new Date().toISOString(),
      xml: '<A/>',
    };
    const message = createEvent(Topics.checkinReady.name, {
      facilityCode: '00000',
      key: 'LK-1',
      payload,
    }).message;
    const err: unknown = await checkins.handle(received(String(message.value))).catch((e: unknown) => e);
    expect(SignerErrors.is(err, 'FACILITY_UNKNOWN')).toBe(true);
    expect(keys.signerFor).not.toHaveBeenCalled();
    expect(tx).not.toHaveBeenCalled();
    await app.close();
  });
});
