import { SignedClaims1700000000300 } from './1700000000300-signed-claims';
import { SignedCheckins1700000000301 } from './1700000000301-signed-checkins';
import { SignedXmlLz41700000000302 } from './1700000000302-signed-xml-lz4';

export const SIGNER_MIGRATIONS = [
  SignedClaims1700000000300,
  SignedCheckins1700000000301,
  SignedXmlLz41700000000302,
];
