import { X509Certificate, type KeyObject } from 'node:crypto';
import type { DetailedPeerCertificate, TLSSocket } from 'node:tls';

/** An administrator known by a client certificate from --admin-client-ca. */
export interface CertificateAdmin {
  readonly subject: string;
  /** SHA-256 of the certificate's DER, lowercase hex. */
  readonly fingerprint: string;
  readonly serialNumber: string;
  readonly notAfter: Date;
}

/** What the TLS handshake brought: no certificate, an administrator's, or one refused with the reason. */
export type ClientCertificateCheck =
  | { readonly kind: 'absent' }
  | { readonly kind: 'valid'; readonly admin: CertificateAdmin }
  | { readonly kind: 'refused'; readonly reason: string };

/** id-kp-clientAuth (RFC 5280 §4.2.1.12). */
const CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';

/** OpenSSL's verification results (Node's authorizationError codes) in words an operator can act on. */
const CHAIN_PROBLEMS: Readonly<Record<string, string>> = {
  UNABLE_TO_GET_ISSUER_CERT: 'it is not issued by a CA of --admin-client-ca',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'it is not issued by a CA of --admin-client-ca',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'it is not issued by a CA of --admin-client-ca',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'it is self-signed, not issued by a CA of --admin-client-ca',
  SELF_SIGNED_CERT_IN_CHAIN: 'its chain ends at a root that is not in --admin-client-ca',
  CERT_SIGNATURE_FAILURE: 'its signature does not verify',
  CERT_HAS_EXPIRED: 'it (or a CA above it) has expired',
  CERT_NOT_YET_VALID: 'it (or a CA above it) is not valid yet',
  INVALID_PURPOSE: 'a certificate in its chain is not for client authentication',
  INVALID_CA: 'a certificate in its chain is not a CA',
};

/**
 * The client certificate of this connection, checked as an admin credential. OpenSSL has verified
 * the chain against --admin-client-ca during the handshake (`socket.authorized`); on top of that the
 * leaf must name clientAuth explicitly (a serverAuth-only certificate never authenticates a person),
 * be inside its validity window by the server's clock, and not come from this CA itself.
 */
export function checkClientCertificate(socket: unknown, now: Date, ownCaKeys: () => readonly KeyObject[]): ClientCertificateCheck {
  if (!isTlsSocket(socket)) return { kind: 'absent' };
  const peer = socket.getPeerCertificate(true);
  if (!peer?.raw) return { kind: 'absent' };
  const leaf = new X509Certificate(peer.raw);
  const refused = leafProblem(leaf, now) ?? chainProblem(socket) ?? ownCaProblem(peer, ownCaKeys());
  if (refused) return { kind: 'refused', reason: `the client certificate ${subjectLine(leaf)} is refused: ${refused}` };
  return { kind: 'valid', admin: { subject: subjectLine(leaf), fingerprint: leaf.fingerprint256.replaceAll(':', '').toLowerCase(), serialNumber: leaf.serialNumber.toLowerCase(), notAfter: new Date(leaf.validTo) } };
}

/** "CN=alice, O=Example": Node's one-attribute-a-line subject on one line. */
export function subjectLine(certificate: X509Certificate): string {
  return certificate.subject.split('\n').join(', ');
}

function leafProblem(leaf: X509Certificate, now: Date): string | undefined {
  // X509Certificate.keyUsage lists the extended key usage OIDs.
  if (!(leaf.keyUsage ?? []).includes(CLIENT_AUTH)) return 'it has no clientAuth extended key usage (extendedKeyUsage=clientAuth)';
  if (now.getTime() < Date.parse(leaf.validFrom)) return `it is not valid before ${new Date(leaf.validFrom).toISOString()}`;
  if (now.getTime() > Date.parse(leaf.validTo)) return `it expired at ${new Date(leaf.validTo).toISOString()}`;
  return undefined;
}

function chainProblem(socket: TLSSocket): string | undefined {
  if (socket.authorized) return undefined;
  const code = String(socket.authorizationError ?? 'unknown');
  return `${CHAIN_PROBLEMS[code] ?? 'its chain does not verify against --admin-client-ca'} (${code})`;
}

function ownCaProblem(peer: DetailedPeerCertificate, ownKeys: readonly KeyObject[]): string | undefined {
  if (ownKeys.length === 0) return undefined;
  for (const certificate of chainOf(peer)) {
    const key = new X509Certificate(certificate.raw).publicKey;
    if (ownKeys.some((own) => own.equals(key))) return 'it chains to this CA itself, which signs for anyone who asks; admin certificates come from a separate admin CA';
  }
  return undefined;
}

/** The leaf and each issuer Node resolved, until the self-issued root (which refers to itself). */
function chainOf(peer: DetailedPeerCertificate): DetailedPeerCertificate[] {
  const chain: DetailedPeerCertificate[] = [];
  for (let current: DetailedPeerCertificate | undefined = peer; current?.raw && !chain.includes(current) && chain.length < 10; current = current.issuerCertificate) chain.push(current);
  return chain;
}

function isTlsSocket(socket: unknown): socket is TLSSocket {
  return typeof (socket as Partial<TLSSocket> | undefined)?.getPeerCertificate === 'function';
}
