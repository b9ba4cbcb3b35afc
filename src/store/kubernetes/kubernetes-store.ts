import type { CertificateRequest } from '../../custom-resources/crd-types.js';
import type { KubeApi } from '../../kube/kube-api.js';
import { isAlreadyExists, isConflict } from '../../kube/kube-errors.js';
import { ACME_LABELS } from '../../custom-resources/acme-types.js';
import { ANNOTATIONS, LABELS, RECORD_SOURCES } from '../../custom-resources/labels.js';
import { ResourceClient } from '../../kube/resource-client.js';
import { CERTIFICATE_REQUESTS } from '../../custom-resources/resource-types.js';
import type { IssuanceStore, LedgerQueries, RequestApprovals, RevocationLedger, RevocationList, StoreHealth } from '../interfaces.js';
import type {
  AdminDecision,
  AuditEntry,
  AuditFilter,
  CertificateFilter,
  RequestFilter,
  CertificateRevocation,
  CsrRequestRecord,
  IssuedCertificateRecord,
  NewCsrRequest,
  PendingOutcome,
  RevocationAuditEntry,
  StoredAuditEntry,
} from '../records.js';
import { AuditEvents } from './audit-events.js';
import { APPROVAL_REASONS, approvalDecisionOf, type ApprovalDecision } from '../../custom-resources/approval-conditions.js';
import { awaitingApprovalOf, csrRequestRecordOf, deniedStatus, issuedCertificateRecordOf, issuedRecordObject, issuedStatus, recordStatusOf, restRecordObject, retainedUntil } from './record-mapping.js';
import { hashPrefix, recordNameOf, requestIdOf } from './record-names.js';
import { hexOfId } from './acme/acme-names.js';
import { RecordApprovals } from './record-approvals.js';
import { RecordQueries } from './record-queries.js';
import { RecordRevocations } from './record-revocations.js';

export interface KubernetesStoreOptions {
  readonly api: KubeApi;
  /** Where records (CertificateRequests) and audit Events are written: the operator's namespace. */
  readonly namespace: string;
  /** This pod, named by audit Events that have no record to be about. */
  readonly podName: string;
}

/**
 * The issuance store in a cluster (docs/ARCHITECTURE.md §1): every REST request is a CertificateRequest with
 * spec.request (label ca.sms-gate.app/source=rest) decided through its status; ACME issuances are
 * recorded the same way (source=acme); the controller's own requests are their own record. So
 * `kubectl get certificaterequests.smsgate-ca.sms-gate.app -A` is the audit trail of every door; audit
 * entries are also written as Events. A revocation is recorded on the certificate's record
 * (status.revokedAt, label ca.sms-gate.app/revoked=true; see RecordRevocations).
 */
export class KubernetesStore implements IssuanceStore, RevocationLedger, RevocationList, StoreHealth, RequestApprovals, LedgerQueries {
  private readonly records: ResourceClient<CertificateRequest>;
  private readonly audit: AuditEvents;
  private readonly revocations: RecordRevocations;
  private readonly approvals: RecordApprovals;
  private readonly queries: RecordQueries;

  constructor(private readonly options: KubernetesStoreOptions) {
    this.records = new ResourceClient<CertificateRequest>(options.api, CERTIFICATE_REQUESTS);
    this.audit = new AuditEvents(options.api, options.namespace, options.podName);
    this.revocations = new RecordRevocations(this.records, options.namespace);
    this.approvals = new RecordApprovals(this.records, options.namespace);
    this.queries = new RecordQueries(this.records, options.namespace);
  }

  async createPending(request: NewCsrRequest, audit: AuditEntry): Promise<{ record: CsrRequestRecord; created: boolean }> {
    const duplicate = await this.findPendingDuplicate(request);
    if (duplicate) return { record: duplicate, created: false };
    const created = await this.records.create(restRecordObject(request, this.options.namespace));
    await this.audit.append(audit);
    return { record: csrRequestRecordOf(created, request.id), created: true };
  }

  async findRequest(id: string): Promise<CsrRequestRecord | undefined> {
    const cr = await this.records.get(this.options.namespace, recordNameOf(id));
    if (!cr || cr.metadata.labels?.[LABELS.source] !== 'rest') return undefined;
    return csrRequestRecordOf(cr, id);
  }

  async listPending(): Promise<ReadonlyArray<Pick<CsrRequestRecord, 'id' | 'createdAt'>>> {
    const { items } = await this.records.listAll(this.options.namespace, { labelSelector: `${LABELS.source}=rest` });
    return items
      .filter((cr) => recordStatusOf(cr) === 'pending')
      .map((cr) => ({ id: requestIdOf(cr.metadata.name ?? '') ?? '', createdAt: new Date(cr.metadata.annotations?.[ANNOTATIONS.createdAt] ?? cr.metadata.creationTimestamp ?? 0) }))
      .filter((item) => item.id !== '')
      .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || a.id.localeCompare(b.id));
  }

  /**
   * Each decision is a conditional status write (409 if someone else decided first), then its audit
   * Event. A record still waiting for an approver is not the signer's; the approval conditions are kept.
   */
  async completePending(outcomes: readonly PendingOutcome[]): Promise<void> {
    for (const outcome of outcomes) {
      const name = recordNameOf(outcome.requestId);
      const cr = await this.records.get(this.options.namespace, name);
      if (!cr || recordStatusOf(cr) !== 'pending' || awaitingApprovalOf(cr)) continue;
      const earlier = cr.status?.conditions ?? [];
      const status = outcome.kind === 'approved' ? issuedStatus(outcome.certificate, outcome.at, earlier) : deniedStatus(outcome.reason, outcome.at, earlier);
      await this.records.mergePatch(this.options.namespace, name, { metadata: { resourceVersion: cr.metadata.resourceVersion }, status }, 'status');
      if (outcome.kind === 'approved') {
        await this.records.mergePatch(this.options.namespace, name, { metadata: { labels: { [LABELS.serialNumber]: outcome.certificate.serialNumber } } });
      }
      await this.auditOutcome(outcome, csrRequestRecordOf(cr, outcome.requestId), approvalDecisionOf(earlier));
    }
  }

  private async auditOutcome(outcome: PendingOutcome, record: CsrRequestRecord, approval: ApprovalDecision | undefined): Promise<void> {
    const fields = { at: outcome.at, door: 'rest' as const, requester: record.requester, requestId: outcome.requestId };
    // An approver other than the admin API (which audits its own decisions): audited now, as it is carried out.
    const approver = approval && approval.reason !== APPROVAL_REASONS.administratorApproved && approval.reason !== APPROVAL_REASONS.administratorDenied ? approval : undefined;
    if (outcome.kind === 'denied') {
      // The requested IPs with a denial too, as the SQLite store records them.
      await this.audit.append({ ...fields, event: 'denied', ips: record.ips, detail: approver ? conditionDetail(approver) : outcome.reason });
      return;
    }
    if (approver) await this.audit.append({ ...fields, event: 'approved', ips: record.ips, detail: conditionDetail(approver) });
    // As in the SQLite store: `approved` when the policy let it through, `issued` after an approver's decision.
    await this.audit.append({ ...fields, event: approval ? 'issued' : 'approved', serialNumber: outcome.certificate.serialNumber, ips: outcome.certificate.ips });
  }

  /**
   * ACME issuances become records (spec.request + status); the controller's own requests already
   * are one, so only the audit entry is written for them.
   */
  async recordIssued(certificate: IssuedCertificateRecord, audit: AuditEntry): Promise<void> {
    if (certificate.door !== 'kubernetes' && certificate.csrPem) {
      const name = `${certificate.door}-${certificate.serialNumber.slice(0, 32)}`;
      try {
        await this.records.create(withAcmeOrderLabel(issuedRecordObject({ ...certificate, csrPem: certificate.csrPem }, this.options.namespace, name), certificate));
      } catch (error) {
        if (!isAlreadyExists(error)) throw error;
      }
      await this.records.mergePatch(this.options.namespace, name, { status: issuedStatus(certificate, certificate.issuedAt) }, 'status');
    }
    await this.audit.append(audit);
  }

  /** The certificate issued for an ACME order (its record carries the order's label), if any. */
  async findAcmeIssuance(orderId: string): Promise<IssuedCertificateRecord | undefined> {
    const order = hexOfId(orderId);
    if (!order) return undefined;
    const { items } = await this.records.list(this.options.namespace, { labelSelector: `${LABELS.source}=acme,${ACME_LABELS.order}=${order}` });
    return items.map(issuedCertificateRecordOf).find((record) => record !== undefined);
  }

  /**
   * Deletes the REST and ACME records whose certificate expired more than `retentionMs` before
   * `now` (denied requests: decided that long ago); pending ones stay. A record changed since it
   * was read is kept for the next round. Returns how many went.
   */
  async collectRecords(now: Date, retentionMs: number): Promise<number> {
    let deleted = 0;
    const { items } = await this.records.listAll(this.options.namespace, { labelSelector: `${LABELS.source} in (${RECORD_SOURCES.join(',')})` });
    for (const cr of items) {
      const until = retainedUntil(cr, retentionMs);
      if (until === undefined || until > now.getTime()) continue;
      try {
        if (await this.records.delete(this.options.namespace, cr.metadata.name ?? '', { resourceVersion: cr.metadata.resourceVersion ?? '' })) deleted += 1;
      } catch (error) {
        if (!isConflict(error)) throw error;
      }
    }
    return deleted;
  }

  async findCertificate(serialNumber: string): Promise<IssuedCertificateRecord | undefined> {
    if (!/^[0-9a-f]{1,63}$/.test(serialNumber)) return undefined;
    const { items } = await this.records.list(this.options.namespace, { labelSelector: `${LABELS.serialNumber}=${serialNumber}` });
    for (const cr of items) {
      const record = issuedCertificateRecordOf(cr);
      if (record) return record;
    }
    return undefined;
  }

  /**
   * Revokes the certificate on its record, then writes the `revoked` audit Event about that record
   * (after the status commit, like the other audit Events of this store). False, with nothing
   * written, when no record holds the serial or it is already revoked.
   */
  async recordRevocation(revocation: CertificateRevocation, audit: RevocationAuditEntry): Promise<boolean> {
    const recordName = await this.revocations.revoke(revocation);
    if (recordName === undefined) return false;
    await this.audit.append(audit, recordName);
    return true;
  }

  listRevoked(notExpiredAt: Date): Promise<CertificateRevocation[]> {
    return this.revocations.listRevoked(notExpiredAt);
  }

  append(entry: AuditEntry): Promise<void> {
    return this.audit.append(entry);
  }

  list(filter?: { readonly requestId?: string; readonly limit?: number }): Promise<StoredAuditEntry[]> {
    return this.audit.list(filter);
  }

  /** The Approved condition on a record waiting for an approver, then the `approved` audit Event with the administrator. */
  async grantApproval(decision: AdminDecision): Promise<boolean> {
    const cr = await this.approvals.approve(decision);
    if (!cr) return false;
    const record = csrRequestRecordOf(cr, decision.requestId);
    await this.audit.append({ at: decision.at, event: 'approved', door: 'rest', requester: record.requester, requestId: decision.requestId, ips: record.ips, actor: decision.actor });
    return true;
  }

  /** The Denied condition (and Ready=False) on a pending record, then the `denied` audit Event with the administrator. */
  async denyRequest(decision: AdminDecision & { readonly reason: string }): Promise<boolean> {
    const cr = await this.approvals.deny(decision);
    if (!cr) return false;
    const record = csrRequestRecordOf(cr, decision.requestId);
    await this.audit.append({ at: decision.at, event: 'denied', door: 'rest', requester: record.requester, requestId: decision.requestId, ips: record.ips, detail: decision.reason, actor: decision.actor });
    return true;
  }

  listRequests(filter: RequestFilter): Promise<CsrRequestRecord[]> {
    return this.queries.listRequests(filter);
  }

  listCertificates(filter: CertificateFilter): Promise<IssuedCertificateRecord[]> {
    return this.queries.listCertificates(filter);
  }

  queryAudit(filter: AuditFilter): Promise<StoredAuditEntry[]> {
    return this.audit.query(filter);
  }

  /** The API server answers and our CRD is served. */
  async ping(): Promise<void> {
    await this.records.list(this.options.namespace, { limit: 1 });
  }

  private async findPendingDuplicate(request: NewCsrRequest): Promise<CsrRequestRecord | undefined> {
    const selector = `${LABELS.source}=rest,${LABELS.csrSha256Prefix}=${hashPrefix(request.csrSha256)}`;
    const { items } = await this.records.list(this.options.namespace, { labelSelector: selector });
    const match = items.find(
      (cr) => cr.metadata.annotations?.[ANNOTATIONS.csrSha256] === request.csrSha256 && (cr.spec as { type?: string }).type === request.type && recordStatusOf(cr) === 'pending',
    );
    const id = match ? requestIdOf(match.metadata.name ?? '') : undefined;
    return match && id ? csrRequestRecordOf(match, id) : undefined;
  }
}

/** ACME records carry their order's label, so an interrupted finalization finds what was issued. */
function withAcmeOrderLabel(record: CertificateRequest, certificate: IssuedCertificateRecord): CertificateRequest {
  const order = certificate.door === 'acme' && certificate.requestId ? hexOfId(certificate.requestId) : undefined;
  if (!order) return record;
  return { ...record, metadata: { ...record.metadata, labels: { ...record.metadata.labels, [ACME_LABELS.order]: order } } };
}

function conditionDetail(approval: ApprovalDecision): string {
  const type = approval.decision === 'approved' ? 'Approved' : 'Denied';
  return `${type} condition set on the request (reason ${approval.reason || 'none'})${approval.message ? `: ${approval.message}` : ''}`;
}
