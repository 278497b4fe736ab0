export { GatewayClient } from './gateway-client';
export type {
  CardLookupOutcome,
  CardLookupRequest,
  EndpointFamily,
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
