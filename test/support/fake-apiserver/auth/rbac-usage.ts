import { ruleAllows } from './rbac-authorizer.js';
import type { GrantedRule } from './rbac-authorizer.js';
import type { RequestAttributes } from './request-attributes.js';

/**
 * Least-privilege accounting over the request log: which granted permissions a client used, which
 * it never used, and which logged requests would have been refused had one permission been missing.
 */

/** One verb on one resource (or non-resource URL) of one granted rule. */
export interface Permission {
  /** The Role or ClusterRole it comes from, e.g. `ClusterRole/smsgate-ca-controller`. */
  readonly source: string;
  /** Namespace it applies in; '' = every namespace (a ClusterRoleBinding). */
  readonly namespace: string;
  readonly verb: string;
  /** '' (the core group) for resources; undefined for non-resource URLs. */
  readonly apiGroup: string | undefined;
  /** `secrets`, `certificaterequests/status`, or a non-resource URL. */
  readonly resource: string;
  readonly resourceNames: readonly string[];
}

export interface PermissionUse {
  readonly permission: Permission;
  /** Logged requests this permission allows (others may allow them too). */
  readonly requests: number;
}

export function permissionsOf(granted: readonly GrantedRule[]): Permission[] {
  const seen = new Map<string, Permission>();
  for (const { rule, source, namespace } of granted) {
    const base = { source, namespace, resourceNames: rule.resourceNames };
    const expanded: Permission[] = rule.nonResourceURLs.length > 0
      ? rule.verbs.flatMap((verb) => rule.nonResourceURLs.map((url) => ({ ...base, verb, apiGroup: undefined, resource: url })))
      : rule.verbs.flatMap((verb) => rule.apiGroups.flatMap((apiGroup) => rule.resources.map((resource) => ({ ...base, verb, apiGroup, resource }))));
    for (const permission of expanded) seen.set(describePermission(permission), permission);
  }
  return [...seen.values()];
}

export function permissionAllows(permission: Permission, attributes: RequestAttributes): boolean {
  if (attributes.kind === 'resource' && permission.namespace !== '' && permission.namespace !== attributes.namespace) return false;
  if ((attributes.kind === 'nonResource') !== (permission.apiGroup === undefined)) return false;
  const single = {
    verbs: [permission.verb],
    apiGroups: permission.apiGroup === undefined ? [] : [permission.apiGroup],
    resources: permission.apiGroup === undefined ? [] : [permission.resource],
    resourceNames: permission.resourceNames,
    nonResourceURLs: permission.apiGroup === undefined ? [permission.resource] : [],
  };
  return ruleAllows(single, attributes);
}

export function permissionUsage(permissions: readonly Permission[], requests: readonly RequestAttributes[]): PermissionUse[] {
  return permissions.map((permission) => ({ permission, requests: requests.filter((request) => permissionAllows(permission, request)).length }));
}

/** The requests no permission but `removed` allows: the 403s a policy without it would have produced. */
export function refusedWithout(removed: Permission, permissions: readonly Permission[], requests: readonly RequestAttributes[]): RequestAttributes[] {
  const others = permissions.filter((permission) => permission !== removed);
  return requests.filter((request) => permissionAllows(removed, request) && !others.some((permission) => permissionAllows(permission, request)));
}

export function describePermission(permission: Permission): string {
  const group = permission.apiGroup === undefined ? 'url' : permission.apiGroup === '' ? 'core' : permission.apiGroup;
  const names = permission.resourceNames.length > 0 ? ` [${permission.resourceNames.join(', ')}]` : '';
  const where = permission.namespace === '' ? 'all namespaces' : `namespace ${permission.namespace}`;
  return `${permission.source}: ${permission.verb} ${group}/${permission.resource}${names} (${where})`;
}

export function describeRequest(request: RequestAttributes): string {
  if (request.kind === 'nonResource') return `${request.verb} ${request.path}`;
  const resource = request.subresource === '' ? request.resource : `${request.resource}/${request.subresource}`;
  const group = request.group === '' ? 'core' : request.group;
  const target = [request.namespace, request.name].filter((part) => part !== '').join('/');
  return `${request.verb} ${group}/${resource}${target === '' ? '' : ` ${target}`}`;
}
