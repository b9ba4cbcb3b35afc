import { forbidden } from '../core/api-errors.js';
import { deepEqual, isJsonObject } from '../core/json-value.js';
import type { JsonObject } from '../core/json-value.js';
import { metadataOf, nameOf, namespaceOf } from '../core/object-meta.js';
import type { ResourceRegistry } from '../core/resource-registry.js';
import type { AdmissionAttempt } from '../core/write-options.js';
import type { RbacAuthorizer } from './rbac-authorizer.js';
import type { RequestAttributes } from './request-attributes.js';
import type { UserInfo } from './user-info.js';

/**
 * kube-apiserver's OwnerReferencesPermissionEnforcement admission plugin (plugin/pkg/admission/gc):
 * changing an existing object's ownerReferences needs `delete` on that object, and a new
 * `blockOwnerDeletion: true` reference needs `update` on the owner's `finalizers` subresource.
 * The plugin is not on by default in kube-apiserver but is in many hardened distributions; a client
 * that passes it works with or without it.
 */
const NO_REASON = ': , <nil>'; // the RBAC authorizer gives no reason and no error when it has no opinion

function ownerReferences(obj: JsonObject): JsonObject[] {
  const refs = metadataOf(obj)['ownerReferences'];
  return Array.isArray(refs) ? refs.filter(isJsonObject) : [];
}

function changesOwnerReferences(attempt: AdmissionAttempt): boolean {
  const next = ownerReferences(attempt.object);
  if (attempt.old === undefined) return next.length > 0;
  const old = ownerReferences(attempt.old);
  return old.length !== next.length || old.some((ref, index) => !deepEqual(ref, next[index]!));
}

/** References that block deletion now and did not before (blockOwnerDeletion nil/false → true, or new). */
function newBlockingReferences(attempt: AdmissionAttempt): JsonObject[] {
  const blocking = ownerReferences(attempt.object).filter((ref) => ref['blockOwnerDeletion'] === true);
  if (attempt.old === undefined) return blocking;
  const before = new Map(ownerReferences(attempt.old).map((ref) => [ref['uid'], ref]));
  return blocking.filter((ref) => before.get(ref['uid'])?.['blockOwnerDeletion'] !== true);
}

function groupVersion(apiVersion: string): { group: string; version: string } {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? { group: '', version: apiVersion } : { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1) };
}

export function ownerReferencesAdmission(user: UserInfo, authorizer: RbacAuthorizer, registry: ResourceRegistry, record: (attributes: RequestAttributes) => void): (attempt: AdmissionAttempt) => void {
  const allowed = (attributes: RequestAttributes): boolean => {
    record(attributes);
    return authorizer.authorize(user, attributes).allowed;
  };
  return (attempt) => {
    const { type, subresource, object } = attempt;
    if (type.group === '' && type.resource === 'pods' && subresource === 'status') return;
    if (!changesOwnerReferences(attempt)) return;
    const name = nameOf(object);
    const namespace = type.namespaced ? namespaceOf(object) : '';
    if (attempt.old !== undefined) {
      if (!allowed({ kind: 'resource', verb: 'delete', group: type.group, resource: type.resource, subresource, namespace, name })) throw forbidden(type, name, `cannot set an ownerRef on a resource you can't delete${NO_REASON}`);
    }
    for (const ref of newBlockingReferences(attempt)) {
      const apiVersion = String(ref['apiVersion'] ?? '');
      const kind = String(ref['kind'] ?? '');
      const { group, version } = groupVersion(apiVersion);
      const owner = registry.lookupKind(group, version, kind);
      if (owner === undefined) {
        throw forbidden(type, name, `cannot set blockOwnerDeletion in this case because cannot find RESTMapping for APIVersion ${apiVersion} Kind ${kind}: no matches for kind ${JSON.stringify(kind)} in version ${JSON.stringify(apiVersion)}`);
      }
      const finalizers = { kind: 'resource' as const, verb: 'update', group, resource: owner.resource, subresource: 'finalizers', namespace: owner.namespaced ? namespace : '', name: String(ref['name'] ?? '') };
      if (!allowed(finalizers)) {
        throw forbidden(type, name, `cannot set blockOwnerDeletion if an ownerReference refers to a resource you can't set finalizers on${NO_REASON}`);
      }
    }
  };
}
