import { randomBytes } from 'node:crypto';
import { SharedNonceService } from '../acme/shared-nonces.js';
import { Ipv4RangeSet, type Clock } from '../ca/index.js';
import type { ServeConfig } from '../config/serve-config.js';
import { Operator } from '../controller/operator.js';
import type { KubeApi } from '../kube/kube-api.js';
import { connectKube, type KubeConnection } from '../kube/kube-connection.js';
import { KubeHttpClient } from '../kube/kube-http-client.js';
import type { CrlNumberSequence } from '../store/interfaces.js';
import { KubernetesAcmeStore } from '../store/kubernetes/acme/kubernetes-acme-store.js';
import { KubernetesStore } from '../store/kubernetes/kubernetes-store.js';
import { kubeStoreFaultOf } from '../store/kubernetes/kube-store-faults.js';
import { withStoreFaults } from '../store/store-fault-boundary.js';
import { SecretCrlNumberSequence } from '../store/kubernetes/secret-crl-number-sequence.js';
import type { SqliteStore } from '../store/sqlite/sqlite-store.js';
import type { Logger } from '../telemetry/logger.js';
import type { AcmeState, ControllerParts, Ledger, OpenCaParts, OpenedCa, ServeCluster } from './cluster-parts.js';
import { openSecretCa } from './secret-ca.js';
import type { Topology } from './topology.js';

/** The Kubernetes API connection and the operator's namespace. */
interface Cluster {
  readonly connection: KubeConnection;
  readonly api: KubeApi;
  readonly namespace: string;
  /** What the controller watches: --watch-namespace plus the operator's own namespace; undefined: every namespace. */
  readonly watchNamespaces: readonly string[] | undefined;
}

/** Cluster mode of `serve`: the CA in a Secret, the Kubernetes store and the controller, as the topology chose them. */
export class ClusterMode implements ServeCluster {
  operator: Operator | undefined;
  /** The ledger in the cluster, once ledger() chose it. */
  private records: KubernetesStore | undefined;

  private constructor(
    private readonly config: ServeConfig,
    private readonly topology: Topology,
    private readonly cluster: Cluster,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {}

  static async open(config: ServeConfig, topology: Topology, clock: Clock, logger: Logger): Promise<ClusterMode> {
    return new ClusterMode(config, topology, await connectCluster(config, logger), clock, logger);
  }

  async openCa(fromDataDir: () => Promise<OpenedCa>, parts: OpenCaParts): Promise<OpenedCa> {
    const { source, newCaRanges, allowedRanges } = this.topology.ca;
    if (source.kind !== 'secret') return fromDataDir();
    const { api, namespace, watchNamespaces } = this.cluster;
    const { keyAlgorithm, kubernetes, ca } = this.config;
    const options = { api, namespace, secretName: source.name, keyAlgorithm, newCaRanges, allowedRanges, bootstrap: ca.bootstrap, trustConfigMap: kubernetes.trustConfigMap, watchNamespaces, clock: this.clock, logger: this.logger };
    return openSecretCa(options, parts);
  }

  ledger(store: SqliteStore): Ledger {
    if (this.topology.ledger !== 'kubernetes') return store;
    const { api, namespace } = this.cluster;
    this.records = new KubernetesStore({ api, namespace, podName: this.config.kubernetes.podName });
    // An unreachable or overloaded API server surfaces as StoreUnavailableError: the doors answer 503.
    return withStoreFaults(this.records, kubeStoreFaultOf);
  }

  async acmeState(store: SqliteStore, parts: { clock: Clock; nonceRejectPercent: number }): Promise<AcmeState> {
    if (this.topology.acmeState !== 'kubernetes' || !this.records) return { store: store.acme(), shared: false };
    const { api, namespace } = this.cluster;
    const acme = new KubernetesAcmeStore({ api, namespace, ledger: this.records, nonceSecret: this.config.kubernetes.acmeNonceSecret });
    const nonces = new SharedNonceService({ key: await acme.nonceKey(), store: acme, clock: parts.clock, rejectPercent: parts.nonceRejectPercent });
    return { store: withStoreFaults(acme, kubeStoreFaultOf), nonces, shared: true };
  }

  leads(): boolean {
    return this.operator?.isLeader ?? true;
  }

  async collectRecords(now: Date): Promise<number> {
    const retentionMs = this.config.kubernetes.recordRetentionMs;
    return this.records && retentionMs > 0 ? this.records.collectRecords(now, retentionMs) : 0;
  }

  crlNumbers(store: SqliteStore): CrlNumberSequence {
    const { source } = this.topology.ca;
    if (this.topology.crlNumbers !== 'ca-secret' || source.kind !== 'secret') return store;
    return new SecretCrlNumberSequence({ api: this.cluster.api, namespace: this.cluster.namespace, secretName: source.name });
  }

  async startController(parts: ControllerParts): Promise<void> {
    if (!this.topology.controller) return;
    this.operator = newOperator(this.config, this.topology, this.cluster, { ...parts, clock: this.clock, logger: this.logger });
    await this.operator.start();
  }

  async stopController(): Promise<void> {
    await this.operator?.stop();
  }

  close(): void {
    this.cluster.connection.close();
  }
}

async function connectCluster(config: ServeConfig, logger: Logger): Promise<Cluster> {
  const { kubernetes } = config;
  const connection = await connectKube(kubernetes.kubeconfigPath ? { kubeconfigPath: kubernetes.kubeconfigPath } : {});
  const namespace = kubernetes.namespace ?? connection.namespace ?? 'default';
  // The REST and ACME records live in the operator's namespace: it is always watched.
  const watchNamespaces = kubernetes.watchNamespaces.length > 0 ? [...new Set([...kubernetes.watchNamespaces, namespace])] : undefined;
  logger.info({ server: connection.server.origin, namespace, watchNamespaces: watchNamespaces ?? 'all', qps: kubernetes.kubeApiQps, burst: kubernetes.kubeApiBurst }, 'connected to the Kubernetes API');
  const rateLimit = { qps: kubernetes.kubeApiQps, burst: kubernetes.kubeApiBurst };
  return { connection, api: new KubeHttpClient(connection, { userAgent: `smsgate-ca/${kubernetes.podName}`, rateLimit }), namespace, watchNamespaces };
}

function newOperator(config: ServeConfig, topology: Topology, cluster: Cluster, parts: ControllerParts & { clock: Clock; logger: Logger }): Operator {
  const { kubernetes } = config;
  const election = kubernetes.leaderElection;
  return new Operator({
    api: cluster.api,
    defaultCa: parts.ca,
    issuerFactory: parts.issuerFactory,
    // The ceiling for CAs that issuers bring in their own Secrets.
    configuredRanges: config.allowedRanges ?? Ipv4RangeSet.defaults,
    clusterResourceNamespace: kubernetes.clusterResourceNamespace ?? cluster.namespace,
    ...(cluster.watchNamespaces ? { watchNamespaces: cluster.watchNamespaces } : {}),
    certManager: kubernetes.certManager,
    ...(topology.restSigner === 'controller' ? { restRecords: { processor: parts.issuance, signDelayMs: config.signDelayMs } } : {}),
    ...(election.enabled
      ? { leaderElection: { namespace: election.namespace ?? cluster.namespace, name: election.id, timing: { leaseDurationMs: election.leaseDurationMs, renewDeadlineMs: election.renewDeadlineMs, retryPeriodMs: election.retryPeriodMs } } }
      : {}),
    ...(kubernetes.trustConfigMap ? { trustConfigMap: kubernetes.trustConfigMap } : {}),
    identity: `${kubernetes.podName}_${randomBytes(4).toString('hex')}`,
    workers: kubernetes.controllerWorkers,
    resyncPeriodMs: kubernetes.resyncPeriodMs,
    maxRetryDurationMs: kubernetes.maxRetryDurationMs,
    secretOwnerReferences: kubernetes.secretOwnerReferences,
    metrics: parts.metrics,
    clock: parts.clock,
    logger: parts.logger,
  });
}
