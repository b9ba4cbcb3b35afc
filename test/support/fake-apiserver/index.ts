/**
 * A faithful Kubernetes API-server double for tests: real kubectl 1.35, helm 4 and
 * @kubernetes/client-node talk to it over HTTPS on 127.0.0.1 with a bearer token.
 *
 *   const server = await startFakeApiServer();
 *   // server.kubeconfigPath / server.kubeconfigYaml → kubectl, helm, KubeConfig.loadFromString
 *   server.objects.create(crd); await server.settle();       // CRDs become served once established
 *   server.objects.setStatus(ref, { conditions: [...] });     // as a controller's /status write
 *   server.expireWatchHistory(); server.dropWatches();        // provoke 410 Gone + informer relist
 *   server.requests.find((e) => e.method === 'PATCH');        // what clients sent
 *   await server.close();
 *
 * `scripts/fake-cluster.mjs` runs the same double as a standalone process.
 */
export { startFakeApiServer } from './fake-api-server.js';
export type { FakeApiServer, FakeApiServerOptions } from './fake-api-server.js';
export type { ObjectAccess, ObjectRef } from './objects/object-access.js';
export type { RequestLog, RequestLogEntry } from './http/request-log.js';
export type { JsonObject, JsonValue } from './core/json-value.js';
export { kubeRequest, openWatch } from './http-client.js';
export type { RawRequest, RawResponse, RawWatch, ServerEndpoint, WatchEvent } from './http-client.js';
export type { UserInfo } from './auth/user-info.js';
export { serviceAccountUser } from './auth/user-info.js';
export type { GrantedRule, PolicyRule } from './auth/rbac-authorizer.js';
export type { RequestAttributes } from './auth/request-attributes.js';
export { describePermission, describeRequest, permissionAllows, permissionsOf, permissionUsage, refusedWithout } from './auth/rbac-usage.js';
export type { Permission, PermissionUse } from './auth/rbac-usage.js';
