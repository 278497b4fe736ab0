import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';

/**
 * SHA-256 of a body's canonical JSON (RFC 8785: sorted keys, one number form), so that an
 * idempotency key re-used with another body is recognised whatever the key order or spacing.
 */
export function canonicalSha256(body: unknown): string {
  return createHash('sha256')
    .update(canonicalize(body) ?? 'undefined')
    .digest('hex');
}
