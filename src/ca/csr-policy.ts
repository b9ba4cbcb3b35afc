import { parseCsr } from './csr.js';
import type { ParsedCsr } from './csr.js';
import { verifyCsrSignature } from './csr-signature.js';
import { CaError } from './errors.js';
import { checkIpIdentifiers, DEFAULT_MAX_IDENTIFIERS, ipsFromSubjectAltNames } from './identifier-policy.js';
import type { Ipv4RangeSet } from './ip-ranges.js';
import { isCanonicalIpv4 } from './ipv4.js';
import { inspectSubjectKey } from './key-policy.js';
import { checkSubjectCommonName } from './subject-policy.js';
import type { CsrShape } from './subject-policy.js';
import type { Ipv4, ValidatedCsr } from './types.js';

export { MAX_CSR_PEM_LENGTH } from './csr.js';

export interface CsrPolicy {
  readonly allowedRanges: Ipv4RangeSet;
  /** 'smsgate': exactly one IP SAN and the subject CN must equal it (REST door, `sign`); a CSR
   *  without any SAN extension is accepted when its CN is a single canonical IPv4 (the seed docs' recipe).
   *  'multi': 1..maxIdentifiers IP SANs; subject empty or CN equal to one of the IPs (ACME, Kubernetes). */
  readonly shape: CsrShape;
  /** Default 100 for 'multi'. 'smsgate' always means exactly one, whatever this says. */
  readonly maxIdentifiers?: number;
}

/**
 * Every check a CSR must pass before signing, cheapest first:
 * length → PEM → DER → structure → key policy → requested extensions → identifiers → subject → signature.
 * Throws CaError only; the result carries nothing from the CSR except its key and its checked IPs.
 */
export function validateCsr(pem: string, policy: CsrPolicy): ValidatedCsr {
  const csr = parseCsr(pem);
  const key = inspectSubjectKey(csr.spki);
  checkNotCa(csr);
  const ips = checkCsrIdentifiers(csr, policy);
  checkSubjectCommonName(csr.subject.commonNames, ips, policy.shape);
  verifyCsrSignature(csr, key);
  return { spki: csr.spki, key: key.key, ips, ignoredExtensions: csr.extensions.ignored };
}

function checkNotCa(csr: ParsedCsr): void {
  if (csr.extensions.caRequested) {
    throw new CaError('ca_requested', 'the CSR requests a CA certificate (basicConstraints cA=TRUE); only end-entity certificates are issued');
  }
}

function checkCsrIdentifiers(csr: ParsedCsr, policy: CsrPolicy): Ipv4[] {
  const names = csr.extensions.subjectAltNames;
  if (names !== undefined) {
    return checkIpIdentifiers(ipsFromSubjectAltNames(names), policy.allowedRanges, maxIdentifiers(policy));
  }
  const commonNames = csr.subject.commonNames;
  if (policy.shape === 'smsgate' && commonNames.length === 1 && isCanonicalIpv4(commonNames[0]!)) {
    // The seed documentation's openssl recipe (`req -new -extensions v3_req`) yields no SAN on
    // OpenSSL < 3.2, which ignores -extensions for requests. Its CN is the IP: take it from there.
    return checkIpIdentifiers(commonNames, policy.allowedRanges, 1);
  }
  throw new CaError(
    'identifier_missing',
    'the CSR has no subjectAltName; request the IP as an iPAddress SAN entry. OpenSSL before 3.2 ignores ' +
      '"-extensions" when making a request: use "-reqexts v3_req" or -addext "subjectAltName=IP:192.168.1.10"',
  );
}

function maxIdentifiers(policy: CsrPolicy): number {
  return policy.shape === 'smsgate' ? 1 : (policy.maxIdentifiers ?? DEFAULT_MAX_IDENTIFIERS);
}
