import type { Condition } from '../kube/core-types.js';

/**
 * The approval of a CertificateRequest, as cert-manager's: an `Approved` or a `Denied` condition
 * (status True, final, never both; the CRD's rules enforce it), set by whoever may patch the
 * status subresource — an administrator with kubectl, or the operator's admin API. A REST request
 * the approval policy held for an administrator (label ca.sms-gate.app/approval-required=true) is
 * signed only once `Approved`; `Denied` ends it with the condition's message as the reason.
 */
export const APPROVAL_CONDITION_TYPES = { approved: 'Approved', denied: 'Denied' } as const;

/** Reasons the operator itself writes on the approval conditions. */
export const APPROVAL_REASONS = {
  /** The REST approval policy approved it (auto, or requester for a device asking for itself). */
  policy: 'ApprovedByPolicy',
  /** An administrator decided through the admin API (/api/v1/admin). */
  administratorApproved: 'ApprovedByAdministrator',
  administratorDenied: 'DeniedByAdministrator',
} as const;

export interface ApprovalDecision {
  readonly decision: 'approved' | 'denied';
  readonly reason: string;
  readonly message: string;
}

/** The request's approval decision, when an Approved or Denied condition with status True is present (Denied wins). */
export function approvalDecisionOf(conditions: readonly Condition[] | undefined): ApprovalDecision | undefined {
  for (const [decision, type] of [['denied', APPROVAL_CONDITION_TYPES.denied], ['approved', APPROVAL_CONDITION_TYPES.approved]] as const) {
    const condition = conditions?.find((candidate) => candidate.type === type && candidate.status === 'True');
    if (condition) return { decision, reason: condition.reason ?? '', message: condition.message ?? '' };
  }
  return undefined;
}

/** Whether an update changed the approval conditions: a status-only write that still needs a reconcile. */
export function approvalChanged(now: readonly Condition[] | undefined, before: readonly Condition[] | undefined): boolean {
  const approval = (conditions: readonly Condition[] | undefined) => JSON.stringify(approvalDecisionOf(conditions) ?? null);
  return approval(now) !== approval(before);
}

/** The conditions with `update` in place of any of its type (lastTransitionTime kept when the status is unchanged). Pure. */
export function withCondition(conditions: readonly Condition[] | undefined, update: Required<Pick<Condition, 'type' | 'status' | 'reason' | 'message'>>, at: string): Condition[] {
  const previous = conditions?.find((condition) => condition.type === update.type);
  const next: Condition = { ...update, lastTransitionTime: previous?.status === update.status && previous.lastTransitionTime ? previous.lastTransitionTime : at };
  return [...(conditions ?? []).filter((condition) => condition.type !== update.type), next];
}
