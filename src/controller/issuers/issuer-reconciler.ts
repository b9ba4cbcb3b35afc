import type { Clock } from '../../ca/index.js';
import { IP_CLUSTER_ISSUER_KIND, type AnyIssuer, type IssuerStatus } from '../../kube/crd-types.js';
import type { ResourceClient } from '../../kube/resource-client.js';
import type { EventSink } from '../certificate-request/certificate-request-context.js';
import { setCondition } from '../conditions.js';
import { jsonEqual } from '../json-equal.js';
import { DONE, RETRY, type ReconcileOutcome } from '../reconcile-outcome.js';
import { statusPatch } from '../status-patch.js';
import type { IssuerResolver } from './issuer-resolver.js';
import { issuerReadiness } from './issuer-readiness.js';

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
    const generation = issuer.metadata.generation;
    const status: IssuerStatus = {
      ...issuer.status,
      conditions: setCondition(
        issuer.status?.conditions,
        {
          type: 'Ready',
          status: readiness.ready ? 'True' : 'False',
          reason: readiness.ready ? 'Ready' : readiness.reason,
          message: readiness.message,
          ...(generation !== undefined ? { observedGeneration: generation } : {}),
        },
        this.options.clock.now(),
      ),
      ...(generation !== undefined ? { observedGeneration: generation } : {}),
    };
    if (!jsonEqual(issuer.status ?? {}, status)) {
      await this.options.client.mergePatch(issuer.metadata.namespace, issuer.metadata.name ?? '', statusPatch(issuer.status, status, issuer.metadata.resourceVersion), 'status');
      if (!readiness.ready) {
        this.options.events.record(
          { apiVersion: issuer.apiVersion, kind: this.options.kind, name: issuer.metadata.name ?? '', ...(issuer.kind === IP_CLUSTER_ISSUER_KIND ? {} : { namespace: issuer.metadata.namespace ?? '' }), uid: issuer.metadata.uid ?? '' },
          'Warning',
          readiness.reason,
          readiness.message,
        );
      }
    }
    return readiness.ready ? DONE : RETRY;
  }
}
