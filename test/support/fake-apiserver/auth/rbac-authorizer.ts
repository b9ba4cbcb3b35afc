import { getPath, isJsonObject } from '../core/json-value.js';
import type { JsonObject } from '../core/json-value.js';
import { labelsOf, nameOf, namespaceOf } from '../core/object-meta.js';
import type { ObjectStore } from '../storage/object-store.js';
import type { RequestAttributes } from './request-attributes.js';
import type { UserInfo } from './user-info.js';

/**
 * The RBAC authorizer over the Roles, ClusterRoles (with label-selected aggregation), RoleBindings
 * and ClusterRoleBindings stored in the double, plus what kube-apiserver's bootstrap policy gives
 * every authenticated user (system:discovery, system:basic-user, system:public-info-viewer).
 * system:masters may do anything, as the API server's own authorizer grants.
 */
export interface PolicyRule {
  readonly verbs: readonly string[];
  readonly apiGroups: readonly string[];
  readonly resources: readonly string[];
  readonly resourceNames: readonly string[];
  readonly nonResourceURLs: readonly string[];
}

/** A rule with where it came from, for reports of which rules a client used. */
export interface GrantedRule {
  readonly rule: PolicyRule;
  /** e.g. `ClusterRole/smsgate-ca-controller` or `Role/smsgate-ca/smsgate-ca-ca`. */
  readonly source: string;
  /** Namespace the rule applies in ('' = every namespace). */
  readonly namespace: string;
}

const rule = (partial: Partial<PolicyRule>): PolicyRule => ({ verbs: [], apiGroups: [], resources: [], resourceNames: [], nonResourceURLs: [], ...partial });

const AUTHENTICATED_DEFAULTS: readonly GrantedRule[] = [
  { source: 'ClusterRole/system:discovery', namespace: '', rule: rule({ verbs: ['get'], nonResourceURLs: ['/api', '/api/*', '/apis', '/apis/*', '/healthz', '/livez', '/openapi', '/openapi/*', '/readyz', '/version', '/version/'] }) },
  { source: 'ClusterRole/system:basic-user', namespace: '', rule: rule({ verbs: ['create'], apiGroups: ['authorization.k8s.io'], resources: ['selfsubjectaccessreviews', 'selfsubjectrulesreviews'] }) },
  { source: 'ClusterRole/system:basic-user', namespace: '', rule: rule({ verbs: ['create'], apiGroups: ['authentication.k8s.io'], resources: ['selfsubjectreviews'] }) },
];

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

function rulesOf(role: JsonObject): PolicyRule[] {
  const rules = role['rules'];
  if (!Array.isArray(rules)) return [];
  return rules.filter(isJsonObject).map((r) =>
    rule({ verbs: strings(r['verbs']), apiGroups: strings(r['apiGroups']), resources: strings(r['resources']), resourceNames: strings(r['resourceNames']), nonResourceURLs: strings(r['nonResourceURLs']) }),
  );
}

function subjectMatches(subject: JsonObject, user: UserInfo, bindingNamespace: string): boolean {
  const name = subject['name'];
  switch (subject['kind']) {
    case 'User':
      return name === user.username;
    case 'Group':
      return typeof name === 'string' && user.groups.includes(name);
    case 'ServiceAccount': {
      const namespace = typeof subject['namespace'] === 'string' && subject['namespace'] !== '' ? subject['namespace'] : bindingNamespace;
      return user.username === `system:serviceaccount:${namespace}:${String(name)}`;
    }
    default:
      return false;
  }
}

function matchesSelector(labels: Readonly<Record<string, string>>, selector: JsonObject): boolean {
  const matchLabels = isJsonObject(selector['matchLabels']) ? selector['matchLabels'] : {};
  return Object.entries(matchLabels).every(([key, value]) => labels[key] === value);
}

function ruleAllows(granted: PolicyRule, attributes: RequestAttributes): boolean {
  const verbOk = granted.verbs.includes('*') || granted.verbs.includes(attributes.verb);
  if (!verbOk) return false;
  if (attributes.kind === 'nonResource') {
    return granted.nonResourceURLs.some((url) => url === '*' || url === attributes.path || (url.endsWith('*') && attributes.path.startsWith(url.slice(0, -1))));
  }
  if (!(granted.apiGroups.includes('*') || granted.apiGroups.includes(attributes.group))) return false;
  const combined = attributes.subresource === '' ? attributes.resource : `${attributes.resource}/${attributes.subresource}`;
  const resourceOk = granted.resources.some((r) => r === '*' || r === combined || (attributes.subresource !== '' && r === `*/${attributes.subresource}`));
  if (!resourceOk) return false;
  return granted.resourceNames.length === 0 || granted.resourceNames.includes(attributes.name);
}

export class RbacAuthorizer {
  constructor(private readonly store: ObjectStore) {}

  /** Every rule that applies to `user` in `namespace` (cluster-wide rules included). */
  rulesFor(user: UserInfo, namespace: string): GrantedRule[] {
    return [...this.clusterWideRules(user), ...(namespace === '' ? [] : this.namespaceRules(user, namespace))];
  }

  /** Every rule that applies to `user` anywhere: cluster-wide ones and those bound in each namespace. */
  rulesAnywhere(user: UserInfo): GrantedRule[] {
    const namespaces = new Set(this.store.list('rbac.authorization.k8s.io/rolebindings', undefined).map(namespaceOf));
    return [...this.clusterWideRules(user), ...[...namespaces].sort().flatMap((namespace) => this.namespaceRules(user, namespace))];
  }

  private clusterWideRules(user: UserInfo): GrantedRule[] {
    const granted: GrantedRule[] = user.groups.includes('system:authenticated') ? [...AUTHENTICATED_DEFAULTS] : [];
    for (const binding of this.store.list('rbac.authorization.k8s.io/clusterrolebindings', undefined)) {
      if (this.bound(binding, user, '')) granted.push(...this.roleRules(binding, ''));
    }
    return granted;
  }

  private namespaceRules(user: UserInfo, namespace: string): GrantedRule[] {
    return this.store
      .list('rbac.authorization.k8s.io/rolebindings', namespace)
      .filter((binding) => this.bound(binding, user, namespace))
      .flatMap((binding) => this.roleRules(binding, namespace));
  }

  /** The rule that allows the request, or undefined (denied). system:masters is allowed with no rule. */
  authorize(user: UserInfo, attributes: RequestAttributes): { allowed: boolean; by?: GrantedRule } {
    if (user.groups.includes('system:masters')) return { allowed: true };
    const namespace = attributes.kind === 'resource' ? attributes.namespace : '';
    const by = this.rulesFor(user, namespace).find((granted) => ruleAllows(granted.rule, attributes));
    return by === undefined ? { allowed: false } : { allowed: true, by };
  }

  private bound(binding: JsonObject, user: UserInfo, namespace: string): boolean {
    const subjects = binding['subjects'];
    return Array.isArray(subjects) && subjects.filter(isJsonObject).some((subject) => subjectMatches(subject, user, namespace));
  }

  private roleRules(binding: JsonObject, namespace: string): GrantedRule[] {
    const kind = getPath(binding, ['roleRef', 'kind']);
    const name = String(getPath(binding, ['roleRef', 'name']) ?? '');
    if (kind === 'Role') {
      const role = this.store.get('rbac.authorization.k8s.io/roles', namespace, name);
      return role === undefined ? [] : rulesOf(role).map((r) => ({ rule: r, source: `Role/${namespaceOf(role)}/${name}`, namespace }));
    }
    const clusterRole = this.store.get('rbac.authorization.k8s.io/clusterroles', '', name);
    if (clusterRole === undefined) return [];
    return this.clusterRoleRules(clusterRole).map((r) => ({ rule: r.rule, source: r.source, namespace }));
  }

  /** A ClusterRole's rules; with an aggregationRule, the rules of the ClusterRoles its selectors match. */
  private clusterRoleRules(role: JsonObject): { rule: PolicyRule; source: string }[] {
    const own = rulesOf(role).map((r) => ({ rule: r, source: `ClusterRole/${nameOf(role)}` }));
    const selectors = getPath(role, ['aggregationRule', 'clusterRoleSelectors']);
    if (!Array.isArray(selectors)) return own;
    const aggregated = this.store
      .list('rbac.authorization.k8s.io/clusterroles', undefined)
      .filter((candidate) => nameOf(candidate) !== nameOf(role) && selectors.filter(isJsonObject).some((selector) => matchesSelector(labelsOf(candidate), selector)))
      .flatMap((candidate) => rulesOf(candidate).map((r) => ({ rule: r, source: `ClusterRole/${nameOf(candidate)}` })));
    return [...own, ...aggregated];
  }
}

export { ruleAllows };
