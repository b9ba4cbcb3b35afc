import 'reflect-metadata'; // the API-server double's TLS material uses @peculiar/x509 (tsyringe needs the polyfill first)
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { startFakeApiServer, type FakeApiServer } from '../support/fake-apiserver/index.js';
import { CHART_DIR, CRDS_DIR, helmAsync, kubectlAsync, type CommandResult } from '../support/helm.js';

const NAMESPACE = 'smsgate-ca';
const RELEASE = 'smsgate-ca';
const CRD_NAMES = ['certificaterequests.smsgate-ca.sms-gate.app', 'ipclusterissuers.smsgate-ca.sms-gate.app', 'ipissuers.smsgate-ca.sms-gate.app'];

// What the default install creates, as kubectl names it.
const CLUSTER_OBJECTS = [
  'clusterrole/smsgate-ca-controller',
  'clusterrole/smsgate-ca-cert-manager-approver',
  'clusterrole/smsgate-ca-view',
  'clusterrole/smsgate-ca-edit',
  'clusterrolebinding/smsgate-ca-controller',
  'clusterrolebinding/smsgate-ca-cert-manager-approver',
];
const NAMESPACED_OBJECTS = [
  'deployment/smsgate-ca',
  'service/smsgate-ca',
  'serviceaccount/smsgate-ca',
  'role/smsgate-ca-ca',
  'role/smsgate-ca-leader-election',
  'rolebinding/smsgate-ca-ca',
  'rolebinding/smsgate-ca-leader-election',
  'poddisruptionbudget/smsgate-ca',
];

function ok(result: CommandResult, what: string): string {
  expect(result.status, `${what}\n${result.stderr}`).toBe(0);
  return result.stdout;
}

async function kubectl(cluster: FakeApiServer, args: readonly string[]): Promise<string> {
  return ok(await kubectlAsync(args, cluster.kubeconfigPath), `kubectl ${args.join(' ')}`);
}

async function helm(cluster: FakeApiServer, args: readonly string[]): Promise<string> {
  return ok(await helmAsync(args, cluster.kubeconfigPath), `helm ${args.join(' ')}`);
}

/** The refs among `refs` that exist (namespaced ones in `namespace`). */
async function existing(cluster: FakeApiServer, refs: readonly string[], namespace?: string): Promise<string[]> {
  const found: string[] = [];
  for (const ref of refs) {
    const out = await kubectl(cluster, ['get', ref, '--ignore-not-found', '-o', 'name', ...(namespace ? ['-n', namespace] : [])]);
    if (out.trim() !== '') found.push(ref);
  }
  return found;
}

const crdRefs = CRD_NAMES.map((name) => `crd/${name}`);

function install(cluster: FakeApiServer, ...set: string[]): Promise<string> {
  const args = ['install', RELEASE, CHART_DIR, '--namespace', NAMESPACE, '--create-namespace', '--timeout', '60s'];
  return helm(cluster, [...args, ...set.flatMap((item) => ['--set', item])]);
}

function uninstall(cluster: FakeApiServer): Promise<string> {
  return helm(cluster, ['uninstall', RELEASE, '--namespace', NAMESPACE, '--timeout', '60s']);
}

describe('helm install / uninstall against the API-server double', () => {
  let cluster: FakeApiServer;

  beforeAll(async () => {
    cluster = await startFakeApiServer();
  });
  afterAll(async () => {
    await cluster?.close();
  });

  it('installs the release: Deployment, Service, ServiceAccount, RBAC, PDB and CRDs are there', async () => {
    await install(cluster);
    expect(await existing(cluster, CLUSTER_OBJECTS)).toEqual(CLUSTER_OBJECTS);
    expect(await existing(cluster, NAMESPACED_OBJECTS, NAMESPACE)).toEqual(NAMESPACED_OBJECTS);
    expect(await existing(cluster, crdRefs)).toEqual(crdRefs);
    const list = JSON.parse(await helm(cluster, ['list', '-n', NAMESPACE, '-o', 'json'])) as { name: string; status: string }[];
    expect(list).toEqual([expect.objectContaining({ name: RELEASE, status: 'deployed' })]);
  });

  it('installed the hardened Deployment and the approver rule as rendered', async () => {
    const deployment = JSON.parse(await kubectl(cluster, ['get', 'deployment/smsgate-ca', '-n', NAMESPACE, '-o', 'json'])) as {
      spec: { template: { spec: { securityContext: object; containers: { args: string[]; securityContext: object }[] } } };
    };
    const pod = deployment.spec.template.spec;
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 65532, seccompProfile: { type: 'RuntimeDefault' } });
    expect(pod.containers[0]?.securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false });
    expect(pod.containers[0]?.args).toEqual(expect.arrayContaining(['--controller', '--leader-elect', '--store=kubernetes']));
    const approver = JSON.parse(await kubectl(cluster, ['get', 'clusterrole/smsgate-ca-cert-manager-approver', '-o', 'json'])) as { rules: unknown[] };
    expect(approver.rules).toEqual([
      expect.objectContaining({
        resources: ['signers'],
        verbs: ['approve'],
        resourceNames: ['ipissuers.smsgate-ca.sms-gate.app/*', 'ipclusterissuers.smsgate-ca.sms-gate.app/*'],
      }),
    ]);
  });

  it('serves the installed CRDs: kubectl creates and lists CertificateRequests with the printer columns', async () => {
    const manifest = join(cluster.kubeconfigPath, '..', 'nas.yaml');
    writeFileSync(
      manifest,
      [
        'apiVersion: smsgate-ca.sms-gate.app/v1alpha1',
        'kind: CertificateRequest',
        'metadata: {name: nas, namespace: default}',
        'spec: {type: private_server, ipAddresses: [192.168.1.10], secretName: nas-tls}',
      ].join('\n'),
    );
    await kubectl(cluster, ['apply', '-f', manifest]);
    const table = await kubectl(cluster, ['get', 'ipcr', '-n', 'default']);
    expect(table.split('\n')[0]?.split(/\s+/).filter(Boolean)).toEqual(['NAME', 'READY', 'SECRET', 'IPS', 'EXPIRES', 'AGE']);
    expect(table).toContain('nas-tls');
  });

  it('uninstalls: the release objects are gone, the CRDs (crds.keep) and the CertificateRequest stay', async () => {
    await uninstall(cluster);
    expect(await existing(cluster, CLUSTER_OBJECTS)).toEqual([]);
    expect(await existing(cluster, NAMESPACED_OBJECTS, NAMESPACE)).toEqual([]);
    expect(await existing(cluster, crdRefs)).toEqual(crdRefs);
    expect(await existing(cluster, ['certificaterequests.smsgate-ca.sms-gate.app/nas'], 'default')).toHaveLength(1);
  });
});

describe('helm install with crds.keep=false, and with crds.enabled=false', () => {
  let cluster: FakeApiServer;

  beforeAll(async () => {
    cluster = await startFakeApiServer();
  });
  afterAll(async () => {
    await cluster?.close();
  });

  it('removes the CRDs on uninstall when crds.keep=false', async () => {
    await install(cluster, 'crds.keep=false');
    expect(await existing(cluster, crdRefs)).toEqual(crdRefs);
    await uninstall(cluster);
    expect(await existing(cluster, crdRefs)).toEqual([]);
  });

  it('installs beside CRDs applied from crds/ with crds.enabled=false, leaving them to their owner', async () => {
    await kubectl(cluster, ['apply', '-f', CRDS_DIR]);
    await install(cluster, 'crds.enabled=false');
    expect(await existing(cluster, ['deployment/smsgate-ca'], NAMESPACE)).toHaveLength(1);
    const crd = parse(await kubectl(cluster, ['get', crdRefs[0]!, '-o', 'yaml'])) as { metadata: { labels?: Record<string, string> } };
    expect(crd.metadata.labels?.['app.kubernetes.io/managed-by']).toBeUndefined();
    await uninstall(cluster);
    expect(await existing(cluster, crdRefs)).toEqual(crdRefs);
  });
});
