import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { API_GROUP } from '../../src/custom-resources/crd-types.js';
import { CRD_DIR, crdFiles, installCrds } from '../support/controller-harness.js';
import { kubeRequest, startFakeApiServer, type FakeApiServer, type JsonObject } from '../support/fake-apiserver/index.js';
import { AGGREGATED_DISCOVERY_TYPE } from '../support/fake-apiserver/http/discovery.js';
import { isolatedToolEnv, kubeTools, runTool } from '../support/kube-tools.js';
import { CERT_MANAGER_FIXTURES } from '../unit/crds/cert-manager-crds.js';

/**
 * Both CRD sets installed — cert-manager's real CRDs and ours — and real kubectl 1.35 asked for
 * `certificaterequests` and `cr`: cert-manager users must get cert-manager's, while ours stay
 * reachable by full name and short name. CRD groups all have GroupPriorityMinimum 1000, so the
 * order kubectl sees is the server's tie-break: by group name in aggregated discovery, by APIService
 * name (`<version>.<group>`) in the legacy /apis list.
 */

const CERT_MANAGER_CRDS = ['cert-manager.io_certificaterequests.yaml', 'cert-manager.io_certificates.yaml', 'cert-manager.io_issuers.yaml', 'cert-manager.io_clusterissuers.yaml'];
const OLD_GROUP = 'ca.sms-gate.app';

interface Cluster {
  readonly server: FakeApiServer;
  readonly home: string;
  kubectl(...args: string[]): Promise<string>;
}

async function startCluster(aggregatedDiscovery: boolean): Promise<Cluster> {
  const server = await startFakeApiServer({ aggregatedDiscovery });
  const home = await mkdtemp(join(tmpdir(), 'smsgate-ca-group-order-'));
  const env = isolatedToolEnv(server.kubeconfigPath, home);
  return {
    server,
    home,
    async kubectl(...args) {
      const result = await runTool(kubeTools().kubectl, args, env);
      if (result.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed (${result.code}): ${result.stderr}`);
      return result.stdout;
    },
  };
}

async function installBoth(cluster: Cluster, ourCrdFiles: readonly string[]): Promise<void> {
  await installCrds(cluster.server, [...CERT_MANAGER_CRDS.map((file) => join(CERT_MANAGER_FIXTURES, file)), ...ourCrdFiles]);
  const csr = Buffer.from('-----BEGIN CERTIFICATE REQUEST-----\nMA==\n-----END CERTIFICATE REQUEST-----\n').toString('base64');
  cluster.server.objects.create({
    apiVersion: 'cert-manager.io/v1',
    kind: 'CertificateRequest',
    metadata: { name: 'from-cert-manager', namespace: 'default' },
    spec: { request: csr, issuerRef: { name: 'ca', kind: 'Issuer' } },
  });
}

async function createOurs(cluster: Cluster, group: string): Promise<void> {
  cluster.server.objects.create({
    apiVersion: `${group}/v1alpha1`,
    kind: 'CertificateRequest',
    metadata: { name: 'from-smsgate-ca', namespace: 'default' },
    spec: { ipAddresses: ['10.0.0.5'], secretName: 'web-tls' },
  });
}

/** What `kubectl get RESOURCE -o name` lists: `certificaterequest.<group>/<name>` lines. */
async function names(cluster: Cluster, resource: string): Promise<string[]> {
  return (await cluster.kubectl('get', resource, '-n', 'default', '-o', 'name')).trim().split('\n');
}

/** Our CertificateRequest CRD as it was under the old group, written to a temporary file. */
async function crdUnderGroup(dir: string, group: string): Promise<string> {
  const crd = parse(await readFile(join(CRD_DIR, `${API_GROUP}_certificaterequests.yaml`), 'utf8')) as JsonObject;
  const text = stringify(crd).replaceAll(API_GROUP, group);
  const file = join(dir, `${group}_certificaterequests.yaml`);
  await writeFile(file, text);
  return file;
}

describe.each([
  { discovery: 'aggregated (apidiscovery.k8s.io/v2)', aggregated: true },
  { discovery: 'legacy (/apis APIGroupList)', aggregated: false },
])('kubectl 1.35 with cert-manager and smsgate-ca CRDs, $discovery discovery', ({ aggregated }) => {
  let cluster: Cluster;

  beforeAll(async () => {
    cluster = await startCluster(aggregated);
    await installBoth(cluster, await crdFiles());
    await createOurs(cluster, API_GROUP);
  });

  afterAll(async () => {
    await cluster?.server.close();
    if (cluster) await rm(cluster.home, { recursive: true, force: true });
  });

  it('lists cert-manager.io before our group', async () => {
    const accept = aggregated ? `${AGGREGATED_DISCOVERY_TYPE},application/json` : 'application/json';
    const response = await kubeRequest(cluster.server, { path: '/apis', accept });
    const list = response.json as { items?: Array<{ metadata: { name: string } }>; groups?: Array<{ name: string }> };
    const order = aggregated ? (list.items ?? []).map((item) => item.metadata.name) : (list.groups ?? []).map((group) => group.name);
    expect(order).toContain('cert-manager.io');
    expect(order.indexOf('cert-manager.io')).toBeLessThan(order.indexOf(API_GROUP));
  });

  it('`kubectl get certificaterequests` and `kubectl get cr` return cert-manager\'s', async () => {
    expect(await names(cluster, 'certificaterequests')).toEqual(['certificaterequest.cert-manager.io/from-cert-manager']);
    expect(await names(cluster, 'certificaterequest')).toEqual(['certificaterequest.cert-manager.io/from-cert-manager']);
    expect(await names(cluster, 'cr')).toEqual(['certificaterequest.cert-manager.io/from-cert-manager']);
    expect(await names(cluster, 'crs')).toEqual(['certificaterequest.cert-manager.io/from-cert-manager']);
  });

  it('ours stay reachable by full name and by short name', async () => {
    const ours = [`certificaterequest.${API_GROUP}/from-smsgate-ca`];
    expect(await names(cluster, `certificaterequests.${API_GROUP}`)).toEqual(ours);
    expect(await names(cluster, `certificaterequests.v1alpha1.${API_GROUP}`)).toEqual(ours);
    expect(await names(cluster, 'ipcr')).toEqual(ours);
    expect(await names(cluster, 'ipcrs')).toEqual(ours);
  });

  it('our issuers answer to their short names, cert-manager\'s to theirs', async () => {
    cluster.server.objects.create({ apiVersion: `${API_GROUP}/v1alpha1`, kind: 'IPIssuer', metadata: { name: 'ours', namespace: 'default' }, spec: {} });
    cluster.server.objects.create({ apiVersion: 'cert-manager.io/v1', kind: 'Issuer', metadata: { name: 'theirs', namespace: 'default' }, spec: { selfSigned: {} } });
    expect(await names(cluster, 'ipiss')).toEqual([`ipissuer.${API_GROUP}/ours`]);
    expect(await names(cluster, 'iss')).toEqual(['issuer.cert-manager.io/theirs']);
    expect(await names(cluster, 'issuers')).toEqual(['issuer.cert-manager.io/theirs']);
  });
});

describe('the double orders discovery as a real API server does', () => {
  // The old group, `ca.sms-gate.app`, reproduces the reported shadowing under aggregated discovery
  // (group names: "ca." < "cert-manager.") but not under the legacy list (APIService names:
  // "v1." < "v1alpha1."), which is why kubectl 1.35 (aggregated first) showed it.
  it.each([
    { aggregated: true, expected: `certificaterequest.${OLD_GROUP}/from-smsgate-ca` },
    { aggregated: false, expected: 'certificaterequest.cert-manager.io/from-cert-manager' },
  ])('with the old group ca.sms-gate.app, aggregated=$aggregated: `kubectl get certificaterequests` → $expected', async ({ aggregated, expected }) => {
    const cluster = await startCluster(aggregated);
    try {
      await installBoth(cluster, [await crdUnderGroup(cluster.home, OLD_GROUP)]);
      await createOurs(cluster, OLD_GROUP);
      expect(await names(cluster, 'certificaterequests')).toEqual([expected]);
    } finally {
      await cluster.server.close();
      await rm(cluster.home, { recursive: true, force: true });
    }
  });
});
