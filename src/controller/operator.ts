import type { CertManagerCertificateRequest } from '../kube/cert-manager-types.js';
import type { ConfigMap, Lease, Secret } from '../kube/core-types.js';
import type { AnyIssuer, CertificateRequest } from '../kube/crd-types.js';
import { EventRecorder } from '../kube/event-recorder.js';
import { Informer, type InformerStats } from '../kube/informer.js';
import { LABELS } from '../kube/labels.js';
import { keyOf, objectKey, type KubeObject } from '../kube/kube-object.js';
import { ResourceClient } from '../kube/resource-client.js';
import {
  CERT_MANAGER_CERTIFICATE_REQUESTS,
  CERTIFICATE_REQUESTS,
  CONFIG_MAPS,
  IP_CLUSTER_ISSUERS,
  IP_ISSUERS,
  LEASES,
  SECRETS,
  type ResourceType,
} from '../kube/resource-types.js';
import { isOurCertManagerRequest } from './cert-manager/cert-manager-plan.js';
import { CertManagerReconciler } from './cert-manager/cert-manager-reconciler.js';
import { CertificateRequestReconciler } from './certificate-request/certificate-request-reconciler.js';
import { FreshCache } from './fresh-cache.js';
import { IssuerReconciler } from './issuers/issuer-reconciler.js';
import { IssuerResolver } from './issuers/issuer-resolver.js';
import { LeaderElector } from './leader-election.js';
import type { OperatorOptions } from './operator-options.js';
import { runQueue, type ReconcileCounters } from './queue-runner.js';
import { publishTrustBundle } from './trust-bundle.js';
import { WorkQueue } from './work-queue.js';

interface Running {
  readonly informers: Array<Informer<KubeObject>>;
  readonly queues: WorkQueue[];
  readonly reconcilers: { forget(uid?: string): void }[];
  resync?: NodeJS.Timeout;
  /** Resolves when the caches have synced and the queues run (or the run was stopped first). */
  started?: Promise<void>;
  readonly requests: Informer<CertificateRequest>;
  readonly crQueue: WorkQueue;
  readonly cmQueue: WorkQueue | undefined;
  readonly issuerQueue: WorkQueue;
  readonly cmInformer: Informer<CertManagerCertificateRequest> | undefined;
  readonly issuerInformers: { namespaced: Informer<AnyIssuer>; cluster: Informer<AnyIssuer> };
}

/**
 * The controller: informers, work queues and reconcilers for our CertificateRequests, IPIssuers,
 * IPClusterIssuers and (optionally) cert-manager CertificateRequests. With leader election only
 * the Lease holder runs them; REST and ACME are served by every replica regardless.
 */
export class Operator {
  readonly counters: ReconcileCounters = { reconciles: 0, errors: 0, conflicts: 0 };
  private readonly events: EventRecorder;
  private readonly elector: LeaderElector | undefined;
  private running: Running | undefined;
  private transition: Promise<void> = Promise.resolve();

  constructor(private readonly options: OperatorOptions) {
    this.events = new EventRecorder({ api: options.api, component: 'smsgate-ca', instance: options.identity, now: () => options.clock.now(), log: options.logger });
    const election = options.leaderElection;
    this.elector = election
      ? new LeaderElector({
          leases: new ResourceClient<Lease>(options.api, LEASES),
          namespace: election.namespace,
          name: election.name,
          identity: options.identity,
          ...(election.timing ? { timing: election.timing } : {}),
          logger: options.logger,
          onStartedLeading: () => this.serially(async () => this.startReconciling()),
          onStoppedLeading: () => this.serially(() => this.stopReconciling()),
        })
      : undefined;
  }

  /** True while this replica reconciles (always, without leader election). */
  get isLeader(): boolean {
    return this.running !== undefined;
  }

  /** Starts campaigning (or reconciling); does not wait for the caches, see synced(). */
  async start(): Promise<void> {
    if (this.elector) this.elector.start();
    else await this.serially(async () => this.startReconciling());
  }

  /** Resolves once this replica reconciles with synced caches (waits for leadership first). */
  async synced(): Promise<void> {
    while (!this.running?.started) await new Promise((resolve) => setTimeout(resolve, 20));
    await this.running.started;
  }

  async stop(): Promise<void> {
    if (this.elector) await this.elector.stop();
    await this.serially(() => this.stopReconciling());
    await this.events.flush();
  }

  /** Enqueues every known object (what the periodic resync does). */
  resync(): void {
    const running = this.running;
    if (!running) return;
    for (const key of running.requests.keys()) running.crQueue.add(key);
    for (const key of running.issuerInformers.namespaced.keys()) running.issuerQueue.add(`IPIssuer:${key}`);
    for (const key of running.issuerInformers.cluster.keys()) running.issuerQueue.add(`IPClusterIssuer:${key}`);
    for (const key of running.cmInformer?.keys() ?? []) running.cmQueue?.add(key);
  }

  /** Resolves when no reconcile is queued or in flight (delayed requeues do not count). */
  async idle(): Promise<void> {
    const running = this.running;
    if (!running) return;
    await Promise.all(running.queues.map((queue) => queue.idle()));
  }

  informerStats(): Record<string, InformerStats> {
    return Object.fromEntries((this.running?.informers ?? []).map((informer) => [informer.resource, { ...informer.stats }]));
  }

  private serially(step: () => Promise<void>): Promise<void> {
    this.transition = this.transition.then(step, step);
    return this.transition;
  }

  private informer<T extends KubeObject>(type: ResourceType, labelSelector?: string): Informer<T> {
    return new Informer<T>({ api: this.options.api, type, ...(labelSelector ? { labelSelector } : {}), ...(this.options.watchTimeoutSeconds ? { watchTimeoutSeconds: this.options.watchTimeoutSeconds } : {}), log: this.options.logger });
  }

  private startReconciling(): void {
    if (this.running) return;
    const { options } = this;
    const logger = options.logger.child({ component: 'controller' });
    const requests = this.informer<CertificateRequest>(CERTIFICATE_REQUESTS);
    const secrets = this.informer<Secret>(SECRETS, `${LABELS.managedSecret}=true`);
    const namespaced = this.informer<AnyIssuer>(IP_ISSUERS);
    const cluster = this.informer<AnyIssuer>(IP_CLUSTER_ISSUERS);
    const cmInformer = options.certManager ? this.informer<CertManagerCertificateRequest>(CERT_MANAGER_CERTIFICATE_REQUESTS) : undefined;
    const requestCache = new FreshCache(requests);
    const secretCache = new FreshCache(secrets);
    const cmCache = cmInformer ? new FreshCache(cmInformer) : undefined;
    const secretClient = new ResourceClient<Secret>(options.api, SECRETS);
    const resolver = new IssuerResolver({
      defaultCa: options.defaultCa,
      issuerFactory: options.issuerFactory,
      ipIssuers: namespaced,
      ipClusterIssuers: cluster,
      secrets: secretClient,
      clusterResourceNamespace: options.clusterResourceNamespace,
      configuredRanges: options.configuredRanges,
      clock: options.clock,
    });
    const backoff = options.backoff ? { backoff: options.backoff } : {};
    const crQueue = new WorkQueue({ concurrency: options.workers ?? 16, ...backoff });
    const issuerQueue = new WorkQueue({ concurrency: 2, ...backoff });
    const cmQueue = cmInformer ? new WorkQueue({ concurrency: 4, ...backoff }) : undefined;
    const context = { requests: new ResourceClient<CertificateRequest>(options.api, CERTIFICATE_REQUESTS), requestCache, secrets: secretClient, secretCache, resolver, events: this.events, clock: options.clock, logger };
    const crReconciler = new CertificateRequestReconciler(context, options.restRecords);
    const issuerReconcilers = {
      IPIssuer: new IssuerReconciler({ kind: 'IPIssuer', client: new ResourceClient<AnyIssuer>(options.api, IP_ISSUERS), cache: namespaced, resolver, events: this.events, clock: options.clock }),
      IPClusterIssuer: new IssuerReconciler({ kind: 'IPClusterIssuer', client: new ResourceClient<AnyIssuer>(options.api, IP_CLUSTER_ISSUERS), cache: cluster, resolver, events: this.events, clock: options.clock }),
    };
    const cmReconciler =
      cmInformer && cmCache
        ? new CertManagerReconciler({ requests: new ResourceClient<CertManagerCertificateRequest>(options.api, CERT_MANAGER_CERTIFICATE_REQUESTS), cache: cmCache, resolver, events: this.events, clock: options.clock, logger })
        : undefined;

    requests.addHandlers({
      onAdd: (cr) => crQueue.add(keyOf(cr)),
      onUpdate: (cr, old) => {
        if (specOrMetadataChanged(cr, old)) crQueue.add(keyOf(cr));
      },
      onDelete: (cr) => {
        requestCache.deleted(keyOf(cr));
        crQueue.cancelDelayed(keyOf(cr));
        crReconciler.forget(cr.metadata.uid);
      },
    });
    const enqueueOwner = (secret: Secret) => {
      const owner = (secret.metadata.ownerReferences ?? []).find((ref) => ref.controller === true && ref.kind === 'CertificateRequest' && ref.apiVersion === requests_apiVersion);
      if (owner) crQueue.add(objectKey(secret.metadata.namespace, owner.name));
    };
    secrets.addHandlers({
      onAdd: enqueueOwner,
      onUpdate: enqueueOwner,
      onDelete: (secret) => {
        secretCache.deleted(keyOf(secret));
        enqueueOwner(secret);
      },
    });
    const issuerChanged = (kind: 'IPIssuer' | 'IPClusterIssuer') => (issuer: AnyIssuer) => {
      issuerQueue.add(`${kind}:${keyOf(issuer)}`);
      for (const cr of requests.list()) {
        const ref = cr.spec?.issuerRef;
        if (ref && (ref.kind ?? 'IPIssuer') === kind && ref.name === issuer.metadata.name && (kind === 'IPClusterIssuer' || cr.metadata.namespace === issuer.metadata.namespace)) crQueue.add(keyOf(cr));
      }
      for (const cm of cmInformer?.list() ?? []) {
        if (isOurCertManagerRequest(cm) && cm.spec.issuerRef.kind === kind && cm.spec.issuerRef.name === issuer.metadata.name) cmQueue?.add(keyOf(cm));
      }
    };
    namespaced.addHandlers({ onAdd: issuerChanged('IPIssuer'), onUpdate: issuerChanged('IPIssuer'), onDelete: issuerChanged('IPIssuer') });
    cluster.addHandlers({ onAdd: issuerChanged('IPClusterIssuer'), onUpdate: issuerChanged('IPClusterIssuer'), onDelete: issuerChanged('IPClusterIssuer') });
    cmInformer?.addHandlers({
      onAdd: (cm) => {
        if (isOurCertManagerRequest(cm)) cmQueue?.add(keyOf(cm));
      },
      onUpdate: (cm) => {
        if (isOurCertManagerRequest(cm)) cmQueue?.add(keyOf(cm));
      },
      onDelete: (cm) => {
        cmCache?.deleted(keyOf(cm));
        cmQueue?.cancelDelayed(keyOf(cm));
        cmReconciler?.forget(cm.metadata.uid);
      },
    });

    const informers = [namespaced, cluster, secrets, requests, ...(cmInformer ? [cmInformer] : [])] as Array<Informer<KubeObject>>;
    const running: Running = {
      informers,
      queues: [crQueue, issuerQueue, ...(cmQueue ? [cmQueue] : [])],
      reconcilers: [crReconciler, ...(cmReconciler ? [cmReconciler] : [])],
      requests,
      crQueue,
      cmQueue,
      issuerQueue,
      cmInformer,
      issuerInformers: { namespaced, cluster },
    };
    this.running = running;
    running.started = (async () => {
      // Issuers and Secrets first, so CertificateRequests are reconciled against complete caches.
      await Promise.all([namespaced.start(), cluster.start(), secrets.start()]);
      if (this.running !== running) return;
      runQueue(issuerQueue, (key) => {
        const colon = key.indexOf(':');
        return issuerReconcilers[key.slice(0, colon) as 'IPIssuer'].reconcile(key.slice(colon + 1));
      }, logger, this.counters, 'issuers');
      runQueue(crQueue, (key) => crReconciler.reconcile(key), logger, this.counters, 'certificaterequests');
      if (cmQueue && cmReconciler) runQueue(cmQueue, (key) => cmReconciler.reconcile(key), logger, this.counters, 'cert-manager');
      await Promise.all([requests.start(), ...(cmInformer ? [cmInformer.start()] : [])]);
      if (this.running !== running) return;
      running.resync = setInterval(() => this.resync(), options.resyncPeriodMs ?? 10 * 60_000);
      running.resync.unref();
      if (options.trustConfigMap) await this.publishTrust(options.trustConfigMap);
      logger.info({ certificateRequests: requests.size, certManager: options.certManager }, 'controller started');
    })();
  }

  private async publishTrust(target: { namespace: string; name: string }): Promise<void> {
    try {
      const outcome = await publishTrustBundle(new ResourceClient<ConfigMap>(this.options.api, CONFIG_MAPS), target.namespace, target.name, this.options.defaultCa.material.rootPem);
      this.options.logger.info({ configMap: `${target.namespace}/${target.name}`, outcome }, 'published the root certificate');
    } catch (error) {
      this.options.logger.warn({ err: error, configMap: `${target.namespace}/${target.name}` }, 'could not publish the root certificate');
    }
  }

  private async stopReconciling(): Promise<void> {
    const running = this.running;
    if (!running) return;
    this.running = undefined;
    clearInterval(running.resync);
    await Promise.all(running.informers.map((informer) => informer.stop()));
    await running.started;
    await Promise.all(running.queues.map((queue) => queue.shutdown()));
    for (const reconciler of running.reconcilers) reconciler.forget();
    this.options.logger.info('controller stopped');
  }
}

const requests_apiVersion = `${CERTIFICATE_REQUESTS.group}/${CERTIFICATE_REQUESTS.version}`;

/** Our own status writes come back as updates; only spec (generation) or metadata changes need a reconcile. */
function specOrMetadataChanged(cr: CertificateRequest, old: CertificateRequest): boolean {
  return (
    cr.metadata.generation !== old.metadata.generation ||
    cr.metadata.deletionTimestamp !== old.metadata.deletionTimestamp ||
    JSON.stringify(cr.metadata.labels ?? {}) !== JSON.stringify(old.metadata.labels ?? {}) ||
    JSON.stringify(cr.metadata.annotations ?? {}) !== JSON.stringify(old.metadata.annotations ?? {}) ||
    cr.status === undefined
  );
}
