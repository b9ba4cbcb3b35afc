import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:https';
import type { Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { builtinResources } from './resources/builtin-resources.js';
import { Authenticator } from './auth/authenticator.js';
import { RbacAuthorizer } from './auth/rbac-authorizer.js';
import type { GrantedRule } from './auth/rbac-authorizer.js';
import type { UserInfo } from './auth/user-info.js';
import { CrdController } from './controllers/crd-controller.js';
import { Discovery } from './http/discovery.js';
import { GarbageCollector } from './controllers/garbage-collector.js';
import { renderKubeconfig } from './kubeconfig.js';
import { NamespaceController } from './controllers/namespace-controller.js';
import { createObjectAccess } from './objects/object-access.js';
import type { ObjectAccess } from './objects/object-access.js';
import { ObjectService } from './objects/object-service.js';
import { ObjectStore } from './storage/object-store.js';
import { OpenApi } from './http/openapi.js';
import { RequestLog } from './http/request-log.js';
import type { ResourceContext } from './http/resource-handler.js';
import { ResourceRegistry } from './core/resource-registry.js';
import { route } from './http/router.js';
import type { RouterContext } from './http/router.js';
import { seedCluster } from './resources/seed-cluster.js';
import { createTlsMaterial } from './tls-material.js';
import { WatchHub } from './storage/watch-hub.js';
import { WorkQueue } from './storage/work-queue.js';

export interface FakeApiServerOptions {
  /** Bearer token the kubeconfig carries and the server accepts (random by default). */
  readonly token?: string;
  /** Where kubeconfig is written (a fresh temp dir by default, removed on close). */
  readonly kubeconfigDir?: string;
  /** Namespace of the kubeconfig context. Default `default`. */
  readonly namespace?: string;
  /** Loopback port; 0 (default) picks a free one. */
  readonly port?: number;
  /** Watch-cache window in events; resuming from before it yields 410 Gone. Default 10000. */
  readonly watchHistorySize?: number;
  /** Interval between BOOKMARK events for watches that allow them. Default 10 s. */
  readonly bookmarkIntervalMs?: number;
  /** Watch duration when the client sends no timeoutSeconds. Default 1800 s. */
  readonly watchTimeoutSeconds?: number;
  /** Serve apidiscovery.k8s.io/v2 when asked (as 1.35 does). Default true. */
  readonly aggregatedDiscovery?: boolean;
  /** Create `default` ServiceAccounts and `kube-root-ca.crt` ConfigMaps in namespaces. Default true. */
  readonly seedNamespaceDefaults?: boolean;
  /** Collect dependents through ownerReferences. Default true. */
  readonly garbageCollection?: boolean;
  /**
   * Admit writes as kube-apiserver's OwnerReferencesPermissionEnforcement plugin does (changing
   * ownerReferences needs `delete` on the object, blockOwnerDeletion needs `update` on the owner's
   * finalizers). Default true: stricter than a default kube-apiserver, as hardened clusters are.
   */
  readonly ownerReferencesPermissionEnforcement?: boolean;
  /** Entries kept in the request log. Default 10000. */
  readonly requestLogLimit?: number;
  readonly now?: () => Date;
}

export interface FakeApiServer {
  readonly url: string;
  readonly kubeconfigPath: string;
  readonly kubeconfigYaml: string;
  readonly caPem: string;
  readonly token: string;
  readonly objects: ObjectAccess;
  readonly requests: RequestLog;
  /** Mints a bearer token for a ServiceAccount (as TokenRequest would), for clients that should run under RBAC. */
  serviceAccountToken(namespace: string, name: string): string;
  /** Writes a kubeconfig like the admin one but with `token`; returns its path (removed on close). */
  kubeconfigFor(token: string, name: string): Promise<string>;
  /** The RBAC rules that apply to `user` in `namespace` (for reports of unused permissions). */
  rulesFor(user: UserInfo, namespace: string): GrantedRule[];
  /** The RBAC rules that apply to `user` in any namespace (each with the namespace it applies in). */
  rulesAnywhere(user: UserInfo): GrantedRule[];
  /** Forget the watch history (and consume one resourceVersion): resuming older watches gets 410. */
  expireWatchHistory(): void;
  /** End every open watch (cleanly, or by resetting the connection). Returns how many. */
  dropWatches(options?: { readonly abrupt?: boolean }): number;
  activeWatches(): number;
  /** Resolves once the built-in controllers (CRDs, namespaces, GC) have processed every write. */
  settle(): Promise<void>;
  close(): Promise<void>;
}

function listen(server: Server, port: number): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server.address() as AddressInfo));
  });
}

/** Storage, registry, write pipeline and the controllers that run behind a real API server. */
interface Cluster {
  readonly store: ObjectStore;
  readonly hub: WatchHub;
  readonly registry: ResourceRegistry;
  readonly service: ObjectService;
  readonly queue: WorkQueue;
}

function buildCluster(options: FakeApiServerOptions, caPem: string, now: () => Date): Cluster {
  const store = new ObjectStore();
  const hub = new WatchHub(store, options.watchHistorySize ?? 10_000);
  const registry = new ResourceRegistry();
  registry.replaceOrigin('builtin', builtinResources());
  const service = new ObjectService(store, now);
  const queue = new WorkQueue((key, error) => process.emitWarning(`fake-apiserver controller ${key}: ${String(error)}`));
  const crdType = registry.lookup('apiextensions.k8s.io', 'v1', 'customresourcedefinitions');
  if (crdType === undefined) throw new Error('built-in CRD type missing');
  new CrdController({ store, service, registry, hub, queue }, crdType).start();
  new NamespaceController(store, service, registry, queue, { seedDefaults: options.seedNamespaceDefaults ?? true, caPem }).start();
  if (options.garbageCollection ?? true) new GarbageCollector(store, service, registry, queue).start();
  return { store, hub, registry, service, queue };
}

interface Auth {
  readonly authenticator: Authenticator;
  readonly authorizer: RbacAuthorizer;
}

function routerContext(cluster: Cluster, options: FakeApiServerOptions, auth: Auth, now: () => Date, address: () => string): RouterContext {
  const resources: ResourceContext = {
    ...auth,
    registry: cluster.registry,
    service: cluster.service,
    hub: cluster.hub,
    now,
    currentRevision: () => cluster.store.currentRevision(),
    bookmarkIntervalMs: options.bookmarkIntervalMs ?? 10_000,
    defaultTimeoutSeconds: options.watchTimeoutSeconds ?? 1800,
    ownerReferencesPermissionEnforcement: options.ownerReferencesPermissionEnforcement ?? true,
  };
  return {
    ...auth,
    discovery: new Discovery(cluster.registry, address),
    openapi: new OpenApi(cluster.registry),
    resources,
    requestLog: new RequestLog(options.requestLogLimit ?? 10_000),
    aggregatedDiscovery: options.aggregatedDiscovery ?? true,
  };
}

async function writeKubeconfig(options: FakeApiServerOptions, yaml: string): Promise<{ dir: string; path: string; owned: boolean }> {
  const dir = options.kubeconfigDir ?? (await mkdtemp(join(tmpdir(), 'fake-apiserver-')));
  const path = join(dir, 'kubeconfig');
  await writeFile(path, yaml, { mode: 0o600 });
  return { dir, path, owned: options.kubeconfigDir === undefined };
}

export async function startFakeApiServer(options: FakeApiServerOptions = {}): Promise<FakeApiServer> {
  const now = options.now ?? (() => new Date());
  const token = options.token ?? randomBytes(24).toString('hex');
  const tls = await createTlsMaterial();
  const cluster = buildCluster(options, tls.caPem, now);
  let address = '127.0.0.1:0';
  const auth: Auth = { authenticator: new Authenticator(token), authorizer: new RbacAuthorizer(cluster.store) };
  const context = routerContext(cluster, options, auth, now, () => address);
  const server = createServer({ cert: tls.certPem, key: tls.keyPem }, (req, res) => void route(context, req, res));
  server.keepAliveTimeout = 60_000;
  address = `127.0.0.1:${(await listen(server, options.port ?? 0)).port}`;
  seedCluster(cluster.registry, cluster.service);
  await cluster.queue.idle();
  const url = `https://${address}`;
  const kubeconfigYaml = renderKubeconfig({ server: url, caPem: tls.caPem, token, namespace: options.namespace ?? 'default', contextName: 'fake-apiserver' });
  const kubeconfig = await writeKubeconfig(options, kubeconfigYaml);
  const { hub } = cluster;
  return {
    url,
    kubeconfigPath: kubeconfig.path,
    kubeconfigYaml,
    caPem: tls.caPem,
    token,
    objects: createObjectAccess(cluster.store, cluster.service, cluster.registry, now),
    requests: context.requestLog,
    serviceAccountToken: (namespace, name) => auth.authenticator.mintServiceAccountToken(namespace, name),
    async kubeconfigFor(userToken, name) {
      const path = join(kubeconfig.dir, `kubeconfig-${name}`);
      const yaml = renderKubeconfig({ server: url, caPem: tls.caPem, token: userToken, namespace: options.namespace ?? 'default', contextName: 'fake-apiserver' });
      await writeFile(path, yaml, { mode: 0o600 });
      return path;
    },
    rulesFor: (user, namespace) => auth.authorizer.rulesFor(user, namespace),
    rulesAnywhere: (user) => auth.authorizer.rulesAnywhere(user),
    expireWatchHistory: () => hub.expire(),
    dropWatches: (drop) => hub.closeAll(undefined, drop?.abrupt ?? false),
    activeWatches: () => hub.activeCount(),
    settle: () => cluster.queue.idle(),
    async close() {
      hub.closeAll(undefined, true);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      if (kubeconfig.owned) await rm(kubeconfig.dir, { recursive: true, force: true });
    },
  };
}
