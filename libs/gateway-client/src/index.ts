export { GatewayClient, endpointFamilyFor } from './gateway-client';
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
export type { Classification, FailureOutcome, GatewayOperation, GatewayOutcome, ParsedBody, TransportObservation } from './classify';
export { md5UpperHex, secretSourceAccountResolver, staticAccountResolver, UnknownFacilityAccountError } from './accounts';
export type { AccountResolver, GatewayAccount, SecretSource, StaticAccountEntry } from './accounts';
export { parseExpiresIn } from './expiry';
