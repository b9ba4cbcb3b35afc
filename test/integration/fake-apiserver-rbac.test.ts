import 'reflect-metadata'; // the API-server double's TLS material uses @peculiar/x509 (tsyringe needs the polyfill first)
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeApiServer, type FakeApiServer } from '../support/fake-apiserver/index.js';
import { CHART_DIR, helmAsync, helmTemplate, kubectlAsync, REPO_ROOT, type Manifest } from '../support/helm.js';

/**
 * The double authorizes every request with RBAC over what is stored in it. With the chart installed
 * (as the system:masters admin), `kubectl auth can-i --as` answers for the chart's ServiceAccount
 * exactly as the rules of the rendered chart say: every verb a bound (Cluster)Role grants is a yes,
 * every other verb on the same resources a no, names outside `resourceNames` a no (cert-manager's CRDs
 * are installed, as in a cluster where the operator is a cert-manager issuer). The cases are read
 * from `helm template` output, so they follow the chart. A token the double mints for that
 * ServiceAccount gets kube-apiserver's 403 for what the chart does not grant.
 */
const NAMESPACE = 'smsgate-ca';
const SA = `system:serviceaccount:${NAMESPACE}:smsgate-ca`;
const SETTINGS = ['trust.configMap.enabled=true'];
const VERBS = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'];
/** The verbs a subresource such as status or finalizers is served with. */
const SUBRESOURCE_VERBS = ['get', 'update', 'patch'];

interface Rule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
  resourceNames?: string[];
}
type Role = Manifest & { rules: Rule[] };
type Binding = Manifest & { roleRef: { kind: string; name: string }; subjects: Array<{ kind: string; name: string; namespace?: string }> };

/** A rule as it applies to the ServiceAccount: in one namespace, or ('') in all. */
interface BoundRule extends Rule {
  namespace: string;
}

interface Question {
  verb: string;
  group: string;
  resource: string;
  name: string;
  namespace: string;
}

/** The rules of the rendered chart that its bindings give the ServiceAccount. */
function boundRules(manifests: readonly Manifest[]): BoundRule[] {
  const roles = manifests.filter((m): m is Role => m.kind === 'Role' || m.kind === 'ClusterRole');
  const bindings = manifests.filter((m): m is Binding => m.kind === 'RoleBinding' || m.kind === 'ClusterRoleBinding');
  return bindings
    .filter((binding) => binding.subjects.some((s) => s.kind === 'ServiceAccount' && `system:serviceaccount:${s.namespace ?? binding.metadata.namespace}:${s.name}` === SA))
    .flatMap((binding) => {
      const role = roles.find((r) => r.kind === binding.roleRef.kind && r.metadata.name === binding.roleRef.name);
      expect(role, `${binding.kind} ${binding.metadata.name} → ${binding.roleRef.kind} ${binding.roleRef.name}`).toBeDefined();
      return role!.rules.map((rule) => ({ ...rule, namespace: binding.kind === 'RoleBinding' ? (binding.metadata.namespace ?? '') : '' }));
    });
}

/** What the rendered rules say: some bound rule lists the verb, group, resource and (if it names any) the name. */
function chartSays(rules: readonly BoundRule[], q: Question): 'yes' | 'no' {
  const granted = rules.some(
    (rule) =>
      (rule.namespace === '' || rule.namespace === q.namespace) &&
      rule.verbs.includes(q.verb) &&
      rule.apiGroups.includes(q.group) &&
      rule.resources.includes(q.resource) &&
      (rule.resourceNames === undefined || rule.resourceNames.includes(q.name)),
  );
  return granted ? 'yes' : 'no';
}

/** Every standard verb on every resource the chart mentions, by name where it names any, and by another name. */
function questions(rules: readonly BoundRule[]): Question[] {
  const asked = new Map<string, Question>();
  for (const rule of rules) {
    const namespace = rule.namespace === '' ? 'default' : rule.namespace;
    const names = [...(rule.resourceNames ?? []), ''];
    for (const group of rule.apiGroups) {
      for (const resource of rule.resources) {
        for (const verb of resource.includes('/') ? SUBRESOURCE_VERBS : VERBS) {
          for (const name of names) {
            const nameless = name === '' && rule.resourceNames !== undefined ? 'somebody-else' : name;
            const q = { verb, group, resource, name: nameless, namespace };
            asked.set(JSON.stringify(q), q);
          }
        }
      }
    }
  }
  return [...asked.values()];
}

function canIArgs(q: Question): string[] {
  const [resource, subresource] = q.resource.split('/');
  const qualified = q.group === '' ? resource! : `${resource}.${q.group}`;
  return [q.verb, q.name === '' ? qualified : `${qualified}/${q.name}`, ...(subresource ? [`--subresource=${subresource}`] : []), '-n', q.namespace];
}

async function inBatches<T, R>(items: readonly T[], size: number, run: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = [];
  for (let start = 0; start < items.length; start += size) results.push(...(await Promise.all(items.slice(start, start + size).map(run))));
  return results;
}

let cluster: FakeApiServer;
let rules: BoundRule[];

beforeAll(async () => {
  rules = boundRules(helmTemplate({ namespace: NAMESPACE, set: SETTINGS }));
  cluster = await startFakeApiServer();
  const certManager = await kubectlAsync(['apply', '-f', join(REPO_ROOT, 'test/fixtures/cert-manager')], cluster.kubeconfigPath);
  expect(certManager.status, certManager.stderr).toBe(0);
  const install = await helmAsync(['install', 'smsgate-ca', CHART_DIR, '--namespace', NAMESPACE, '--create-namespace', ...SETTINGS.flatMap((s) => ['--set', s])], cluster.kubeconfigPath);
  expect(install.status, install.stderr).toBe(0);
});

afterAll(async () => {
  await cluster?.close();
});

describe('RBAC in the API-server double', () => {
  it(`kubectl auth can-i --as ${SA} answers every verb on every resource of the rendered chart as its rules say`, async () => {
    const asked = questions(rules);
    const answers = await inBatches(asked, 4, async (q) => {
      const result = await kubectlAsync(['auth', 'can-i', '--as', SA, ...canIArgs(q)], cluster.kubeconfigPath);
      return `${canIArgs(q).join(' ')} → ${result.stdout.trim() || result.stderr.trim()}`;
    });
    const expected = asked.map((q) => `${canIArgs(q).join(' ')} → ${chartSays(rules, q)}`);
    expect(answers).toEqual(expected);
    // The matrix has both answers, including the named Lease and a name outside resourceNames.
    expect(expected.filter((line) => line.endsWith('yes')).length).toBeGreaterThan(10);
    expect(expected).toContain(`update leases.coordination.k8s.io/smsgate-ca-leader -n ${NAMESPACE} → yes`);
    expect(expected).toContain(`update leases.coordination.k8s.io/somebody-else -n ${NAMESPACE} → no`);
    expect(expected).toContain('delete secrets -n default → no');
  });

  it('answers for resources the chart does not mention with no', async () => {
    for (const args of [['get', 'pods', '-n', NAMESPACE], ['create', 'leases.coordination.k8s.io', '-n', 'default'], ['list', 'configmaps', '-n', 'default']]) {
      const result = await kubectlAsync(['auth', 'can-i', '--as', SA, ...args], cluster.kubeconfigPath);
      expect(`${args.join(' ')} → ${result.stdout.trim()}`).toBe(`${args.join(' ')} → no`);
    }
  });

  it('answers can-i for the admin (system:masters) with yes', async () => {
    const result = await kubectlAsync(['auth', 'can-i', 'delete', 'nodes'], cluster.kubeconfigPath);
    expect(result.stdout.trim()).toBe('yes');
  });

  it('refuses a ServiceAccount token what its Roles do not grant, with kube-apiserver\'s 403', async () => {
    const kubeconfig = await cluster.kubeconfigFor(cluster.serviceAccountToken(NAMESPACE, 'smsgate-ca'), 'sa');
    const allowed = await kubectlAsync(['get', 'certificaterequests.smsgate-ca.sms-gate.app', '-A'], kubeconfig);
    expect(allowed.status, allowed.stderr).toBe(0);
    const denied = await kubectlAsync(['delete', 'secret', 'smsgate-ca-ca', '-n', NAMESPACE], kubeconfig);
    expect(denied.status).not.toBe(0);
    expect(denied.stderr).toContain(`secrets "smsgate-ca-ca" is forbidden: User "${SA}" cannot delete resource "secrets" in API group "" in the namespace "${NAMESPACE}"`);
    const whoami = await kubectlAsync(['auth', 'whoami', '-o', 'jsonpath={.status.userInfo.username}'], kubeconfig);
    expect(whoami.stdout).toBe(SA);
  });

  it('mints a token with kubectl create token (a protobuf TokenRequest) that authenticates as the ServiceAccount', async () => {
    const created = await kubectlAsync(['create', 'token', 'smsgate-ca', '-n', NAMESPACE, '--duration=10m'], cluster.kubeconfigPath);
    expect(created.status, created.stderr).toBe(0);
    const posts = cluster.requests.find((e) => e.method === 'POST' && e.path === `/api/v1/namespaces/${NAMESPACE}/serviceaccounts/smsgate-ca/token`);
    expect(posts.map((e) => [e.contentType, e.status])).toEqual([['application/vnd.kubernetes.protobuf', 201]]);
    const kubeconfig = await cluster.kubeconfigFor(created.stdout.trim(), 'created-token');
    const whoami = await kubectlAsync(['auth', 'whoami', '-o', 'jsonpath={.status.userInfo.username}'], kubeconfig);
    expect(whoami.stdout).toBe(SA);
  });

  it('needs the impersonate verb: the ServiceAccount cannot --as the admin', async () => {
    const kubeconfig = await cluster.kubeconfigFor(cluster.serviceAccountToken(NAMESPACE, 'smsgate-ca'), 'sa2');
    const result = await kubectlAsync(['auth', 'can-i', 'get', 'pods', '--as', 'fake-admin'], kubeconfig);
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain(`users "fake-admin" is forbidden: User "${SA}" cannot impersonate resource "users" in API group "" at the cluster scope`);
  });

  it('admits ownerReferences as OwnerReferencesPermissionEnforcement does: blockOwnerDeletion needs update on the owner\'s finalizers', async () => {
    const admin = (...args: string[]) => kubectlAsync(args, cluster.kubeconfigPath);
    for (const args of [
      ['create', 'serviceaccount', 'writer', '-n', 'default'],
      ['create', 'configmap', 'owner', '-n', 'default'],
      ['create', 'role', 'writer', '-n', 'default', '--verb=get,create,update,patch', '--resource=secrets'],
      ['create', 'rolebinding', 'writer', '-n', 'default', '--role=writer', '--serviceaccount=default:writer'],
    ]) {
      const result = await admin(...args);
      expect(result.status, result.stderr).toBe(0);
    }
    const owner = JSON.parse((await admin('get', 'configmap', 'owner', '-n', 'default', '-o', 'json')).stdout) as { metadata: { uid: string } };
    const kubeconfig = await cluster.kubeconfigFor(cluster.serviceAccountToken('default', 'writer'), 'writer');
    const secret = (name: string, block: boolean) => {
      const ownerReferences = [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'owner', uid: owner.metadata.uid, blockOwnerDeletion: block }];
      return JSON.stringify({ apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace: 'default', ownerReferences } });
    };
    const create = async (manifest: string) => {
      const file = join(cluster.kubeconfigPath, '..', 'owned-secret.json');
      await writeFile(file, manifest);
      return kubectlAsync(['create', '-f', file], kubeconfig);
    };

    const blocked = await create(secret('blocking', true));
    expect(blocked.stderr).toContain('secrets "blocking" is forbidden: cannot set blockOwnerDeletion if an ownerReference refers to a resource you can\'t set finalizers on: , <nil>');
    const plain = await create(secret('plain', false));
    expect(plain.status, plain.stderr).toBe(0); // creating with an ownerReference needs no delete: the creator could have not created it

    const grant = await admin('create', 'role', 'owner-finalizers', '-n', 'default', '--verb=update', '--resource=configmaps/finalizers');
    expect(grant.status, grant.stderr).toBe(0);
    expect((await admin('create', 'rolebinding', 'owner-finalizers', '-n', 'default', '--role=owner-finalizers', '--serviceaccount=default:writer')).status).toBe(0);
    const allowed = await create(secret('blocking', true));
    expect(allowed.status, allowed.stderr).toBe(0);

    const orphaned = await kubectlAsync(['patch', 'secret', 'plain', '-n', 'default', '--type=json', '-p', '[{"op":"remove","path":"/metadata/ownerReferences"}]'], kubeconfig);
    expect(orphaned.stderr).toContain('secrets "plain" is forbidden: cannot set an ownerRef on a resource you can\'t delete: , <nil>');
  });
});
