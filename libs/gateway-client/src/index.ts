export { GatewayClient, LookupUnavailableError, endpointFamilyFor } from './gateway-client';
export { messageConfirmsReception, UNCONFIRMED_SUCCESS_CODE } from './success';
export type {
  CardLookupOutcome,
  CardLookupRequest,
  EndpointFamily,
  EndpointFamilyOption,
  GatewayClientLogger,
  GatewayClientOptions,
  ReconcileRequest,
  ReconcileResult,
  SubmitRequest,
} from './gateway-client';
export { classifyGatewayResponse, parseGatewayBody } from './classify';
export type {
  Classification,
  FailureOutcome,
  GatewayOperation,
  GatewayOutcome,
  ParsedBody,
  TransportObservation,
} from './classify';
export {
  md5UpperHex,
  secretSourceAccountResolver,
  staticAccountResolver,
  UnknownFacilityAccountError,
} from './accounts';
export type { AccountResolver, GatewayAccount, SecretSource, StaticAccountEntry } from './accounts';
export { parseExpiresIn } from './expiry';
export { GatewayTimeError, parseGatewayTime } from './gateway-time';
export { UNCONFIRMED_GATEWAY_TIME_OFFSET, UNCONFIRMED_RESEND_SUPERSEDES } from './unconfirmed';
