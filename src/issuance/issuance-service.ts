import {
  CaError,
  CSR_PROFILES,
  describeIgnoredExtensions,
  ipsExactly,
  isCaError,
  reviewKeyAndIps,
  validateCsr,
  type Clock,
  type CsrPolicy,
  type CsrProfile,
  type IgnoredExtension,
  type IssuedCertificate,
  type Ipv4,
  type Ipv4RangeSet,
  type SubjectKey,
} from '../ca/index.js';
import type { IssuanceStore, RequestApprovals, RevocationLedger } from '../store/interfaces.js';
import type { CsrRequestRecord, Door, IssuedCertificateRecord, PendingOutcome } from '../store/records.js';
import { approvalVerdict, AUTO_APPROVAL, type ApprovalPolicy } from './approval-policy.js';
import type { Logger } from '../telemetry/logger.js';
import type { CaMetrics } from '../telemetry/metrics.js';
import { csrFingerprint } from './csr-fingerprint.js';
import type { AdminDecisionResult, IssueRequest, RevocationRequest, SubmitRequest, SubmitResult } from './issuance-types.js';
import { isRequestId, newRequestId } from './request-id.js';
import { crlReasonName } from './revocation-reasons.js';
import type { CertificateSigner } from './signer.js';
import { certificateRecord, csrPemOf, isRequestApprovals } from './ledger-records.js';

export interface IssuanceServiceOptions {
  /** With a RevocationLedger (SQLite, Kubernetes), revocations are recorded in the ledger and the audit log. */
  readonly store: IssuanceStore & Partial<RevocationLedger> & Partial<RequestApprovals>;
  /** Who approves REST requests; default auto (every request the CSR policy accepts is signed). */
  readonly approval?: ApprovalPolicy;
  readonly signer: CertificateSigner;
  readonly allowedRanges: Ipv4RangeSet;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly metrics?: CaMetrics;
  readonly newRequestId?: () => string;
}

/** Called with each newly stored pending request (the worker subscribes). */
export type PendingListener = (request: Pick<CsrRequestRecord, 'id' | 'createdAt'>) => void;

/** Called after a revocation is committed to the ledger (CRL publication subscribes). */
export type RevokedListener = (serialNumber: string) => void;

const DENIED_INTERNALLY = 'the CA could not sign this request; see the server log';

/** The CSR profile each door takes requests with (src/ca defines them). */
const PROFILE_OF_DOOR = { rest: CSR_PROFILES.smsgate, acme: CSR_PROFILES.acme, kubernetes: CSR_PROFILES.kubernetes } as const satisfies Record<Door, CsrProfile>;

/**
 * The one issuance service (docs/ARCHITECTURE.md §1): every door calls it, it applies the policy, signs,
 * records the certificate and an audit entry, and counts. REST submits and polls; ACME and the
 * controller call issue() and get the certificate at once.
 */
export class IssuanceService {
  private readonly listeners: PendingListener[] = [];
  private readonly revokedListeners: RevokedListener[] = [];
  private readonly newId: () => string;

  constructor(private readonly options: IssuanceServiceOptions) {
    this.newId = options.newRequestId ?? (() => newRequestId());
  }

  onPending(listener: PendingListener): void {
    this.listeners.push(listener);
  }

  /** REST door. Throws CaError (policy refusal, audited) before anything is stored. */
  async submit(request: SubmitRequest): Promise<SubmitResult> {
    const { store, clock } = this.options;
    const at = clock.now();
    const csr = await this.refusingAudited({ door: 'rest', requester: request.requester }, () => {
      const validated = validateCsr(request.csrPem, this.policyOf('rest'));
      // Refused now, not accepted and denied later: a REST certificate is always a full-length one.
      this.options.signer.ensureAvailable?.({});
      return validated;
    });
    const id = this.newId();
    const verdict = approvalVerdict(this.options.approval ?? AUTO_APPROVAL, request.requester, csr.ips);
    const details = [this.ignoredDetail('rest', id, csr.ignoredExtensions).detail, verdict.approved ? undefined : `waiting for an administrator: ${verdict.because}`].filter(Boolean);
    const result = await store.createPending(
      {
        id,
        type: request.type,
        csrPem: request.csrPem,
        csrSha256: csrFingerprint(request.csrPem),
        subjectSpki: csr.spki,
        ips: csr.ips,
        metadata: request.metadata,
        requester: request.requester,
        createdAt: at,
        ...(verdict.approved ? {} : { awaitingApproval: true }),
      },
      { at, event: 'submitted', door: 'rest', requester: request.requester, requestId: id, ips: csr.ips, ...(details.length > 0 ? { detail: details.join('; ') } : {}) },
    );
    this.count('rest', result.created ? (verdict.approved ? 'accepted' : 'awaiting_approval') : 'duplicate');
    if (result.created) {
      const fields = { requestId: id, ips: csr.ips, type: request.type, requester: request.requester };
      if (verdict.approved) this.options.logger.info(fields, 'certificate request accepted');
      else this.options.logger.info({ ...fields, because: verdict.because }, 'certificate request waits for an administrator');
      this.notifyPending(result.record);
    }
    return result;
  }

  /**
   * An administrator approves a request that waits for one: it is handed to the signer (the GET
   * shows `approved` once signed). The decision and its actor are audited in the same commit.
   */
  async approveRequest(id: string, actor: string): Promise<AdminDecisionResult> {
    return this.decideAsAdministrator(id, actor, 'approved', async (approvals, decision) => approvals.grantApproval(decision));
  }

  /** An administrator denies a pending request; the GET then shows `denied` with this reason. */
  async denyRequest(id: string, actor: string, reason: string): Promise<AdminDecisionResult> {
    return this.decideAsAdministrator(id, actor, 'denied', async (approvals, decision) => approvals.denyRequest({ ...decision, reason }));
  }

  /**
   * An administrator revokes a certificate of any door: the ledger, the audit log (with the actor)
   * and the CRL, as any revocation. `conflict` when it was already revoked.
   */
  async revokeAsAdministrator(serialNumber: string, reason: number, actor: string): Promise<{ kind: 'revoked' | 'conflict'; certificate: IssuedCertificateRecord } | { kind: 'not-found' }> {
    const certificate = await this.options.store.findCertificate(serialNumber);
    if (!certificate) return { kind: 'not-found' };
    if (certificate.revokedAt) return { kind: 'conflict', certificate };
    const revoked = await this.recordRevocation({
      door: certificate.door,
      requester: certificate.requester,
      serialNumber,
      reason,
      ips: certificate.ips,
      ...(certificate.requestId ? { reference: certificate.requestId } : {}),
      authority: 'an administrator',
      actor,
    });
    const now = (await this.options.store.findCertificate(serialNumber)) ?? certificate;
    return { kind: revoked ? 'revoked' : 'conflict', certificate: now };
  }

  /** Whether this store records administrators' decisions (the SQLite store does). */
  get recordsApprovals(): boolean {
    return isRequestApprovals(this.options.store);
  }

  /**
   * Whether a certificate ending at `notAfter` (default: a full-length one) can be signed now; throws
   * CaError (ca_unavailable) when not. For doors that take a request before they sign (ACME new-order).
   */
  ensureAvailable(request: { readonly notAfter?: Date } = {}): void {
    this.options.signer.ensureAvailable?.(request);
  }

  onRevoked(listener: RevokedListener): void {
    this.revokedListeners.push(listener);
  }

  /** The request with this id; undefined for unknown or malformed ids. */
  async findRequest(id: string): Promise<CsrRequestRecord | undefined> {
    return isRequestId(id) ? this.options.store.findRequest(id) : undefined;
  }

  async listPending(): Promise<ReadonlyArray<Pick<CsrRequestRecord, 'id' | 'createdAt'>>> {
    return this.options.store.listPending();
  }

  /**
   * The worker's step: decide every still-pending request among `ids`, commit them together. A
   * request the CA cannot sign for the moment (a retryable fault) stays pending: the step throws
   * after committing the others, and the worker retries it with backoff.
   */
  async processPending(ids: readonly string[]): Promise<void> {
    const outcomes: PendingOutcome[] = [];
    const records: CsrRequestRecord[] = [];
    let postponed: CaError | undefined;
    for (const id of ids) {
      const record = await this.options.store.findRequest(id);
      if (record?.status !== 'pending' || record.awaitingApproval) continue;
      const outcome: PendingOutcome | CaError =
        record.approverDenial === undefined ? this.decide(record) : { kind: 'denied', requestId: id, at: this.options.clock.now(), reason: record.approverDenial };
      if (outcome instanceof CaError) {
        postponed = outcome;
        continue;
      }
      records.push(record);
      outcomes.push(outcome);
    }
    if (outcomes.length > 0) {
      await this.options.store.completePending(outcomes);
      outcomes.forEach((outcome, index) => this.reportOutcome(outcome, records[index]!));
    }
    if (postponed) throw postponed;
  }

  /** ACME finalize / Kubernetes controller: policy, sign, record, audit; throws CaError on refusal. */
  async issue(request: IssueRequest): Promise<IssuedCertificate> {
    const started = this.options.clock.now();
    let ignoredExtensions: readonly IgnoredExtension[] = [];
    const ips = 'pem' in request.csr ? request.csr.identifiers : request.csr.ips;
    const issued = await this.refusingAudited({ door: request.door, requester: request.requester, reference: request.reference, ips }, () => {
      const { subject, ips, ignored } = this.intake(request);
      ignoredExtensions = ignored;
      return this.options.signer.issue({
        subject,
        ips,
        type: request.type,
        ...(request.notBefore ? { notBefore: request.notBefore } : {}),
        ...(request.notAfter ? { notAfter: request.notAfter } : {}),
        ...(request.extendedKeyUsages ? { extendedKeyUsages: request.extendedKeyUsages } : {}),
      });
    });
    const at = this.options.clock.now();
    const certificate = {
      ...certificateRecord(issued, request.door, request.requester, at, request.reference),
      // The Kubernetes store records ACME requests as CertificateRequests with spec.request.
      ...csrPemOf(request.csr),
    };
    await this.options.store.recordIssued(certificate, {
      at,
      event: 'issued',
      door: request.door,
      requester: request.requester,
      serialNumber: issued.serialNumber,
      ips: issued.ips,
      ...(request.reference ? { requestId: request.reference } : {}),
      ...this.ignoredDetail(request.door, request.reference, ignoredExtensions),
    });
    this.countIssued(request.door, issued, started, at);
    return issued;
  }

  /**
   * Any door, after it decided a revocation is authorised: marks the certificate revoked in the
   * ledger with a `revoked` audit entry (one commit), and counts it. False when the ledger already
   * had it revoked (or does not hold it). A store without a revocation ledger records nothing
   * here: the door's own records are then the only trail.
   */
  async recordRevocation(request: RevocationRequest): Promise<boolean> {
    const { store, clock, logger } = this.options;
    const reasonName = crlReasonName(request.reason);
    const at = clock.now();
    if (!store.recordRevocation) {
      logger.warn({ door: request.door, serialNumber: request.serialNumber }, 'this store keeps no revocation ledger; the revocation is recorded by the door only');
    } else {
      const audit = {
        at,
        event: 'revoked' as const,
        door: request.door,
        requester: request.requester,
        serialNumber: request.serialNumber,
        ...(request.ips ? { ips: request.ips } : {}),
        ...(request.reference ? { requestId: request.reference } : {}),
        detail: `reason ${reasonName} (${request.reason})${request.authority ? `; authorised as ${request.authority}` : ''}`,
        ...(request.actor ? { actor: request.actor } : {}),
      };
      if (!(await store.recordRevocation({ serialNumber: request.serialNumber, revokedAt: at, reason: request.reason }, audit))) return false;
      for (const listener of this.revokedListeners) listener(request.serialNumber);
    }
    this.options.metrics?.certificatesRevoked.inc({ door: request.door, reason: reasonName });
    logger.info({ door: request.door, serialNumber: request.serialNumber, reason: reasonName, requester: request.requester }, 'certificate revoked');
    return true;
  }

  private async decideAsAdministrator(
    id: string,
    actor: string,
    outcome: 'approved' | 'denied',
    write: (approvals: RequestApprovals, decision: { requestId: string; at: Date; actor: string }) => Promise<boolean>,
  ): Promise<AdminDecisionResult> {
    const { store, clock, logger } = this.options;
    if (!isRequestApprovals(store)) throw new Error("this store does not record administrators' decisions");
    const before = await this.findRequest(id);
    if (!before) return { kind: 'not-found' };
    if (!(await write(store, { requestId: id, at: clock.now(), actor }))) {
      return { kind: 'conflict', record: (await this.findRequest(id)) ?? before };
    }
    const record = (await this.findRequest(id))!;
    logger.info({ requestId: id, actor, outcome }, outcome === 'approved' ? 'certificate request approved by an administrator' : 'certificate request denied by an administrator');
    if (outcome === 'denied') this.count('rest', 'denied');
    else this.notifyPending(record);
    return { kind: 'decided', record };
  }

  /** The signer (the worker) takes requests that need no administrator, or no longer do. */
  private notifyPending(record: CsrRequestRecord): void {
    if (record.status !== 'pending' || record.awaitingApproval) return;
    for (const listener of this.listeners) listener(record);
  }

  /** The one intake of every door: its profile's checks, once, with this issuer's ranges. */
  private intake(request: IssueRequest): { subject: SubjectKey; ips: readonly Ipv4[]; ignored: readonly IgnoredExtension[] } {
    const policy = this.policyOf(request.door);
    if (!('pem' in request.csr)) {
      const { ips, ...subject } = reviewKeyAndIps(request.csr, policy);
      return { subject, ips, ignored: [] };
    }
    const { identifiers, checks = [] } = request.csr;
    const csr = validateCsr(request.csr.pem, { ...policy, checks: [...(identifiers ? [ipsExactly(identifiers, 'order')] : []), ...checks] });
    return { subject: csr, ips: csr.ips, ignored: csr.ignoredExtensions };
  }

  /** What every intake of `door` applies: its profile, this issuer's ranges, and never the CA's own keys. */
  private policyOf(door: Door): Omit<CsrPolicy, 'checks'> {
    return { allowedRanges: this.options.allowedRanges, profile: PROFILE_OF_DOOR[door], forbiddenKeys: this.options.signer.caKeys };
  }

  /** A CSR's ignored malformed extensions: logged at debug, and the audit entry's detail. */
  private ignoredDetail(door: Door, reference: string | undefined, ignored: readonly IgnoredExtension[]): { detail?: string } {
    if (ignored.length === 0) return {};
    const detail = describeIgnoredExtensions(ignored);
    this.options.logger.debug({ door, requestId: reference, extensions: ignored }, detail);
    return { detail };
  }

  private decide(record: CsrRequestRecord): PendingOutcome | CaError {
    const at = this.options.clock.now();
    try {
      // Checked again: the allowed ranges may have changed since the request was stored.
      const { ips, ...subject } = reviewKeyAndIps({ spki: record.subjectSpki, ips: record.ips }, this.policyOf('rest'));
      const issued = this.options.signer.issue({ subject, ips, type: record.type });
      return { kind: 'approved', requestId: record.id, at, certificate: certificateRecord(issued, 'rest', record.requester, at, record.id) };
    } catch (error) {
      if (isCaError(error) && error.errorClass === 'retryable') return error;
      if (!isCaError(error)) this.options.logger.error({ err: error, requestId: record.id }, 'signing failed');
      return { kind: 'denied', requestId: record.id, at, reason: isCaError(error) ? error.message : DENIED_INTERNALLY };
    }
  }

  private reportOutcome(outcome: PendingOutcome, record: CsrRequestRecord): void {
    if (outcome.kind === 'approved') {
      this.countIssued('rest', outcome.certificate, record.createdAt, outcome.at);
      this.options.logger.info({ requestId: record.id, serialNumber: outcome.certificate.serialNumber, ips: record.ips }, 'certificate issued');
    } else {
      this.count('rest', 'denied');
      this.options.logger.warn({ requestId: record.id, reason: outcome.reason }, 'certificate request denied');
    }
  }

  /** A refusal is counted, logged and audited here, once, whichever door asked. */
  private async refusingAudited<T>(asked: { door: Door; requester: string; reference?: string | undefined; ips?: readonly Ipv4[] | undefined }, decide: () => T): Promise<T> {
    try {
      return decide();
    } catch (error) {
      if (!isCaError(error)) throw error;
      const { door, requester, reference, ips } = asked;
      this.count(door, 'refused');
      this.options.logger.info({ door, requester, reason: error.reason, value: error.value }, 'certificate request refused');
      await this.options.store.append({
        at: this.options.clock.now(),
        event: 'refused',
        door,
        requester,
        ...(reference ? { requestId: reference } : {}),
        ...(ips ? { ips } : {}),
        detail: `${error.reason}: ${error.message}`,
      });
      throw error;
    }
  }

  private count(door: Door, outcome: string): void {
    this.options.metrics?.certificateRequests.inc({ door, outcome });
  }

  private countIssued(door: Door, issued: Pick<IssuedCertificate, 'type'>, since: Date, at: Date): void {
    const metrics = this.options.metrics;
    if (!metrics) return;
    metrics.certificateRequests.inc({ door, outcome: door === 'rest' ? 'approved' : 'issued' });
    metrics.certificatesIssued.inc({ door, type: issued.type });
    metrics.issuanceLatency.observe({ door }, Math.max(0, at.getTime() - since.getTime()) / 1000);
  }
}
