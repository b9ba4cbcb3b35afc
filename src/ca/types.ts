export const CERTIFICATE_TYPES = ['webhook', 'private_server'] as const;
export type CertificateType = (typeof CERTIFICATE_TYPES)[number];

export const KEY_ALGORITHMS = ['ecdsa-p256', 'ecdsa-p384', 'rsa-2048', 'rsa-3072', 'rsa-4096'] as const;
export type KeyAlgorithm = (typeof KEY_ALGORITHMS)[number];

/** The extended key usages a leaf may carry: serverAuth unless asked otherwise, clientAuth for mTLS clients. */
export const EXTENDED_KEY_USAGES = ['serverAuth', 'clientAuth'] as const;
export type ExtendedKeyUsage = (typeof EXTENDED_KEY_USAGES)[number];

/** A public key the key policy accepted. */
export type PublicKeyKind =
  | { readonly kind: 'rsa'; readonly bits: 2048 | 3072 | 4096 }
  | { readonly kind: 'ec'; readonly curve: 'P-256' | 'P-384' };

/** A subject public key that passed the key policy: the DER SubjectPublicKeyInfo and what it is. */
export interface SubjectKey {
  readonly spki: Uint8Array;
  readonly key: PublicKeyKind;
}

/** Canonical dotted-quad IPv4 text, e.g. "192.168.1.10". */
export type Ipv4 = string;

/** A requested extension the profile never uses, whose malformed value was ignored rather than refused. */
export interface IgnoredExtension {
  readonly oid: string;
  /** What was wrong with its value, naming the extension. */
  readonly problem: string;
}

/** What a CSR that passed every check carries into signing: its key and its validated IPs. */
export interface ValidatedCsr extends SubjectKey {
  readonly ips: readonly Ipv4[];
  /** Noted for the audit record and the debug log; nothing of them reaches the certificate. */
  readonly ignoredExtensions: readonly IgnoredExtension[];
}

export function isCertificateType(value: unknown): value is CertificateType {
  return typeof value === 'string' && (CERTIFICATE_TYPES as readonly string[]).includes(value);
}

export function isKeyAlgorithm(value: unknown): value is KeyAlgorithm {
  return typeof value === 'string' && (KEY_ALGORITHMS as readonly string[]).includes(value);
}
