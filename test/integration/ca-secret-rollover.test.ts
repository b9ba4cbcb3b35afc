import { X509Certificate } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServeConfig } from '../../src/config/serve-config.js';
import type { CertificateRequest } from '../../src/custom-resources/crd-types.js';
import { CERTIFICATE_REQUESTS } from '../../src/custom-resources/resource-types.js';
import { secretValue, type Secret } from '../../src/kube/core-types.js';
import type { KubeApi } from '../../src/kube/kube-api.js';
import { connectKube, type KubeConnection } from '../../src/kube/kube-connection.js';
import { KubeHttpClient } from '../../src/kube/kube-http-client.js';
import { ResourceClient } from '../../src/kube/resource-client.js';
import { SECRETS } from '../../src/kube/resource-types.js';
import { startServer, type RunningCaServer } from '../../src/serve/server.js';
import { silentLogger } from '../../src/telemetry/logger.js';
import { crdFiles, installCrds } from '../support/controller-harness.js';
import { eventually } from '../support/eventually.js';
import { startFakeApiServer, type FakeApiServer } from '../support/fake-apiserver/index.js';
import { pemBlocks, verifyServerChain } from '../support/openssl.js';
import { ManualClock } from '../support/manual-clock.js';

/**
 * Rollover of the CA kept in a Secret (root.key online there), injected clock, API-server double:
 * at 2/3 of the intermediate's life one update of the CA Secret puts the successor in tls.crt and
 * keeps the former one; certificate Secrets issued after chain to the new intermediate and pass
 * openssl verify; the one issued before is left as it is.
 */
let fake: FakeApiServer;
let connection: KubeConnection;
let api: KubeApi;
let home: string;
let server: RunningCaServer;
const clock = new ManualClock(Date.now());
const secrets = () => new ResourceClient<Secret>(api, SECRETS);

beforeAll(async () => {
  fake = await startFakeApiServer();
  await installCrds(fake, await crdFiles());
  connection = await connectKube({ kubeconfigPath: fake.kubeconfigPath });
  api = new KubeHttpClient(connection, { userAgent: 'smsgate-ca-test' });
  home = await mkdtemp(join(tmpdir(), 'smsgate-ca-secret-rollover-'));
  const values = { kubeconfig: fake.kubeconfigPath, 'ca-secret': 'smsgate-ca', namespace: 'default', 'pod-name': 'p0', 'data-dir': join(home, 'data'), listen: '127.0.0.1:0', 'insecure-http': true, 'acme-disabled': true, 'rate-limit': '0', 'log-level': 'silent' };
  server = await startServer(buildServeConfig(values), { clock, logger: silentLogger(), version: 'test' });
});

afterAll(async () => {
  await server?.close();
  connection?.close();
  await fake?.close();
  await rm(home, { recursive: true, force: true });
});

async function request(name: string, ip: string): Promise<Secret> {
  await new ResourceClient<CertificateRequest>(api, CERTIFICATE_REQUESTS).create({
    apiVersion: 'smsgate-ca.sms-gate.app/v1alpha1',
    kind: 'CertificateRequest',
    metadata: { name, namespace: 'default' },
    spec: { ipAddresses: [ip], secretName: `${name}-tls` },
  });
  return eventually(async () => secrets().get('default', `${name}-tls`), `Secret ${name}-tls`, 60_000);
}

describe('rollover of the CA in its Secret', () => {
  it('rolls over at 2/3 of the life in one update of the CA Secret; new Secrets chain to the successor, the earlier one stays', async () => {
    const caBefore = (await secrets().get('default', 'smsgate-ca'))!;
    const first = new X509Certificate(pemBlocks(secretValue(caBefore, 'tls.crt')!)[0]!);
    const start = new Date(first.validFrom).getTime();
    const end = new Date(first.validTo).getTime();
    clock.set(new Date(start + Math.ceil(((end - start) * 2) / 3 / 1000) * 1000 - 24 * 60 * 60 * 1000));
    const before = await request('before', '10.42.0.5');
    expect(new X509Certificate(pemBlocks(secretValue(before, 'tls.crt')!)[1]!).fingerprint256).toBe(first.fingerprint256);

    clock.set(new Date(start + Math.ceil(((end - start) * 2) / 3 / 1000) * 1000));
    await server.upkeep.check();
    const caAfter = (await secrets().get('default', 'smsgate-ca'))!;
    const second = new X509Certificate(pemBlocks(secretValue(caAfter, 'tls.crt')!)[0]!);
    expect(second.fingerprint256).not.toBe(first.fingerprint256);
    expect(secretValue(caAfter, 'ca.crt')).toBe(secretValue(caBefore, 'ca.crt'));
    const kept = Object.keys(caAfter.data ?? {}).filter((key) => key.startsWith('intermediate-'));
    expect(kept.sort()).toEqual([expect.stringMatching(/^intermediate-[0-9a-f]{40}\.crt$/), expect.stringMatching(/^intermediate-[0-9a-f]{40}\.key$/)]);
    expect(new X509Certificate(secretValue(caAfter, kept.find((key) => key.endsWith('.crt'))!)!).fingerprint256).toBe(first.fingerprint256);

    const after = await request('after', '10.42.0.6');
    expect(new X509Certificate(pemBlocks(secretValue(after, 'tls.crt')!)[1]!).fingerprint256).toBe(second.fingerprint256);
    const verified = await verifyServerChain(home, secretValue(after, 'tls.crt')!, secretValue(caAfter, 'ca.crt')!, '10.42.0.6', clock.now());
    expect(verified.code, verified.stderr).toBe(0);
    const stillBefore = (await secrets().get('default', 'before-tls'))!;
    expect(secretValue(stillBefore, 'tls.crt')).toBe(secretValue(before, 'tls.crt'));
    const verifiedBefore = await verifyServerChain(home, secretValue(stillBefore, 'tls.crt')!, secretValue(caAfter, 'ca.crt')!, '10.42.0.5', clock.now());
    expect(verifiedBefore.code, verifiedBefore.stderr).toBe(0);
  });
});
