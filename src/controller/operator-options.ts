import type { ControllerMetrics } from '../telemetry/controller-metrics.js';
import type { Clock, Ipv4RangeSet } from '../ca/index.js';
import type { KubeApi } from '../kube/kube-api.js';
import type { Logger } from '../telemetry/logger.js';
import type { BackoffPolicy } from '../shared/backoff.js';
import type { RestRecordProcessing } from './certificate-request/csr-certificate-flow.js';
import type { IssuerFactory, OperatorCa } from './issuers/signing-ca.js';
import type { LeaderElectionTiming } from './runtime/leader-election.js';

export interface OperatorOptions {
  readonly api: KubeApi;
  /** The operator's own CA as it stands now, and the issuance service that signs with it. */
  readonly defaultCa: OperatorCa;
  /** Issuance services for issuers that narrow the ranges or bring their own CA. */
  readonly issuerFactory: IssuerFactory;
  /** The operator's configured ranges (a CA from an issuer's Secret is narrowed to them). */
  readonly configuredRanges: Ipv4RangeSet;
  /**
   * Watch CertificateRequests, IPIssuers, managed Secrets and cert-manager CertificateRequests in
   * these namespaces only; absent or empty: every namespace. IPClusterIssuers are always watched
   * cluster-wide.
   */
  readonly watchNamespaces?: readonly string[];
  /** Namespace of the Secrets IPClusterIssuers name. */
  readonly clusterResourceNamespace: string;
  /** Reconcile cert-manager.io/v1 CertificateRequests, once cert-manager's CRD is served. */
  readonly certManager: boolean;
  /** While cert-manager's CRD is missing, discovery is asked again this often. Default 60 s. */
  readonly certManagerRecheckMs?: number;
  /** REST requests recorded as CertificateRequests (Kubernetes store): decided by the leader. */
  readonly restRecords?: RestRecordProcessing;
  /** Absent: this process always reconciles (a single replica). */
  readonly leaderElection?: { readonly namespace: string; readonly name: string; readonly timing?: LeaderElectionTiming };
  /** Publish the root in this ConfigMap (`ca.crt`). */
  readonly trustConfigMap?: { readonly namespace: string; readonly name: string };
  /** Pod name (+ random suffix): the Lease holder and the Events' reportingInstance. */
  readonly identity: string;
  /** Concurrent reconciles of CertificateRequests. Default 16. */
  readonly workers?: number;
  /** Every object is reconciled again this often. Default 10 min. */
  readonly resyncPeriodMs?: number;
  readonly backoff?: BackoffPolicy;
  /** A request whose issuance keeps failing in passing is Failed after this long (issuer-lib's MaxRetryDuration). Default 1 h. */
  readonly maxRetryDurationMs?: number;
  /** Each CertificateRequest owns its Secret (deleted with it). Default false: Secrets outlive their requests, as cert-manager's do. */
  readonly secretOwnerReferences?: boolean;
  /** Reconcile counts and durations, and the per-certificate series of the leader's cache. */
  readonly metrics?: ControllerMetrics;
  /** Watch timeout (seconds) passed to informers. Default 300. */
  readonly watchTimeoutSeconds?: number;
  readonly clock: Clock;
  readonly logger: Logger;
}
