import { X509Certificate } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Clock } from '../../src/ca/index.js';
import { buildServeConfig } from '../../src/config/serve-config.js';
import { secretValue, type Secret } from '../../src/kube/core-types.js';
import type { KubeApi } from '../../src/kube/kube-api.js';
import { connectKube, type KubeConnection } from '../../src/kube/kube-connection.js';
import { KubeHttpClient } from '../../src/kube/kube-http-client.js';
import { ResourceClient } from '../../src/kube/resource-client.js';
import { SECRETS } from '../../src/kube/resource-types.js';
import { startServer, type RunningCaServer } from '../../src/serve/server.js';
import { silentLogger } from '../../src/telemetry/logger.js';
import { makeTempDir, runCliProcess } from '../support/cli.js';
import { crdFiles, installCrds } from '../support/controller-harness.js';
import { buildCsr, freshKey } from '../support/csr-factory.js';
import { startFakeApiServer, type FakeApiServer } from '../support/fake-apiserver/index.js';
import { isolatedToolEnv, kubeTools, runTool } from '../support/kube-tools.js';
import { pemBlocks, verifyServerChain } from '../support/openssl.js';
import { httpCall, pollUntilDecided, postJson, type CsrStatusBody } from '../support/serve-process.js';

/**
 * README's "Keeping the root key offline" in Kubernetes, against the API-server double: the CA made
 * outside the cluster with `init --root-key-out`, the CA Secret created with README's kubectl command
 * (tls.crt, tls.key, ca.crt only), serve in cluster mode with that Secret as its CA (what the chart's
 * ca.existingSecret passes as --ca-secret). Serve signs with it, never adds a root key or a new
 * root, and once the rollover is due /readyz stays ready with a warning that it needs doing by hand.
 */
class SettableClock implements Clock {
  constructor(private at: number) {}
  now(): Date {
    return new Date(this.at);
  }
  set(to: Date): void {
    this.at = to.getTime();
  }
}

const NAMESPACE = 'smsgate-ca';
const CA_SECRET = 'smsgate-ca-own';
const DAY_MS = 24 * 60 * 60 * 1000;

let work: { dir: string; cleanup: () => Promise<void> };
let fake: FakeApiServer;
let connection: KubeConnection;
let api: KubeApi;
let server: RunningCaServer | undefined;
const clock = new SettableClock(Date.now());
const secrets = () => new ResourceClient<Secret>(api, SECRETS);
const offlineCa = (file: string) => join(work.dir, 'offline-ca/ca', file);
const rootKeyFile = () => join(work.dir, 'media/offline/root.key');

async function kubectl(...args: string[]): Promise<string> {
  const result = await runTool(kubeTools().kubectl, args, isolatedToolEnv(fake.kubeconfigPath, work.dir));
  if (result.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed (${result.code}): ${result.stderr}`);
  return result.stdout;
}

async function caSecret(): Promise<Secret> {
  const found = await secrets().get(NAMESPACE, CA_SECRET);
  if (!found) throw new Error(`the CA Secret ${NAMESPACE}/${CA_SECRET} is gone`);
  return found;
}

interface Readiness {
  readonly checks?: Record<string, string>;
  readonly warnings?: Record<string, string>;
}

beforeAll(async () => {
  work = await makeTempDir();
  fake = await startFakeApiServer();
  await installCrds(fake, await crdFiles());
  connection = await connectKube({ kubeconfigPath: fake.kubeconfigPath });
  api = new KubeHttpClient(connection, { userAgent: 'smsgate-ca-test' });
});

afterAll(async () => {
  await server?.close();
  connection?.close();
  await fake?.close();
  await work?.cleanup();
});

describe('the CA Secret with the root key kept offline (README recipe)', () => {
  let rootPem: string;
  let intermediatePem: string;

  it('init --root-key-out makes the CA outside the cluster, the root key only in the offline file', async () => {
    await mkdir(join(work.dir, 'media/offline'), { recursive: true });
    const init = await runCliProcess(['init', '--data-dir', './offline-ca', '--root-key-out', rootKeyFile()], { cwd: work.dir });
    expect(init.code, init.stderr).toBe(0);
    rootPem = await readFile(offlineCa('root.crt'), 'utf8');
    intermediatePem = await readFile(offlineCa('intermediate.crt'), 'utf8');
    expect(await readFile(rootKeyFile(), 'utf8')).toContain('PRIVATE KEY');
    await expect(readFile(offlineCa('root.key'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it("README's kubectl command makes a Secret with tls.crt, tls.key and ca.crt only", async () => {
    await kubectl('create', 'namespace', NAMESPACE);
    await kubectl(
      '-n', NAMESPACE, 'create', 'secret', 'generic', CA_SECRET,
      `--from-file=tls.crt=${offlineCa('intermediate.crt')}`, `--from-file=tls.key=${offlineCa('intermediate.key')}`,
      `--from-file=ca.crt=${offlineCa('root.crt')}`,
    );
    const created = await caSecret();
    expect(Object.keys(created.data ?? {}).sort()).toEqual(['ca.crt', 'tls.crt', 'tls.key']);
    expect(secretValue(created, 'ca.crt')).toBe(rootPem);
  });

  it('serve in cluster mode loads that Secret without a root key and signs a REST request openssl verifies against the root', async () => {
    const values = { kubeconfig: fake.kubeconfigPath, 'ca-secret': CA_SECRET, namespace: NAMESPACE, 'pod-name': 'smsgate-ca-0', 'data-dir': join(work.dir, 'pod-data'), listen: '127.0.0.1:0', 'insecure-http': true, 'acme-disabled': true, 'rate-limit': '0', 'log-level': 'silent' };
    server = await startServer(buildServeConfig(values), { clock, logger: silentLogger(), version: 'test' });
    expect(server.live.loaded?.rootKey).toBeUndefined();
    const ready = await httpCall(`${server.url}/readyz`);
    expect(ready.status, ready.text).toBe(200);
    expect(ready.json<Readiness>().warnings).toBeUndefined();

    const submitted = await postJson(`${server.url}/api/v1/csr`, { type: 'private_server', content: buildCsr({ key: freshKey('p256'), ips: ['10.0.0.5'] }).pem });
    expect(submitted.status, submitted.text).toBe(202);
    const decided = (await pollUntilDecided(server.url, submitted.json<CsrStatusBody>().request_id, '')).json<CsrStatusBody>();
    expect(decided.status).toBe('approved');
    expect(new X509Certificate(pemBlocks(decided.certificate!)[1]!).fingerprint256).toBe(new X509Certificate(intermediatePem).fingerprint256);
    const verified = await verifyServerChain(work.dir, decided.certificate!, rootPem, '10.0.0.5', clock.now());
    expect(verified.code, verified.stderr).toBe(0);
    expect((await httpCall(`${server.url}/api/v1/ca`)).json<{ root: string }>().root).toBe(rootPem);
  });

  it('when the rollover is due: no root key or new root appears, /readyz stays ready and warns that the next intermediate is to be made by hand', async () => {
    const intermediate = new X509Certificate(intermediatePem);
    const start = new Date(intermediate.validFrom).getTime();
    const end = new Date(intermediate.validTo).getTime();
    clock.set(new Date(start + Math.ceil(((end - start) * 2) / 3 / 1000) * 1000 + DAY_MS));
    await server!.upkeep.check();

    const ready = await httpCall(`${server!.url}/readyz`);
    expect(ready.status, ready.text).toBe(200);
    const warning = ready.json<Readiness>().warnings?.['ca'];
    expect(warning).toContain('its successor was due');
    expect(warning).toContain('smsgate-ca ca rotate, or keep the root key where serve finds it');

    const after = await caSecret();
    expect(Object.keys(after.data ?? {}).sort()).toEqual(['ca.crt', 'tls.crt', 'tls.key']);
    expect(secretValue(after, 'ca.crt')).toBe(rootPem);
    expect(secretValue(after, 'tls.crt')).toBe(intermediatePem);
    const { items } = await secrets().list(undefined);
    const roots = items.map((secret) => secretValue(secret, 'ca.crt')).filter((root) => root !== undefined);
    expect(new Set(roots)).toEqual(new Set([rootPem]));
    expect(items.some((secret) => secretValue(secret, 'root.key') !== undefined)).toBe(false);
    expect(server!.live.loaded?.rootKey).toBeUndefined();
  });
});
