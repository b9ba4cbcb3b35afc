import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildServeConfig, type ServeValues } from '../../src/config/serve-config.js';
import type { AnyIssuer, CertificateRequest } from '../../src/custom-resources/crd-types.js';
import { CERTIFICATE_REQUESTS, IP_CLUSTER_ISSUERS } from '../../src/custom-resources/resource-types.js';
import { secretValue, type ConfigMap, type Secret } from '../../src/kube/core-types.js';
import type { KubeApi } from '../../src/kube/kube-api.js';
import { connectKube, type KubeConnection } from '../../src/kube/kube-connection.js';
import { KubeHttpClient } from '../../src/kube/kube-http-client.js';
import { ResourceClient } from '../../src/kube/resource-client.js';
import { CONFIG_MAPS, EVENTS, SECRETS } from '../../src/kube/resource-types.js';
import { startServer, type RunningCaServer } from '../../src/serve/server.js';
import { silentLogger } from '../../src/telemetry/logger.js';
import { crdFiles, installCrds } from '../support/controller-harness.js';
import { buildCsr, freshKey } from '../support/csr-factory.js';
import { eventually } from '../support/eventually.js';
import { startFakeApiServer, type FakeApiServer } from '../support/fake-apiserver/index.js';
import { httpCall, postJson } from '../support/serve-process.js';

/**
 * In the API-server double: the CA Secret deleted after certificates were issued. The next start
 * makes no new root: serve runs without a CA (503 at submit, /readyz not ready), the issuer that
 * signs with the operator's CA turns Ready=False with a Warning Event — even with a fresh data
 * directory and the CA record gone, the managed Secrets show an earlier CA. --ca-bootstrap makes one.
 */
interface KubeEvent {
  readonly type?: string;
  readonly reason?: string;
  readonly message?: string;
  readonly involvedObject?: { readonly kind?: string; readonly name?: string };
}

let fake: FakeApiServer;
let connection: KubeConnection;
let api: KubeApi;
let home: string;
let server: RunningCaServer | undefined;
let runs = 0;
const secrets = () => new ResourceClient<Secret>(api, SECRETS);

async function start(extra: ServeValues = {}): Promise<RunningCaServer> {
  runs += 1;
  const values: ServeValues = {
    kubeconfig: fake.kubeconfigPath,
    'ca-secret': 'smsgate-ca',
    namespace: 'default',
    'pod-name': `smsgate-ca-${runs}`,
    'data-dir': join(home, `data-${runs}`),
    listen: '127.0.0.1:0',
    'insecure-http': true,
    'acme-disabled': true,
    'rate-limit': '0',
    'log-level': 'silent',
    ...extra,
  };
  server = await startServer(buildServeConfig(values), { logger: silentLogger(), version: 'test' });
  return server;
}

async function stop(): Promise<void> {
  await server?.close();
  server = undefined;
}

function readyCondition(issuer: AnyIssuer | undefined) {
  return issuer?.status?.conditions?.find((condition) => condition.type === 'Ready');
}

beforeAll(async () => {
  fake = await startFakeApiServer();
  await installCrds(fake, await crdFiles());
  connection = await connectKube({ kubeconfigPath: fake.kubeconfigPath });
  api = new KubeHttpClient(connection, { userAgent: 'smsgate-ca-test' });
  home = await mkdtemp(join(tmpdir(), 'smsgate-ca-lost-secret-'));
});

afterEach(stop);

afterAll(async () => {
  await stop();
  connection?.close();
  await fake?.close();
  await rm(home, { recursive: true, force: true });
});

describe('the CA Secret deleted after certificates were issued', () => {
  let oldRoot: string;

  it('first start: creates the CA, signs a CertificateRequest through an IPClusterIssuer of the operator CA', async () => {
    await start();
    const caSecret = await secrets().get('default', 'smsgate-ca');
    oldRoot = secretValue(caSecret, 'ca.crt')!;
    expect(oldRoot).toContain('BEGIN CERTIFICATE');
    await new ResourceClient<AnyIssuer>(api, IP_CLUSTER_ISSUERS).create({ apiVersion: 'smsgate-ca.sms-gate.app/v1alpha1', kind: 'IPClusterIssuer', metadata: { name: 'operator-ca' }, spec: {} });
    await new ResourceClient<CertificateRequest>(api, CERTIFICATE_REQUESTS).create({
      apiVersion: 'smsgate-ca.sms-gate.app/v1alpha1',
      kind: 'CertificateRequest',
      metadata: { name: 'api', namespace: 'default' },
      spec: { ipAddresses: ['10.42.0.7'], secretName: 'api-tls', issuerRef: { kind: 'IPClusterIssuer', name: 'operator-ca' } },
    });
    const issued = await eventually(async () => secrets().get('default', 'api-tls'), 'the certificate Secret', 60_000);
    expect(secretValue(issued, 'ca.crt')).toBe(oldRoot);
    const issuer = await eventually(async () => readyCondition(await new ResourceClient<AnyIssuer>(api, IP_CLUSTER_ISSUERS).get(undefined, 'operator-ca'))?.status === 'True', 'issuer Ready', 60_000);
    expect(issuer).toBe(true);
    expect(await new ResourceClient<ConfigMap>(api, CONFIG_MAPS).get('default', 'smsgate-ca-record')).toBeDefined();
  });

  it('next start without the Secret: no new root, 503 at submit, /readyz not ready, the issuer Ready=False with a Warning Event', async () => {
    expect(await secrets().delete('default', 'smsgate-ca')).toBe(true);
    const running = await start();
    expect(await secrets().get('default', 'smsgate-ca')).toBeUndefined();
    const ready = await httpCall(`${running.url}/readyz`);
    expect(ready.status).toBe(503);
    expect(ready.json<{ checks: Record<string, string> }>().checks['ca']).toMatch(/CA Secret default\/smsgate-ca is missing, but an earlier CA existed .*--ca-bootstrap/);
    const refused = await postJson(`${running.url}/api/v1/csr`, { type: 'private_server', content: buildCsr({ key: freshKey('p256'), ips: ['10.0.0.5'] }).pem });
    expect(refused.status, refused.text).toBe(503);
    const condition = await eventually(async () => {
      const found = readyCondition(await new ResourceClient<AnyIssuer>(api, IP_CLUSTER_ISSUERS).get(undefined, 'operator-ca'));
      return found?.status === 'False' ? found : undefined;
    }, 'issuer Ready=False', 60_000);
    expect(condition.reason).toBe('CANotFound');
    const events = await eventually(async () => {
      const { items } = await new ResourceClient<KubeEvent & { metadata: { name?: string } }>(api, EVENTS).list(undefined);
      const warning = items.filter((event) => event.type === 'Warning' && event.reason === 'CANotFound' && event.involvedObject?.name === 'operator-ca');
      return warning.length > 0 ? warning : undefined;
    }, 'a Warning Event', 60_000);
    expect(events[0]!.message).toContain('smsgate-ca');
    await running.upkeep.check();
    expect(await secrets().get('default', 'smsgate-ca')).toBeUndefined();
  });

  it('refuses too when the CA record is gone as well: the managed Secrets show an earlier CA', async () => {
    expect(await new ResourceClient<ConfigMap>(api, CONFIG_MAPS).delete('default', 'smsgate-ca-record')).toBe(true);
    const running = await start();
    expect(await secrets().get('default', 'smsgate-ca')).toBeUndefined();
    const ready = await httpCall(`${running.url}/readyz`);
    expect(ready.status).toBe(503);
    expect(ready.json<{ checks: Record<string, string> }>().checks['ca']).toContain('certificate Secrets it issued (e.g. default/api-tls)');
  });

  it('--ca-bootstrap makes a new root; the issuer turns Ready again', async () => {
    const running = await start({ 'ca-bootstrap': true });
    const created = await secrets().get('default', 'smsgate-ca');
    expect(created).toBeDefined();
    expect(secretValue(created, 'ca.crt')).not.toBe(oldRoot);
    expect((await httpCall(`${running.url}/readyz`)).status).toBe(200);
    await eventually(async () => readyCondition(await new ResourceClient<AnyIssuer>(api, IP_CLUSTER_ISSUERS).get(undefined, 'operator-ca'))?.status === 'True', 'issuer Ready again', 60_000);
  });
});
