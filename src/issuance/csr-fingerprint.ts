import { createHash } from 'node:crypto';

/**
 * SHA-256 (hex) of the DER inside a PEM CSR the policy has already accepted (one strict block),
 * so the same CSR resubmitted with other line endings or wrapping is recognised.
 */
export function csrFingerprint(pem: string): string {
  const body = pem.replace(/-----(BEGIN|END) [A-Z ]+-----/g, '').replace(/\s+/g, '');
  return createHash('sha256').update(Buffer.from(body, 'base64')).digest('hex');
}
