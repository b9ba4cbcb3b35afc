import { randomBytes } from 'node:crypto';
import { Ipv4RangeSet, type Clock } from '../ca/index.js';
import type { ServeConfig } from '../config/serve-config.js';
import { Operator } from '../controller/operator.js';
import type { IssuanceService } from '../issuance/issuance-service.js';
import type { IssuanceWorker } from '../issuance/issuance-worker.js';
import type { LoadedCa } from '../keystore/ca-directory.js';
import { openCaSecret } from '../keystore/kubernetes/ca-secret.js';
import type { KubeApi } from '../kube/kube-api.js';
import { connectKube, type KubeConnection } from '../kube/kube-connection.js';
import { KubeHttpClient } from '../kube/kube-http-client.js';
import type { CrlNumberSequence, IssuanceStore, RevocationLedger, RevocationList, StoreHealth } from '../store/interfaces.js';
import { KubernetesStore } from '../store/kubernetes/kubernetes-store.js';
import { SecretCrlNumberSequence } from '../store/kubernetes/secret-crl-number-sequence.js';
import type { SqliteStore } from '../store/sqlite/sqlite-store.js';
import type { Logger } from '../telemetry/logger.js';
import type { ControllerParts, ServeCluster } from './serve-cluster.js';

/**
 * Cluster mode of `serve`: the Kubernetes API connection, the CA in a Secret, the
 * Kubernetes store and the controller. main.ts composes it; when it is off every method is a no-op.
 */
interface Cluster {
  readonly connection: KubeConnection;
  readonly api: KubeApi;
  readonly namespace: string;
}

/** What cluster mode adds to `serve`; every method is a no-op when it is off. */
export class ClusterMode implements ServeCluster {
  operator: Operator | undefined;

  private constructor(
    private readonly config: ServeConfig,
    readonly cluster: Cluster | undefined,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {}

  static async open(config: ServeConfig, clock: Clock, logger: Logger): Promise<ClusterMode> {
    return new ClusterMode(config, config.kubernetes.enabled ? await connectCluster(config, logger) : undefined, clock, logger);
  }

  /** The CA from its Secret with --ca-secret, else `fromDataDir()`. */
  async openCa(fromDataDir: () => Promise<LoadedCa>): Promise<LoadedCa> {
    const secretName = this.config.kubernetes.caSecret;
    if (!this.cluster || !secretName) return fromDataDir();
    const { api, namespace } = this.cluster;
    const { config, clock } = this;
    const ca = await openCaSecret({ api, namespace, secretName, keyAlgorithm: config.keyAlgorithm, allowedRanges: config.allowedRanges ?? Ipv4RangeSet.defaults, clock });
    if (ca.created) this.logger.info({ secret: `${namespace}/${secretName}`, keyAlgorithm: config.keyAlgorithm }, 'created a new CA in its Secret (first start)');
    return ca;
  }

  /** The store REST requests and the ledger use: CertificateRequests with --store kubernetes. */
  ledger(store: SqliteStore): IssuanceStore & RevocationLedger & RevocationList & StoreHealth {
    const { cluster, config } = this;
    if (!cluster || config.kubernetes.store !== 'kubernetes') return store;
    // The ACME door's tables in the SQLite file reference its certificate ledger: ACME issuances go there too.
    return new KubernetesStore({ api: cluster.api, namespace: cluster.namespace, podName: config.kubernetes.podName, acmeLocalLedger: store });
  }

  /**
   * CRL numbers: shared by the replicas (an annotation on the CA Secret) when the ledger is in the
   * cluster and the CA in a Secret; else the SQLite sequence, beside a CA in the data directory.
   */
  crlNumbers(store: SqliteStore): CrlNumberSequence {
    const { cluster, config } = this;
    const secretName = config.kubernetes.caSecret;
    if (!cluster || config.kubernetes.store !== 'kubernetes' || !secretName) return store;
    return new SecretCrlNumberSequence({ api: cluster.api, namespace: cluster.namespace, secretName });
  }

  /** With REST requests recorded in the cluster, the elected controller decides them (one signer for all replicas). */
  decidesRestRequests(ledger: IssuanceStore, store: SqliteStore): boolean {
    return ledger !== store && this.config.kubernetes.controller;
  }

  /** The REST worker, unless the controller decides REST requests. */
  async startSigningWorker(worker: IssuanceWorker, issuance: IssuanceService, workerSigns: boolean): Promise<void> {
    if (!workerSigns) return;
    issuance.onPending((request) => worker.enqueue(request));
    await worker.start();
  }

  async startController(parts: ControllerParts): Promise<void> {
    if (!this.cluster || !this.config.kubernetes.controller) return;
    this.operator = newOperator(this.config, this.cluster, { ...parts, clock: this.clock, logger: this.logger });
    await this.operator.start();
  }

  async stopController(): Promise<void> {
    await this.operator?.stop();
  }

  close(): void {
    this.cluster?.connection.close();
  }
}

async function connectCluster(config: ServeConfig, logger: Logger): Promise<Cluster> {
  const { kubernetes } = config;
  const connection = await connectKube(kubernetes.kubeconfigPath ? { kubeconfigPath: kubernetes.kubeconfigPath } : {});
  const namespace = kubernetes.namespace ?? connection.namespace ?? 'default';
  logger.info({ server: connection.server.origin, namespace }, 'connected to the Kubernetes API');
  return { connection, api: new KubeHttpClient(connection, { userAgent: `smsgate-ca/${kubernetes.podName}` }), namespace };
}

function newOperator(config: ServeConfig, cluster: Cluster, parts: ControllerParts & { clock: Clock; logger: Logger }): Operator {
  const { kubernetes } = config;
  const election = kubernetes.leaderElection;
  return new Operator({
    api: cluster.api,
    defaultCa: { material: parts.ca, issuer: parts.issuance },
    issuerFactory: parts.newIssuance,
    configuredRanges: config.allowedRanges ?? Ipv4RangeSet.defaults,
    clusterResourceNamespace: kubernetes.clusterResourceNamespace ?? cluster.namespace,
    certManager: kubernetes.certManager,
    ...(parts.restRecords ? { restRecords: { processor: parts.issuance, signDelayMs: config.signDelayMs } } : {}),
    ...(election.enabled
      ? { leaderElection: { namespace: election.namespace ?? cluster.namespace, name: election.id, timing: { leaseDurationMs: election.leaseDurationMs, renewDeadlineMs: election.renewDeadlineMs, retryPeriodMs: election.retryPeriodMs } } }
      : {}),
    ...(kubernetes.trustConfigMap ? { trustConfigMap: kubernetes.trustConfigMap } : {}),
    identity: `${kubernetes.podName}_${randomBytes(4).toString('hex')}`,
    workers: kubernetes.controllerWorkers,
    resyncPeriodMs: kubernetes.resyncPeriodMs,
    clock: parts.clock,
    logger: parts.logger,
  });
}
