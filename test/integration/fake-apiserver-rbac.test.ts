import 'reflect-metadata'; // the API-server double's TLS material uses @peculiar/x509 (tsyringe needs the polyfill first)
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeApiServer, type FakeApiServer } from '../support/fake-apiserver/index.js';
import { CHART_DIR, helmAsync, kubectlAsync } from '../support/helm.js';

/**
 * The double authorizes every request with RBAC over what is stored in it. With the chart installed
 * (as the system:masters admin), `kubectl auth can-i --as` answers for the chart's ServiceAccount
 * exactly as the chart's Roles and ClusterRoles say, and a token the double mints for that
 * ServiceAccount gets kube-apiserver's 403 for what the chart does not grant.
 */
const NAMESPACE = 'smsgate-ca';
const SA = `system:serviceaccount:${NAMESPACE}:smsgate-ca`;

let cluster: FakeApiServer;

beforeAll(async () => {
  cluster = await startFakeApiServer();
  const install = await helmAsync(['install', 'smsgate-ca', CHART_DIR, '--namespace', NAMESPACE, '--create-namespace'], cluster.kubeconfigPath);
  expect(install.status, install.stderr).toBe(0);
});

afterAll(async () => {
  await cluster?.close();
});

async function canI(...args: string[]): Promise<string> {
  const result = await kubectlAsync(['auth', 'can-i', '--as', SA, ...args], cluster.kubeconfigPath);
  return result.stdout.trim();
}

describe('RBAC in the API-server double', () => {
  const cases: [string[], string][] = [
    [['update', 'certificaterequests.ca.sms-gate.app', '--subresource=status', '-n', 'default'], 'yes'],
    [['watch', 'certificaterequests.ca.sms-gate.app', '--all-namespaces'], 'yes'],
    [['delete', 'certificaterequests.ca.sms-gate.app', '-n', 'default'], 'no'],
    [['update', 'ipissuers.ca.sms-gate.app', '-n', 'default'], 'no'],
    [['create', 'secrets', '-n', 'default'], 'yes'],
    [['delete', 'secrets', '-n', 'default'], 'no'],
    [['update', 'leases.coordination.k8s.io/smsgate-ca-leader', '-n', NAMESPACE], 'yes'],
    [['update', 'leases.coordination.k8s.io/somebody-else', '-n', NAMESPACE], 'no'],
    [['create', 'leases.coordination.k8s.io', '-n', 'default'], 'no'],
    [['update', 'certificaterequests.cert-manager.io', '--subresource=status', '-n', 'default'], 'no'],
    [['get', 'pods', '-n', NAMESPACE], 'no'],
  ];
  for (const [args, answer] of cases) {
    it(`kubectl auth can-i --as ${SA} ${args.join(' ')} → ${answer}`, async () => {
      expect(await canI(...args)).toBe(answer);
    });
  }

  it('answers can-i for the admin (system:masters) with yes', async () => {
    const result = await kubectlAsync(['auth', 'can-i', 'delete', 'nodes'], cluster.kubeconfigPath);
    expect(result.stdout.trim()).toBe('yes');
  });

  it('refuses a ServiceAccount token what its Roles do not grant, with kube-apiserver\'s 403', async () => {
    const kubeconfig = await cluster.kubeconfigFor(cluster.serviceAccountToken(NAMESPACE, 'smsgate-ca'), 'sa');
    const allowed = await kubectlAsync(['get', 'certificaterequests.ca.sms-gate.app', '-A'], kubeconfig);
    expect(allowed.status, allowed.stderr).toBe(0);
    const denied = await kubectlAsync(['delete', 'secret', 'smsgate-ca-ca', '-n', NAMESPACE], kubeconfig);
    expect(denied.status).not.toBe(0);
    expect(denied.stderr).toContain(`secrets "smsgate-ca-ca" is forbidden: User "${SA}" cannot delete resource "secrets" in API group "" in the namespace "${NAMESPACE}"`);
    const whoami = await kubectlAsync(['auth', 'whoami', '-o', 'jsonpath={.status.userInfo.username}'], kubeconfig);
    expect(whoami.stdout).toBe(SA);
  });

  it('needs the impersonate verb: the ServiceAccount cannot --as the admin', async () => {
    const kubeconfig = await cluster.kubeconfigFor(cluster.serviceAccountToken(NAMESPACE, 'smsgate-ca'), 'sa2');
    const result = await kubectlAsync(['auth', 'can-i', 'get', 'pods', '--as', 'fake-admin'], kubeconfig);
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain(`users "fake-admin" is forbidden: User "${SA}" cannot impersonate resource "users" in API group "" at the cluster scope`);
  });
});
