import type { CertificateRequest } from '../../custom-resources/crd-types.js';
import { LABELS } from '../../custom-resources/labels.js';
import type { ResourceClient } from '../../kube/resource-client.js';
import type { CertificateFilter, CsrRequestRecord, IssuedCertificateRecord, RequestFilter } from '../records.js';
import { csrRequestRecordOf, issuedCertificateRecordOf } from './record-mapping.js';
import { requestIdOf } from './record-names.js';

/**
 * The admin API's lists over the records of the operator's namespace: one label-selected list
 * from the API server, filtered and sorted here (newest first), bounded by the filter's limit.
 */
export class RecordQueries {
  constructor(
    private readonly records: ResourceClient<CertificateRequest>,
    private readonly namespace: string,
  ) {}

  async listRequests(filter: RequestFilter): Promise<CsrRequestRecord[]> {
    const { items } = await this.records.listAll(this.namespace, { labelSelector: `${LABELS.source}=rest` });
    return items
      .flatMap((cr) => {
        const id = requestIdOf(cr.metadata.name ?? '');
        return id ? [csrRequestRecordOf(cr, id)] : [];
      })
      .filter((record) => filter.status === undefined || record.status === filter.status)
      .filter((record) => filter.awaitingApproval === undefined || (record.awaitingApproval === true) === filter.awaitingApproval)
      .filter((record) => filter.ip === undefined || record.ips.includes(filter.ip))
      .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || b.id.localeCompare(a.id))
      .slice(0, filter.limit);
  }

  /** The certificates the ledger records (REST and ACME records): the controller's own are in their Secrets. */
  async listCertificates(filter: CertificateFilter): Promise<IssuedCertificateRecord[]> {
    const { items } = await this.records.listAll(this.namespace, { labelSelector: LABELS.serialNumber });
    const now = filter.now.getTime();
    return items
      .map(issuedCertificateRecordOf)
      .filter((record): record is IssuedCertificateRecord => record !== undefined)
      .filter((record) => filter.ip === undefined || record.ips.includes(filter.ip))
      .filter((record) => filter.serialPrefix === undefined || record.serialNumber.startsWith(filter.serialPrefix.toLowerCase()))
      .filter((record) => filter.door === undefined || record.door === filter.door)
      .filter((record) => filter.state === undefined || stateOf(record, now) === filter.state)
      .sort((a, b) => b.issuedAt.getTime() - a.issuedAt.getTime() || a.serialNumber.localeCompare(b.serialNumber))
      .slice(0, filter.limit);
  }
}

function stateOf(record: IssuedCertificateRecord, now: number): NonNullable<CertificateFilter['state']> {
  if (record.revokedAt) return 'revoked';
  return record.notAfter.getTime() > now ? 'valid' : 'expired';
}
