/**
 * The public face of the pure core. Everything outside src/ca imports from here. DER/ASN.1 plumbing
 * (der*.ts, oids.ts, certificate-reader/assembly, extension encoders and readers) stays internal.
 */

// Shared vocabulary
export * from './types.js';
export * from './errors.js';
export * from '../shared/clock.js';
export * from './ipv4.js';
export * from './ip-ranges.js';

// Intake: CSR parsing and policy
export * from './csr-policy.js';
export * from './csr-profiles.js';
export { ipsExactly, keyOtherThan, type CsrCheck, type CsrUnderReview } from './csr-checks.js';
export { parseCsr, parseCsrDer, checkInputLength, type ParsedCsr } from './csr.js';
export { describeIgnoredExtensions } from './csr-extensions.js';
export * from './key-policy.js';
export { checkRsaModulus, FERMAT_ROUNDS, SMALL_PRIME_BOUND } from './key-quality/weak-rsa-modulus.js';
export { ForbiddenKeys, publicKeyThumbprint, type ForbiddenKey } from './key-quality/forbidden-keys.js';
export { caKeysOf } from './key-quality/ca-keys.js';
export * from './identifier-policy.js';
export * from './subject-policy.js';
export * from './pem.js';
export { buildClientCsr } from './client-csr.js';
export { CertificateInspection, octetStringExtensionValue, type AltName } from './certificate-inspection.js';
export type { CertificateExtension } from './certificate-reader.js';

// Signing: CA material, leaves, keys
export * from './ca-material.js';
export * from './ca-hierarchy.js';
export * from './ca-lifecycle.js';
export * from './leaf-signer.js';
export * from './crl.js';
export * from './key-generation.js';
export * from './serial.js';
export * from './name-constraints.js';
export * from './server-certificate.js';
export {
  CA_BACKDATE_MS,
  INTERMEDIATE_VALIDITY_YEARS,
  LEAF_BACKDATE_MS,
  LEAF_MAX_VALIDITY_MS,
  ROOT_VALIDITY_YEARS,
  SHORTEST_LEAF_MS,
} from './profile.js';
