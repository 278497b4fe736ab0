import { Submissions1700000000400 } from './1700000000400-submissions';
import { SubmissionKinds1700000000401 } from './1700000000401-submission-kinds';
import { SignedXmlLz41700000000402 } from './1700000000402-signed-xml-lz4';
import { SubmissionTrace1700000000403 } from './1700000000403-submission-trace';
import { SubmissionLeases1700000000404 } from './1700000000404-submission-leases';

/** gateway-sync's migrations, in order (new ones only; shipped ones are never edited). */
export const GATEWAY_SYNC_MIGRATIONS = [
  Submissions1700000000400,
  SubmissionKinds1700000000401,
  SignedXmlLz41700000000402,
  SubmissionTrace1700000000403,
  SubmissionLeases1700000000404,
];
