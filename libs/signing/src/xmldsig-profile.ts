/** Algorithm identifiers of the BHYT gateway signature profile (spec §6.2). */
export const DSIG_NS = 'http://www.w3.org/2000/09/xmldsig#';
export const C14N_10 = 'http://www.w3.org/TR/2001/REC-xml-c14n-20010315';
export const RSA_SHA256 = 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256';
export const ENVELOPED_SIGNATURE = 'http://www.w3.org/2000/09/xmldsig#enveloped-signature';
export const SHA256_DIGEST = 'http://www.w3.org/2001/04/xmlenc#sha256';
export const SIGNATURE_CONTAINER = 'CHUKYDONVI';
/** The declaration every signed output starts with (no whitespace follows it). */
export const XML_DECLARATION = '<?xml version="1.0" encoding="utf-8"?>';
