import { issuerKeyIdentifierOf } from '../ca/index.js';
import type { CertificateLedger } from '../store/interfaces.js';

/**
 * Which intermediate signed a certificate in the ledger (its authority key identifier), looked up
 * once per serial: what sorts revocations onto the CRLs of a CA with several intermediates.
 */
export class RevocationIssuers {
  private readonly known = new Map<string, string | undefined>();

  constructor(private readonly ledger: Pick<CertificateLedger, 'findCertificate'>) {}

  /** The key identifier (lowercase hex) of the serial's issuer; undefined when the ledger cannot tell. */
  async issuerOf(serialNumber: string): Promise<string | undefined> {
    if (this.known.has(serialNumber)) return this.known.get(serialNumber);
    const record = await this.ledger.findCertificate(serialNumber);
    const issuer = record ? issuerKeyIdentifierOf(record.certificatePem) : undefined;
    // Only a definite answer is kept: a record another replica is still writing may appear later.
    if (record) this.known.set(serialNumber, issuer);
    return issuer;
  }
}
