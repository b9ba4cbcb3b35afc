import { describe, expect, it } from 'vitest';
import { helmTemplate, helmTemplateRaw, type Manifest } from '../../support/helm.js';
import { NAMESPACE, bindingsOf, containerOf, only, rolesOf, type PolicyRule, type RbacRole } from './chart-fixtures.js';

/**
 * controller.watchNamespaces: the operator watches the listed namespaces (and the release
 * namespace, where its records live) and its RBAC follows — a Role and RoleBinding per watched
 * namespace for the namespaced kinds, a ClusterRole for the cluster-scoped IPClusterIssuers only.
 */
const GROUP = 'smsgate-ca.sms-gate.app';
const CONTROLLER = 'smsgate-ca-controller';
const SUBJECT = [{ kind: 'ServiceAccount', name: 'smsgate-ca', namespace: NAMESPACE }];

const watching = (watchNamespaces: readonly string[], more: object = {}): Manifest[] => helmTemplate({ values: [{ controller: { watchNamespaces, ...more } }] });

/** Every (group, resource, verb) a role grants, sorted: what the role allows, however its rules are split. */
function grants(role: RbacRole): string[] {
  return role.rules.flatMap((rule: PolicyRule) => (rule.apiGroups ?? []).flatMap((group) => (rule.resources ?? []).flatMap((resource) => rule.verbs.map((verb) => `${group || 'core'}/${resource}: ${verb}`)))).sort();
}

function controllerRoles(manifests: readonly Manifest[]): RbacRole[] {
  return rolesOf(manifests).filter((role) => role.kind === 'Role' && role.metadata.name === CONTROLLER);
}

const NAMESPACED = [
  `${GROUP}/certificaterequests: get`,
  `${GROUP}/certificaterequests: list`,
  `${GROUP}/certificaterequests: watch`,
  `${GROUP}/ipissuers: get`,
  `${GROUP}/ipissuers: list`,
  `${GROUP}/ipissuers: watch`,
  `${GROUP}/certificaterequests/status: patch`,
  `${GROUP}/ipissuers/status: patch`,
  'core/secrets: get',
  'core/secrets: list',
  'core/secrets: watch',
  'core/secrets: create',
  'core/secrets: update',
  'core/secrets: patch',
  'core/events: create',
  'core/events: patch',
  'cert-manager.io/certificaterequests: get',
  'cert-manager.io/certificaterequests: list',
  'cert-manager.io/certificaterequests: watch',
  'cert-manager.io/certificaterequests/status: patch',
].sort();

const RECORDS = [`${GROUP}/certificaterequests: create`, `${GROUP}/certificaterequests: patch`];

describe('controller.watchNamespaces', () => {
  const manifests = watching(['team-a', 'team-b']);

  it('passes --watch-namespace once per listed namespace (the binary adds its own namespace)', () => {
    expect((containerOf(manifests).args ?? []).filter((arg) => arg.startsWith('--watch-namespace'))).toEqual(['--watch-namespace=team-a', '--watch-namespace=team-b']);
  });

  it('renders a Role and RoleBinding with the namespaced kinds in each listed namespace and in the release namespace', () => {
    const roles = controllerRoles(manifests);
    expect(roles.map((role) => role.metadata.namespace)).toEqual(['team-a', 'team-b', NAMESPACE]);
    for (const role of roles.filter((item) => item.metadata.namespace !== NAMESPACE)) expect(grants(role), role.metadata.namespace).toEqual(NAMESPACED);
    // The REST API and ACME create (and label) their records in the release namespace, nowhere else.
    const release = roles.find((role) => role.metadata.namespace === NAMESPACE)!;
    expect(grants(release)).toEqual([...NAMESPACED, ...RECORDS].sort());
    const bindings = bindingsOf(manifests).filter((binding) => binding.kind === 'RoleBinding' && binding.metadata.name === CONTROLLER);
    expect(bindings.map((binding) => [binding.metadata.namespace, binding.roleRef, binding.subjects])).toEqual(
      ['team-a', 'team-b', NAMESPACE].map((namespace) => [namespace, { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: CONTROLLER }, SUBJECT]),
    );
  });

  it('keeps only the cluster-scoped IPClusterIssuers in the ClusterRole', () => {
    expect(grants(only(manifests, 'ClusterRole', CONTROLLER) as RbacRole)).toEqual([`${GROUP}/ipclusterissuers: get`, `${GROUP}/ipclusterissuers: list`, `${GROUP}/ipclusterissuers: watch`, `${GROUP}/ipclusterissuers/status: patch`].sort());
    expect(only(manifests, 'ClusterRoleBinding', CONTROLLER)).toMatchObject({ roleRef: { kind: 'ClusterRole', name: CONTROLLER }, subjects: SUBJECT });
  });

  it('grants Events in `default` (where Events about cluster-scoped IPClusterIssuers go) and nothing else there', () => {
    const events = only(manifests, 'Role', 'smsgate-ca-cluster-events') as RbacRole;
    expect(events.metadata.namespace).toBe('default');
    expect(grants(events)).toEqual(['core/events: create', 'core/events: patch']);
    expect(only(manifests, 'RoleBinding', 'smsgate-ca-cluster-events')).toMatchObject({ metadata: { namespace: 'default' }, subjects: SUBJECT });
    // Watching `default` covers it already.
    expect(rolesOf(watching(['default'])).map((role) => role.metadata.name)).not.toContain('smsgate-ca-cluster-events');
  });

  it('grants get on the Secrets of the cluster resource namespace when it is not watched, and only then', () => {
    expect(rolesOf(manifests).map((role) => role.metadata.name)).not.toContain('smsgate-ca-cluster-issuer-secrets');
    const elsewhere = watching(['team-a'], { clusterResourceNamespace: 'issuer-cas' });
    const secrets = only(elsewhere, 'Role', 'smsgate-ca-cluster-issuer-secrets') as RbacRole;
    expect([secrets.metadata.namespace, grants(secrets)]).toEqual(['issuer-cas', ['core/secrets: get']]);
    expect(controllerRoles(watching(['team-a', 'issuer-cas'], { clusterResourceNamespace: 'issuer-cas' })).map((role) => role.metadata.namespace)).toEqual(['team-a', 'issuer-cas', NAMESPACE]);
  });

  it('lists the release namespace once when it is listed too, and follows certManager and secretOwnerReferences', () => {
    expect(controllerRoles(watching([NAMESPACE, 'team-a'])).map((role) => role.metadata.namespace)).toEqual([NAMESPACE, 'team-a']);
    const plain = controllerRoles(helmTemplate({ values: [{ controller: { watchNamespaces: ['team-a'], secretOwnerReferences: true }, certManager: { enabled: false } }] }));
    const teamA = grants(plain[0]!);
    expect(teamA.filter((grant) => grant.startsWith('cert-manager.io'))).toEqual([]);
    expect(teamA).toContain(`${GROUP}/certificaterequests/finalizers: update`);
  });

  it('empty (the default): one cluster-wide ClusterRole as before, no controller Roles, no --watch-namespace', () => {
    const all = helmTemplate();
    expect(controllerRoles(all)).toEqual([]);
    expect(rolesOf(all).map((role) => role.metadata.name)).not.toEqual(expect.arrayContaining(['smsgate-ca-cluster-events']));
    expect(grants(only(all, 'ClusterRole', CONTROLLER) as RbacRole)).toEqual(
      [...NAMESPACED, ...RECORDS, `${GROUP}/ipclusterissuers: get`, `${GROUP}/ipclusterissuers: list`, `${GROUP}/ipclusterissuers: watch`, `${GROUP}/ipclusterissuers/status: patch`].sort(),
    );
    expect((containerOf(all).args ?? []).some((arg) => arg.startsWith('--watch-namespace'))).toBe(false);
    expect(JSON.stringify(watching([]))).toBe(JSON.stringify(all));
  });

  it('refuses a name that is not a namespace, and a namespace listed twice', () => {
    for (const bad of ['Team-A', 'team_a', '-a', 'a'.repeat(64)]) {
      const result = helmTemplateRaw({ values: [{ controller: { watchNamespaces: ['ok', bad] } }] });
      expect(result.status, bad).not.toBe(0);
      expect(result.stderr).toContain('watchNamespaces');
    }
    expect(helmTemplateRaw({ values: [{ controller: { watchNamespaces: ['a', 'a'] } }] }).stderr).toContain('watchNamespaces');
  });
});
