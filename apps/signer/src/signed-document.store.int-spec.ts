import { freshDatabase, type FreshDatabase } from '@bhyt/persistence/testing';
import { SIGNER_MIGRATIONS } from './migrations';
import { SignedDocumentStore } from './signed-document.store';

/** The signed-document store against a real PostgreSQL, with the signer's own migrations. */
jest.setTimeout(60_000);

const doc = {
  documentSha256: 'ab'.repeat(32),
  certificateSha256: 'cd'.repeat(32),
  keyId: 'ef'.repeat(20),
  signedXml: '<A/>',
};

describe('signed-document store in PostgreSQL', () => {
  let db: FreshDatabase;
  let store: SignedDocumentStore;

  beforeAll(async () => {
    db = await freshDatabase('signer_int_store', SIGNER_MIGRATIONS, { poolSize: 2 });
    store = new SignedDocumentStore(db.ds);
  });

  beforeEach(async () => {
    await db.ds.query(`TRUNCATE signed_claims, signed_checkins`);
  });

  afterAll(async () => {
    await db?.drop();
  });

  it('records a signed claim once per facility, MA_LK and version', async () => {
    const key = { facilityCode: '79001', maLk: 'LK-1', version: 1 };
    expect(await store.claimSignedBefore(key)).toBe(false);
    expect(await db.ds.transaction((m) => store.recordClaim(m, key, doc))).toBe(true);
    expect(await db.ds.transaction((m) => store.recordClaim(m, key, { ...doc, signedXml: '<B/>' }))).toBe(
      false,
    );
    expect(await store.claimSignedBefore(key)).toBe(true);
    expect(await store.claimSignedBefore({ ...key, version: 2 })).toBe(false);
    expect(await store.claimSignedBefore({ ...key, facilityCode: '79002' })).toBe(false);
    const rows: Array<{ signed_xml: string; key_id: string }> = await db.ds.query(
      `SELECT signed_xml, key_id FROM signed_claims`,
    );
    expect(rows).toEqual([{ signed_xml: '<A/>', key_id: doc.keyId }]);
  });

  it('records a signed check-in once per facility, MA_LK and sequence, apart from the claims', async () => {
    const key = { facilityCode: '79001', maLk: 'LK-1', sequence: 1 };
    expect(await db.ds.transaction((m) => store.recordCheckin(m, key, doc))).toBe(true);
    expect(await db.ds.transaction((m) => store.recordCheckin(m, { ...key, sequence: 2 }, doc))).toBe(true);
    expect(await db.ds.transaction((m) => store.recordCheckin(m, key, doc))).toBe(false);
    expect(await store.checkinSignedBefore(key)).toBe(true);
    expect(await store.checkinSignedBefore({ ...key, sequence: 3 })).toBe(false);
    expect(await store.claimSignedBefore({ facilityCode: '79001', maLk: 'LK-1', version: 1 })).toBe(false);
  });

  it('writes nothing when the caller rolls its transaction back', async () => {
    const key = { facilityCode: '79001', maLk: 'LK-2', version: 1 };
    await expect(
      db.ds.transaction(async (m) => {
        await store.recordClaim(m, key, doc);
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    expect(await store.claimSignedBefore(key)).toBe(false);
  });
});
