import type { CertManagerCertificateRequest } from '../custom-resources/cert-manager-types.js';
import type { Secret } from '../kube/core-types.js';
import { approvalChanged } from '../custom-resources/approval-conditions.js';
import type { AnyIssuer, CertificateRequest } from '../custom-resources/crd-types.js';
import type { EventRecorder } from '../kube/event-recorder.js';
import type { InformerStats } from '../kube/informer.js';
import { InformerSet } from '../kube/informer-set.js';
import { ANNOTATIONS, LABELS } from '../custom-resources/labels.js';
import { keyOf, objectKey, type KubeObject } from '../kube/kube-object.js';
import { ResourceClient } from '../kube/resource-client.js';
import { SECRETS, apiVersionOf, type ResourceType } from '../kube/resource-types.js';
import { CERT_MANAGER_CERTIFICATE_REQUESTS, CERTIFICATE_REQUESTS, IP_CLUSTER_ISSUERS, IP_ISSUERS } from '../custom-resources/resource-types.js';
import type { Logger } from '../telemetry/logger.js';
import { isOurCertManagerRequest } from './cert-manager/cert-manager-plan.js';
import { CertManagerPresence, DEFAULT_CERT_MANAGER_RECHECK_MS } from './cert-manager/cert-manager-presence.js';
import { CertManagerReconciler } from './cert-manager/cert-manager-reconciler.js';
import { CertificateRequestReconciler } from './certificate-request/certificate-request-reconciler.js';
import { FreshCache } from './runtime/fresh-cache.js';
import { IssuerReconciler } from './issuers/issuer-reconciler.js';
import { IssuerResolver } from './issuers/issuer-resolver.js';
import { certificateStateOf, isUserRequest } from './certificate-request/certificate-state.js';
import { DEFAULT_MAX_RETRY_DURATION_MS } from './request-reconcile.js';
import type { OperatorOptions } from './operator-options.js';
import { runQueue, type ReconcileCounters } from './runtime/queue-runner.js';
import { WorkQueue } from './runtime/work-queue.js';

type IssuerKind = 'IPIssuer' | 'IPClusterIssuer';

/** The cert-manager half, present with `certManager: true`. */
interface CertManagerPart {
  readonly informer: InformerSet<CertManagerCertificateRequest>;
  readonly cache: FreshCache<CertManagerCertificateRequest>;
  readonly queue: WorkQueue;
  readonly reconciler: CertManagerReconciler;
  /** Starts the informer only once cert-manager's CRD is served. */
  readonly presence: CertManagerPresence;
}

/**
 * One leadership term's worth of controllers: informers, caches, work queues and reconcilers,
 * started together and stopped together (nothing survives into the next term).
 */
export class ControllerSet {
  private readonly requests: InformerSet<CertificateRequest>;
  private readonly secrets: InformerSet<Secret>;
  private readonly issuers: Record<IssuerKind, InformerSet<AnyIssuer>>;
  private readonly requestCache: FreshCache<CertificateRequest>;
  private readonly secretCache: FreshCache<Secret>;
  private readonly crQueue: WorkQueue;
  private readonly issuerQueue: WorkQueue;
  private readonly crReconciler: CertificateRequestReconciler;
  private readonly issuerReconcilers: Record<IssuerKind, IssuerReconciler>;
  private readonly certManager: CertManagerPart | undefined;
  private stopped = false;

  constructor(
    private readonly options: OperatorOptions,
    private readonly events: EventRecorder,
    private readonly counters: ReconcileCounters,
    private readonly logger: Logger,
  ) {
    this.requests = this.informer(CERTIFICATE_REQUESTS);
    this.secrets = this.informer(SECRETS, `${LABELS.managedSecret}=true`);
    this.issuers = { IPIssuer: this.informer(IP_ISSUERS), IPClusterIssuer: this.informer(IP_CLUSTER_ISSUERS, undefined, 'cluster') };
    this.requestCache = new FreshCache(this.requests);
    this.secretCache = new FreshCache(this.secrets);
    const backoff = options.backoff ? { backoff: options.backoff } : {};
    this.crQueue = new WorkQueue({ concurrency: options.workers ?? 16, ...backoff });
    this.issuerQueue = new WorkQueue({ concurrency: 2, ...backoff });
    const resolver = this.resolver();
    this.crReconciler = new CertificateRequestReconciler(
      {
        requests: new ResourceClient(options.api, CERTIFICATE_REQUESTS),
        requestCache: this.requestCache,
        secrets: new ResourceClient(options.api, SECRETS),
        secretCache: this.secretCache,
        resolver,
        events,
        clock: options.clock,
        logger,
        maxRetryDurationMs: options.maxRetryDurationMs ?? DEFAULT_MAX_RETRY_DURATION_MS,
        secretOwnerReferences: options.secretOwnerReferences ?? false,
      },
      options.restRecords,
    );
    this.issuerReconcilers = { IPIssuer: this.issuerReconciler('IPIssuer', IP_ISSUERS, resolver), IPClusterIssuer: this.issuerReconciler('IPClusterIssuer', IP_CLUSTER_ISSUERS, resolver) };
    this.certManager = options.certManager ? this.certManagerPart(resolver, backoff) : undefined;
    this.wire();
  }

  /** Issuer and Secret caches first, then the queues, then CertificateRequests: reconciles see complete caches. */
  async start(): Promise<void> {
    await Promise.all([this.issuers.IPIssuer.start(), this.issuers.IPClusterIssuer.start(), this.secrets.start()]);
    if (this.stopped) return;
    const metrics = this.options.metrics;
    runQueue(this.issuerQueue, (key) => this.reconcileIssuer(key), { logger: this.logger, counters: this.counters, name: 'issuers', metrics });
    runQueue(this.crQueue, (key) => this.crReconciler.reconcile(key), { logger: this.logger, counters: this.counters, name: 'certificaterequests', metrics });
    const cm = this.certManager;
    if (cm) runQueue(cm.queue, (key) => cm.reconciler.reconcile(key), { logger: this.logger, counters: this.counters, name: 'cert-manager', metrics });
    metrics?.watchCertificates(() => this.requests.list().filter(isUserRequest).map(certificateStateOf));
    await Promise.all([this.requests.start(), ...(cm ? [cm.presence.start(() => this.startCertManagerInformer(cm))] : [])]);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    // A replica that is no longer the leader exports no certificates: the new leader does.
    this.options.metrics?.watchCertificates(() => []);
    await this.certManager?.presence.stop();
    await Promise.all(this.informers().map((informer) => informer.stop()));
    await Promise.all(this.queues().map((queue) => queue.shutdown()));
    this.crReconciler.forget();
    this.certManager?.reconciler.forget();
  }

  resync(): void {
    for (const key of this.requests.keys()) this.crQueue.add(key);
    for (const kind of ['IPIssuer', 'IPClusterIssuer'] as const) for (const key of this.issuers[kind].keys()) this.issuerQueue.add(`${kind}:${key}`);
    for (const key of this.certManager?.informer.keys() ?? []) this.certManager?.queue.add(key);
  }

  async idle(): Promise<void> {
    await Promise.all(this.queues().map((queue) => queue.idle()));
  }

  get size(): number {
    return this.requests.size;
  }

  stats(): Record<string, InformerStats> {
    return Object.fromEntries(this.informers().map((informer) => [informer.resource, { ...informer.stats }]));
  }

  private informers(): Array<InformerSet<KubeObject>> {
    return [this.issuers.IPIssuer, this.issuers.IPClusterIssuer, this.secrets, this.requests, ...(this.certManager ? [this.certManager.informer] : [])] as Array<InformerSet<KubeObject>>;
  }

  private queues(): WorkQueue[] {
    return [this.crQueue, this.issuerQueue, ...(this.certManager ? [this.certManager.queue] : [])];
  }

  /** Namespaced kinds are watched in `watchNamespaces` only (one watch each) when it is given. */
  private informer<T extends KubeObject>(type: ResourceType, labelSelector?: string, scope: 'namespaced' | 'cluster' = 'namespaced'): InformerSet<T> {
    const { api, watchTimeoutSeconds, watchNamespaces } = this.options;
    const namespaces = scope === 'namespaced' && watchNamespaces?.length ? { namespaces: watchNamespaces } : {};
    return new InformerSet<T>({ api, type, ...namespaces, ...(labelSelector ? { labelSelector } : {}), ...(watchTimeoutSeconds ? { watchTimeoutSeconds } : {}), log: this.logger });
  }

  private resolver(): IssuerResolver {
    const { options } = this;
    return new IssuerResolver({
      defaultCa: options.defaultCa,
      issuerFactory: options.issuerFactory,
      ipIssuers: this.issuers.IPIssuer,
      ipClusterIssuers: this.issuers.IPClusterIssuer,
      secrets: new ResourceClient<Secret>(options.api, SECRETS),
      clusterResourceNamespace: options.clusterResourceNamespace,
      configuredRanges: options.configuredRanges,
      clock: options.clock,
    });
  }

  private issuerReconciler(kind: IssuerKind, type: ResourceType, resolver: IssuerResolver): IssuerReconciler {
    return new IssuerReconciler({ kind, client: new ResourceClient<AnyIssuer>(this.options.api, type), cache: this.issuers[kind], resolver, events: this.events, clock: this.options.clock });
  }

  private certManagerPart(resolver: IssuerResolver, backoff: object): CertManagerPart {
    const informer = this.informer<CertManagerCertificateRequest>(CERT_MANAGER_CERTIFICATE_REQUESTS);
    const cache = new FreshCache(informer);
    const requests = new ResourceClient<CertManagerCertificateRequest>(this.options.api, CERT_MANAGER_CERTIFICATE_REQUESTS);
    const reconciler = new CertManagerReconciler({
      requests,
      cache,
      resolver,
      events: this.events,
      clock: this.options.clock,
      logger: this.logger,
      ...(this.options.maxRetryDurationMs !== undefined ? { maxRetryDurationMs: this.options.maxRetryDurationMs } : {}),
    });
    const presence = new CertManagerPresence({ api: this.options.api, recheckMs: this.options.certManagerRecheckMs ?? DEFAULT_CERT_MANAGER_RECHECK_MS, logger: this.logger });
    return { informer, cache, queue: new WorkQueue({ concurrency: 4, ...backoff }), reconciler, presence };
  }

  private async startCertManagerInformer(cm: CertManagerPart): Promise<void> {
    if (!this.stopped) await cm.informer.start();
  }

  private reconcileIssuer(key: string) {
    const colon = key.indexOf(':');
    return this.issuerReconcilers[key.slice(0, colon) as IssuerKind].reconcile(key.slice(colon + 1));
  }

  private wire(): void {
    this.requests.addHandlers({
      onAdd: (cr) => this.crQueue.add(keyOf(cr)),
      onUpdate: (cr, old) => {
        if (specOrMetadataChanged(cr, old)) this.crQueue.add(keyOf(cr));
      },
      onDelete: (cr) => {
        this.requestCache.deleted(keyOf(cr));
        this.crQueue.cancelDelayed(keyOf(cr));
        this.crReconciler.forget(cr.metadata.uid);
      },
    });
    this.secrets.addHandlers({
      onAdd: (secret) => this.enqueueOwner(secret),
      onUpdate: (secret) => this.enqueueOwner(secret),
      onDelete: (secret) => {
        this.secretCache.deleted(keyOf(secret));
        this.enqueueOwner(secret);
      },
    });
    for (const kind of ['IPIssuer', 'IPClusterIssuer'] as const) {
      const changed = (issuer: AnyIssuer) => this.issuerChanged(kind, issuer);
      this.issuers[kind].addHandlers({ onAdd: changed, onUpdate: changed, onDelete: changed });
    }
    this.wireCertManager();
  }

  private wireCertManager(): void {
    const cm = this.certManager;
    if (!cm) return;
    const enqueue = (request: CertManagerCertificateRequest) => {
      if (isOurCertManagerRequest(request)) cm.queue.add(keyOf(request));
    };
    cm.informer.addHandlers({
      onAdd: enqueue,
      onUpdate: enqueue,
      onDelete: (request) => {
        cm.cache.deleted(keyOf(request));
        cm.queue.cancelDelayed(keyOf(request));
        cm.reconciler.forget(request.metadata.uid);
      },
    });
  }

  /** The request a Secret of ours was written for: its owner when it has one, else the one its annotation names (Secrets outlive requests by default). */
  private enqueueOwner(secret: Secret): void {
    const owner = (secret.metadata.ownerReferences ?? []).find((ref) => ref.controller === true && ref.kind === 'CertificateRequest' && ref.apiVersion === apiVersionOf(CERTIFICATE_REQUESTS));
    const name = owner?.name ?? secret.metadata.annotations?.[ANNOTATIONS.certificateRequest];
    if (name) this.crQueue.add(objectKey(secret.metadata.namespace, name));
  }

  /** The issuer itself, and every request naming it, are looked at again. */
  private issuerChanged(kind: IssuerKind, issuer: AnyIssuer): void {
    this.issuerQueue.add(`${kind}:${keyOf(issuer)}`);
    for (const cr of this.requests.list()) if (names(cr.spec?.issuerRef, cr.metadata.namespace, kind, issuer)) this.crQueue.add(keyOf(cr));
    const cm = this.certManager;
    for (const request of cm?.informer.list() ?? []) {
      if (isOurCertManagerRequest(request) && names(request.spec.issuerRef, request.metadata.namespace, kind, issuer)) cm?.queue.add(keyOf(request));
    }
  }
}

function names(ref: { kind?: string; name: string } | undefined, namespace: string | undefined, kind: IssuerKind, issuer: AnyIssuer): boolean {
  if (!ref || (ref.kind ?? 'IPIssuer') !== kind || ref.name !== issuer.metadata.name) return false;
  return kind === 'IPClusterIssuer' || namespace === issuer.metadata.namespace;
}

/**
 * Our own status writes come back as updates; only spec (generation) or metadata changes need a
 * reconcile, and an approver's Approved or Denied condition (a status write of someone else).
 */
function specOrMetadataChanged(cr: CertificateRequest, old: CertificateRequest): boolean {
  return (
    cr.metadata.generation !== old.metadata.generation ||
    approvalChanged(cr.status?.conditions, old.status?.conditions) ||
    cr.metadata.deletionTimestamp !== old.metadata.deletionTimestamp ||
    JSON.stringify(cr.metadata.labels ?? {}) !== JSON.stringify(old.metadata.labels ?? {}) ||
    JSON.stringify(cr.metadata.annotations ?? {}) !== JSON.stringify(old.metadata.annotations ?? {}) ||
    cr.status === undefined
  );
}
