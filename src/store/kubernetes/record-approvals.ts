import { APPROVAL_CONDITION_TYPES, APPROVAL_REASONS, approvalDecisionOf, withCondition } from '../../custom-resources/approval-conditions.js';
import type { CertificateRequest, Condition } from '../../custom-resources/crd-types.js';
import { ANNOTATIONS, LABELS } from '../../custom-resources/labels.js';
import { isConflict } from '../../kube/kube-errors.js';
import type { ResourceClient } from '../../kube/resource-client.js';
import type { AdminDecision } from '../records.js';
import { awaitingApprovalOf, kubeTime, recordStatusOf } from './record-mapping.js';
import { recordNameOf } from './record-names.js';

/** Conflicts mean the record changed meanwhile (another replica, an approver with kubectl); each retry re-reads it. */
const MAX_ATTEMPTS = 10;

/**
 * The admin API's decisions on REST records, written as an approver with kubectl writes them: the
 * Approved or Denied condition (a denial also sets Ready=False, as the signer would), with a status
 * patch conditional on the resourceVersion read, so that the first decision wins. Then the
 * administrator's name as an annotation (after the commit: a crash in between loses only the name;
 * the audit Event has it too).
 */
export class RecordApprovals {
  constructor(
    private readonly records: ResourceClient<CertificateRequest>,
    private readonly namespace: string,
  ) {}

  /** The record when this call approved it; undefined when it was not waiting for an approver. */
  approve(decision: AdminDecision): Promise<CertificateRequest | undefined> {
    return this.decide(decision, awaitingApprovalOf, (conditions, at) =>
      withCondition(conditions, { type: APPROVAL_CONDITION_TYPES.approved, status: 'True', reason: APPROVAL_REASONS.administratorApproved, message: `Approved by ${decision.actor} through the admin API` }, at),
    );
  }

  /** The record when this call denied it; undefined when it was no longer pending, or already Approved. */
  deny(decision: AdminDecision & { readonly reason: string }): Promise<CertificateRequest | undefined> {
    const deniable = (cr: CertificateRequest) => recordStatusOf(cr) === 'pending' && approvalDecisionOf(cr.status?.conditions) === undefined;
    return this.decide(decision, deniable, (conditions, at) => {
      const denied = withCondition(conditions, { type: APPROVAL_CONDITION_TYPES.denied, status: 'True', reason: APPROVAL_REASONS.administratorDenied, message: decision.reason }, at);
      return withCondition(denied, { type: 'Ready', status: 'False', reason: 'Denied', message: decision.reason }, at);
    });
  }

  private async decide(decision: AdminDecision, decidable: (cr: CertificateRequest) => boolean, conditions: (earlier: readonly Condition[], at: string) => Condition[]): Promise<CertificateRequest | undefined> {
    const name = recordNameOf(decision.requestId);
    for (let attempt = 1; ; attempt++) {
      const cr = await this.records.get(this.namespace, name);
      if (!cr || cr.metadata.labels?.[LABELS.source] !== 'rest' || !decidable(cr)) return undefined;
      const at = kubeTime(decision.at);
      try {
        await this.records.mergePatch(this.namespace, name, { metadata: { resourceVersion: cr.metadata.resourceVersion }, status: { conditions: conditions(cr.status?.conditions ?? [], at) } }, 'status');
      } catch (error) {
        if (!isConflict(error) || attempt >= MAX_ATTEMPTS) throw error;
        continue;
      }
      return this.records.mergePatch(this.namespace, name, { metadata: { annotations: { [ANNOTATIONS.decidedBy]: decision.actor } } });
    }
  }
}
