import { randomBytes } from 'node:crypto';
import { Ipv4RangeSet, type Clock } from '../ca/index.js';
import type { ServeConfig } from '../config/serve-config.js';
import { Operator } from '../controller/operator.js';
import type { LoadedCa } from '../keystore/ca-directory.js';
import { openCaSecret } from '../keystore/kubernetes/ca-secret.js';
import type { KubeApi } from '../kube/kube-api.js';
import { connectKube, type KubeConnection } from '../kube/kube-connection.js';
import { KubeHttpClient } from '../kube/kube-http-client.js';
import type { CrlNumberSequence } from '../store/interfaces.js';
import { KubernetesStore } from '../store/kubernetes/kubernetes-store.js';
import { SecretCrlNumberSequence } from '../store/kubernetes/secret-crl-number-sequence.js';
import type { SqliteStore } from '../store/sqlite/sqlite-store.js';
import type { Logger } from '../telemetry/logger.js';
import type { ControllerParts, Ledger, ServeCluster } from './cluster-parts.js';
import type { Topology } from './topology.js';

/** The Kubernetes API connection and the operator's namespace. */
interface Cluster {
  readonly connection: KubeConnection;
  readonly api: KubeApi;
  readonly namespace: string;
}

/** Cluster mode of `serve`: the CA in a Secret, the Kubernetes store and the controller, as the topology chose them. */
export class ClusterMode implements ServeCluster {
  operator: Operator | undefined;

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

  async openCa(fromDataDir: () => Promise<LoadedCa>): Promise<LoadedCa> {
    const { source, newCaRanges, allowedRanges } = this.topology.ca;
    if (source.kind !== 'secret') return fromDataDir();
    const { api, namespace } = this.cluster;
    const { keyAlgorithm } = this.config;
    const ca = await openCaSecret({ api, namespace, secretName: source.name, keyAlgorithm, newCaRanges, allowedRanges, clock: this.clock });
    if (ca.created) this.logger.info({ secret: `${namespace}/${source.name}`, keyAlgorithm }, 'created a new CA in its Secret (first start)');
    return ca;
  }

  ledger(store: SqliteStore): Ledger {
    if (this.topology.ledger !== 'kubernetes') return store;
    const { api, namespace } = this.cluster;
    // The ACME door's tables in the SQLite file reference its certificate ledger: ACME issuances go there too.
    return new KubernetesStore({ api, namespace, podName: this.config.kubernetes.podName, acmeLocalLedger: store });
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
  logger.info({ server: connection.server.origin, namespace }, 'connected to the Kubernetes API');
  return { connection, api: new KubeHttpClient(connection, { userAgent: `smsgate-ca/${kubernetes.podName}` }), namespace };
}

function newOperator(config: ServeConfig, topology: Topology, cluster: Cluster, parts: ControllerParts & { clock: Clock; logger: Logger }): Operator {
  const { kubernetes } = config;
  const election = kubernetes.leaderElection;
  return new Operator({
    api: cluster.api,
    defaultCa: { material: parts.ca, issuer: parts.issuance },
    issuerFactory: parts.newIssuance,
    // The ceiling for CAs that issuers bring in their own Secrets.
    configuredRanges: config.allowedRanges ?? Ipv4RangeSet.defaults,
    clusterResourceNamespace: kubernetes.clusterResourceNamespace ?? cluster.namespace,
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
