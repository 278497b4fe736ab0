import { signXmlDocument } from './sign-fast';
import { signXmlGeneric } from './sign-generic';
import { verifyXmlSignature } from './verify';
import type { FacilitySigner } from './signer';
import { softwareFacility } from './testing/software-ca';
import { xml130Documents } from './testing/xml130-documents';

jest.setTimeout(60_000); // RSA key generation for the throw-away CA takes a variable time

let signer: FacilitySigner;
beforeAll(async () => {
  ({ signer } = await softwareFacility('79001'));
});

describe('documents built by libs/xml130', () => {
  const docs = xml130Documents();

  it('cover at least one envelope and one check-in per scenario', () => {
    expect(docs.length).toBeGreaterThanOrEqual(2);
  });

  it.each(docs)(
    '%s is canonical-ready and signs identically through the fast and the generic path',
    async (_name, xml) => {
      const fast = await signXmlDocument(xml, signer);
      expect(await signXmlGeneric(xml, signer)).toBe(fast.signedXml);
      expect(verifyXmlSignature(fast.signedXml).valid).toBe(true);
    },
  );
});
