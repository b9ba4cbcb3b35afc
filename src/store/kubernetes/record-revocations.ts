import type { CertificateRequest } from '../../custom-resources/crd-types.js';
import { isConflict } from '../../kube/kube-errors.js';
import { LABELS } from '../../custom-resources/labels.js';
import type { ResourceClient } from '../../kube/resource-client.js';
import type { CertificateRevocation } from '../records.js';
import { kubeTime, revocationOf } from './record-mapping.js';

/** Serial numbers as the ledger labels them (lower-case hex); anything else cannot be in a label selector. */
const SERIAL = /^[0-9a-f]{1,63}$/;
/** Conflicts mean another replica wrote the record meanwhile; each retry re-reads it. */
const MAX_ATTEMPTS = 10;

/**
 * Revocations on the ledger records: the CertificateRequest the store keeps for each certificate
 * it recorded (REST and ACME), found by its serial-number label.
 *
 * Labels live on the main resource and status behind /status, so a revocation is two writes:
 * 1. the label `ca.sms-gate.app/revoked=true` (unconditional and idempotent), the index
 *    listRevoked() selects on;
 * 2. status.revokedAt + status.revocationReason, conditional on the resourceVersion write 1
 *    returned: the commit. A 409 (another replica wrote meanwhile) re-reads and retries.
 * A crash between them leaves a labelled record without revokedAt: not revoked, not on the CRL,
 * and the revocation, when retried, completes it. The other order could leave a revoked
 * certificate the label index cannot find, i.e. missing from the CRL.
 */
export class RecordRevocations {
  constructor(
    private readonly records: ResourceClient<CertificateRequest>,
    private readonly namespace: string,
  ) {}

  /** The name of the record this call revoked; undefined when no record holds the serial or it is already revoked. */
  async revoke(revocation: CertificateRevocation): Promise<string | undefined> {
    for (let attempt = 1; ; attempt++) {
      const record = await this.findRecord(revocation.serialNumber);
      if (!record || revocationOf(record)) return undefined;
      try {
        return await this.markRevoked(record, revocation);
      } catch (error) {
        if (!isConflict(error) || attempt >= MAX_ATTEMPTS) throw error;
      }
    }
  }

  /** Revoked certificates whose notAfter is at or after `notExpiredAt`, oldest revocation first, then by serial. */
  async listRevoked(notExpiredAt: Date): Promise<CertificateRevocation[]> {
    const { items } = await this.records.listAll(this.namespace, { labelSelector: `${LABELS.revoked}=true` });
    return items
      .filter((cr) => cr.status?.notAfter !== undefined && new Date(cr.status.notAfter) >= notExpiredAt)
      .map(revocationOf)
      .filter((revocation): revocation is CertificateRevocation => revocation !== undefined)
      .sort(byRevocationThenSerial);
  }

  private async findRecord(serialNumber: string): Promise<CertificateRequest | undefined> {
    if (!SERIAL.test(serialNumber)) return undefined;
    const { items } = await this.records.list(this.namespace, { labelSelector: `${LABELS.serialNumber}=${serialNumber}` });
    return items.find((cr) => cr.status?.serialNumber === serialNumber && cr.status.certificate);
  }

  private async markRevoked(record: CertificateRequest, revocation: CertificateRevocation): Promise<string | undefined> {
    const name = record.metadata.name ?? '';
    const labelled = await this.records.mergePatch(this.namespace, name, { metadata: { labels: { [LABELS.revoked]: 'true' } } });
    // Another replica may have committed its revocation since the read.
    if (revocationOf(labelled)) return undefined;
    await this.records.mergePatch(
      this.namespace,
      name,
      { metadata: { resourceVersion: labelled.metadata.resourceVersion }, status: { revokedAt: kubeTime(revocation.revokedAt), revocationReason: revocation.reason } },
      'status',
    );
    return name;
  }
}

function byRevocationThenSerial(a: CertificateRevocation, b: CertificateRevocation): number {
  const byTime = a.revokedAt.getTime() - b.revokedAt.getTime();
  if (byTime !== 0) return byTime;
  return a.serialNumber < b.serialNumber ? -1 : a.serialNumber > b.serialNumber ? 1 : 0;
}
