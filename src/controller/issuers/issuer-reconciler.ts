import type { Clock } from '../../ca/index.js';
import { IP_CLUSTER_ISSUER_KIND, type AnyIssuer, type IssuerStatus } from '../../custom-resources/crd-types.js';
import type { ResourceClient } from '../../kube/resource-client.js';
import type { EventSink } from '../certificate-request/certificate-request-context.js';
import { setCondition } from '../runtime/conditions.js';
import { jsonEqual } from '../runtime/json-equal.js';
import { DONE, RETRY, type ReconcileOutcome } from '../runtime/reconcile-outcome.js';
import { statusPatch } from '../runtime/status-patch.js';
import type { IssuerResolver } from './issuer-resolver.js';
import { issuerReadiness, type IssuerReadiness } from './issuer-readiness.js';
import type { InvolvedObject } from '../../kube/event-recorder.js';

export interface IssuerReconcilerOptions {
  readonly kind: 'IPIssuer' | 'IPClusterIssuer';
  readonly client: ResourceClient<AnyIssuer>;
  readonly cache: { get(key: string): AnyIssuer | undefined };
  readonly resolver: IssuerResolver;
  readonly events: EventSink;
  readonly clock: Clock;
}

/** Sets the Ready condition of IPIssuers / IPClusterIssuers; a missing CA Secret is retried with backoff. */
export class IssuerReconciler {
  constructor(private readonly options: IssuerReconcilerOptions) {}

  async reconcile(key: string): Promise<ReconcileOutcome> {
    const issuer = this.options.cache.get(key);
    if (!issuer || issuer.metadata.deletionTimestamp) return DONE;
    const { state } = await this.options.resolver.caStateOf(issuer, true);
    const readiness = issuerReadiness(issuer.spec, state);
    const status = statusFor(issuer, readiness, this.options.clock.now());
    if (jsonEqual(issuer.status ?? {}, status)) return readiness.ready ? DONE : RETRY;
    await this.options.client.mergePatch(issuer.metadata.namespace, issuer.metadata.name ?? '', statusPatch(issuer.status, status, issuer.metadata.resourceVersion), 'status');
    if (!readiness.ready) this.options.events.record(involvedIssuer(issuer, this.options.kind), 'Warning', readiness.reason, readiness.message);
    return readiness.ready ? DONE : RETRY;
  }
}

/** Pure: the issuer's status with its Ready condition. */
export function statusFor(issuer: AnyIssuer, readiness: IssuerReadiness, now: Date): IssuerStatus {
  const generation = issuer.metadata.generation;
  const observed = generation !== undefined ? { observedGeneration: generation } : {};
  const condition = readiness.ready
    ? { type: 'Ready', status: 'True' as const, reason: 'Ready', message: readiness.message, ...observed }
    : { type: 'Ready', status: 'False' as const, reason: readiness.reason, message: readiness.message, ...observed };
  return { ...issuer.status, conditions: setCondition(issuer.status?.conditions, condition, now), ...observed };
}

function involvedIssuer(issuer: AnyIssuer, kind: 'IPIssuer' | 'IPClusterIssuer'): InvolvedObject {
  const namespace = kind === IP_CLUSTER_ISSUER_KIND ? {} : { namespace: issuer.metadata.namespace ?? '' };
  return { apiVersion: issuer.apiVersion, kind, name: issuer.metadata.name ?? '', ...namespace, uid: issuer.metadata.uid ?? '' };
}
