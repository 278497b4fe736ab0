// @bhyt/signing — HSM (PKCS#11) signing of BHYT gateway XML (spec bhyt-gateway.md §6).
export { SigningError, isSigningError } from './errors';
export type { SigningErrorCode } from './errors';
export { loadHsmConfigFromEnv, DEFAULT_SESSIONS } from './config';
export type { HsmConfig } from './config';
export { Pkcs11Hsm, DEFAULT_SIGN_MECHANISM } from './pkcs11-hsm';
export { HsmSupervisor } from './hsm-supervisor';
export type { SupervisedHsm, HsmSupervisorOptions } from './hsm-supervisor';
export type { RsaSignMechanism, OpenOptions, ObjectHandle, HsmObjectSummary } from './pkcs11-hsm';
export { FacilityKeyStore, facilityLabel, FACILITY_LABEL_PREFIX } from './key-store';
export type { KeyInfo, FacilityKeyEntry, KeyStoreOptions } from './key-store';
export type { FacilitySigner } from './signer';
export { createSoftwareSigner } from './signer';
export { signXmlDocument } from './sign-fast';
export type { SignedDocument } from './sign-fast';
export { checkCanonicalReady } from './canonical-ready';
export type { CanonicalReadyDocument } from './canonical-ready';
export { signXmlGeneric } from './sign-generic';
export { verifyXmlSignature } from './verify';
export type { VerifyOptions, VerifyResult } from './verify';
export {
  DevCa,
  buildCsr,
  parseCertificate,
  importPemChain,
  importPkcs12,
  validateChain,
  daysToExpiry,
  expiryStatus,
  derToPem,
  DEFAULT_EXPIRY_WARNING_DAYS,
} from './certificates';
export type {
  CertificateInfo,
  ChainValidation,
  ExpiryStatus,
  IssueOptions,
  Pkcs12Contents,
  SubjectField,
} from './certificates';
export {
  createFacilityKey,
  createFacilityKeyRequest,
  importFacilityCertificate,
  ensureFacilityKey,
  rotateFacilityKey,
  retireFacilityKey,
  exportCertificatePem,
} from './provisioning';
export type {
  FacilityIdentity,
  ProvisionOptions,
  ProvisionResult,
  ProvisionStatus,
  RotationResult,
} from './provisioning';
export * from './xmldsig-profile';
