import { ACME_LABELS, type AcmeOrderObject } from '../../../custom-resources/acme-types.js';
import type { ResourceClient } from '../../../kube/resource-client.js';
import type { AcmeCertificateRecord } from '../../acme-store.js';
import type { CertificateLedger } from '../../interfaces.js';
import { hexOfId, timeText } from './acme-names.js';
import { updateObject } from './object-updates.js';

/**
 * ACME certificates: a valid order holds the link (certificate id, serial, an ACME-side
 * revocation); the chain, IPs and validity come from the ledger's record of that serial.
 */
export class AcmeCertificates {
  constructor(
    private readonly orders: ResourceClient<AcmeOrderObject>,
    private readonly namespace: string,
    private readonly ledger: Pick<CertificateLedger, 'findCertificate'>,
  ) {}

  async find(id: string): Promise<AcmeCertificateRecord | undefined> {
    const hex = hexOfId(id);
    return hex ? this.certificateOf(await this.listOrders(`${ACME_LABELS.certificate}=${hex}`)) : undefined;
  }

  async findBySerial(serialNumber: string): Promise<AcmeCertificateRecord | undefined> {
    if (!/^[0-9a-f]{1,63}$/.test(serialNumber)) return undefined;
    return this.certificateOf(await this.listOrders(`ca.sms-gate.app/serial-number=${serialNumber}`));
  }

  async revoke(id: string, reason: number, at: Date): Promise<boolean> {
    const [object] = await this.listOrders(`${ACME_LABELS.certificate}=${hexOfId(id) ?? 'none'}`);
    if (!object) return false;
    const outcome = await updateObject(
      this.orders,
      this.namespace,
      object.metadata.name ?? '',
      (current) => {
        const certificate = current.status.certificate;
        if (!certificate || certificate.revokedAt) return undefined;
        return { ...current, status: { ...current.status, certificate: { ...certificate, revokedAt: timeText(at), revocationReason: reason } } };
      },
      object,
    );
    return outcome?.changed ?? false;
  }

  private async listOrders(labelSelector: string): Promise<AcmeOrderObject[]> {
    return (await this.orders.listAll(this.namespace, { labelSelector })).items;
  }

  private async certificateOf(orders: readonly AcmeOrderObject[]): Promise<AcmeCertificateRecord | undefined> {
    const order = orders.find((candidate) => candidate.status.certificate);
    const link = order?.status.certificate;
    if (!order || !link) return undefined;
    const issued = await this.ledger.findCertificate(link.serialNumber);
    if (!issued) return undefined;
    const revokedAt = link.revokedAt ? new Date(link.revokedAt) : issued.revokedAt;
    return {
      id: link.id,
      serialNumber: link.serialNumber,
      accountId: order.spec.account,
      orderId: order.spec.id,
      chainPem: issued.certificatePem,
      ips: [...issued.ips],
      notBefore: issued.notBefore,
      notAfter: issued.notAfter,
      ...(revokedAt ? { revokedAt, revocationReason: link.revokedAt ? (link.revocationReason ?? 0) : (issued.revocationReason ?? 0) } : {}),
    };
  }
}
