import { Intake1700000000100 } from './1700000000100-intake';
import { CardCheck1700000000101 } from './1700000000101-card-check';
import { RequestFingerprint1700000000102 } from './1700000000102-request-fingerprint';
import { PatientsPiiEncrypted1700000000190 } from './1700000000190-patients-pii-encrypted';

/** The intake's own tables, in order (the runtime adds the outbox's around them). */
export const INTAKE_MIGRATIONS = [
  Intake1700000000100,
  CardCheck1700000000101,
  RequestFingerprint1700000000102,
  PatientsPiiEncrypted1700000000190,
];
