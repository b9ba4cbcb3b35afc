import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../support/acme-serve.js';
import { run } from '../support/cli.js';
import { CRD_DIR } from '../support/controller-harness.js';
import { startFakeApiServer, type FakeApiServer, type JsonObject } from '../support/fake-apiserver/index.js';
import { isolatedToolEnv, kubeTools, runTool } from '../support/kube-tools.js';
import { verifyServerChain } from '../support/openssl.js';
import { startReplicaBalancer, type ReplicaBalancer, type RoutedRequest } from '../support/replica-balancer.js';
import { startServeProcess, type ServeProcess } from '../support/serve-process.js';

/**
 * ACME state in the cluster: two `serve` replicas in cluster mode on the API-server double behind
 * one balancer (a Service with no session affinity). python3-acme registers and orders on one
 * replica and is validated and finalizes on the other; then both replicas are replaced by fresh
 * processes with fresh data directories, and the client, with the account it saved, orders again
 * without registering while its requests alternate between the new replicas.
 */
const IP = '127.0.0.16';
const NAMESPACE = 'default';
const GROUP_VERSION = 'smsgate-ca.sms-gate.app/v1alpha1';
const SCRIPT = fileURLToPath(new URL('../support/acme-python-account-flow.py', import.meta.url));

let fake: FakeApiServer;
let home: string;
let stateDir: string;
let httpPort: number;
let balancer: ReplicaBalancer;
let replicas: ServeProcess[] = [];
let root: string;

interface FlowSummary {
  registered: boolean;
  account: string;
  confirmed_account: string;
  confirmed_status: string;
  order: string;
  order_status: string;
  identifiers: string[];
  chain_file: string;
  http01_served: number;
}

async function startReplicas(generation: number): Promise<ServeProcess[]> {
  const tlsAlpnPort = await freePort();
  return Promise.all(
    [0, 1].map((index) =>
      startServeProcess(join(home, `gen-${generation}-replica-${index}`), [
        '--kubeconfig', fake.kubeconfigPath,
        '--ca-secret', 'smsgate-ca',
        '--namespace', NAMESPACE,
        '--pod-name', `smsgate-ca-${generation}-${index}`,
        '--leader-elect',
        '--insecure-http',
        '--rate-limit', '0',
        '--acme-http01-port', String(httpPort),
        '--acme-tls-alpn01-port', String(tlsAlpnPort),
        '--acme-validation-attempts', '2',
        '--acme-validation-retry-delay', '300ms',
      ]),
    ),
  );
}

async function runClient(): Promise<FlowSummary> {
  // Debian's python3 with python3-acme, not a pyenv interpreter that may shadow it on PATH.
  const result = await run('/usr/bin/python3', [SCRIPT, `${balancer.url}/acme/directory`, IP, String(httpPort), stateDir]);
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as FlowSummary;
}

function objects(kind: string): JsonObject[] {
  return fake.objects.list(GROUP_VERSION, kind, NAMESPACE);
}

function routed(log: readonly RoutedRequest[], method: string, pattern: RegExp): RoutedRequest[] {
  return log.filter((entry) => entry.method === method && pattern.test(entry.path));
}

async function expectVerifiedChain(summary: FlowSummary): Promise<void> {
  const verified = await verifyServerChain(home, await readFile(summary.chain_file, 'utf8'), root, IP);
  expect(verified.code, verified.stderr).toBe(0);
}

beforeAll(async () => {
  fake = await startFakeApiServer();
  home = await mkdtemp(join(tmpdir(), 'smsgate-ca-acme-replicas-'));
  stateDir = await mkdtemp(join(home, 'client-'));
  const env = isolatedToolEnv(fake.kubeconfigPath, home);
  for (const args of [['apply', '-f', CRD_DIR], ['wait', '--for=condition=Established', '--timeout=30s', 'crd/acmeorders.smsgate-ca.sms-gate.app']]) {
    const result = await runTool(kubeTools().kubectl, args, env);
    if (result.code !== 0) throw new Error(`kubectl ${args.join(' ')}: ${result.stderr}`);
  }
  httpPort = await freePort(IP);
  replicas = await startReplicas(1);
  balancer = await startReplicaBalancer('127.0.0.1', replicas.map((replica) => replica.url), () => 0);
  const secret = fake.objects.get({ apiVersion: 'v1', kind: 'Secret', namespace: NAMESPACE, name: 'smsgate-ca' })!;
  root = Buffer.from(String((secret['data'] as Record<string, string>)['ca.crt']), 'base64').toString('utf8');
});

afterAll(async () => {
  for (const replica of replicas) await replica.stop();
  await balancer?.close();
  await fake?.close();
  await rm(home, { recursive: true, force: true });
});

describe('ACME across two replicas in cluster mode (python3-acme, API-server double)', () => {
  let first: FlowSummary;

  it('registers and orders on one replica, is validated and finalizes on the other', async () => {
    // new-account and new-order to replica 0; everything else (directory, nonces, authorizations,
    // challenges, finalize, order polling, certificate) to replica 1.
    balancer.route = (method, path) => (method === 'POST' && /^\/acme\/new-(account|order)$/.test(path) ? 0 : 1);
    first = await runClient();

    expect(first).toMatchObject({ registered: true, order_status: 'valid', identifiers: [IP], confirmed_account: first.account, confirmed_status: 'valid' });
    expect(first.http01_served).toBeGreaterThanOrEqual(1);
    await expectVerifiedChain(first);

    const log = balancer.log;
    expect(routed(log, 'POST', /^\/acme\/new-account$/).map((entry) => [entry.backend, entry.status])).toEqual([[0, 201], [0, 200]]);
    expect(routed(log, 'POST', /^\/acme\/new-order$/).map((entry) => [entry.backend, entry.status])).toEqual([[0, 201]]);
    for (const pattern of [/^\/acme\/authz\//, /^\/acme\/chall\//, /^\/acme\/order\/[^/]+\/finalize$/, /^\/acme\/cert\//]) {
      const served = routed(log, 'POST', pattern);
      expect(served.length, String(pattern)).toBeGreaterThan(0);
      expect(served.every((entry) => entry.backend === 1 && entry.status < 300), String(pattern)).toBe(true);
    }
    // Every nonce replica 0 accepted was issued by replica 1 (HEAD new-nonce and every response went through it).
    expect(routed(log, 'HEAD', /^\/acme\/new-nonce$/).every((entry) => entry.backend === 1)).toBe(true);

    expect(objects('ACMEAccount')).toHaveLength(1);
    expect(objects('ACMEOrder').map((order) => (order['status'] as JsonObject)['status'])).toEqual(['valid']);
  });

  it('after both replicas restart with fresh data directories, the saved account orders again without registering', async () => {
    for (const replica of replicas) await replica.stop();
    replicas = await startReplicas(2);
    balancer.backends = replicas.map((replica) => replica.url);
    let next = 0;
    balancer.route = () => next++ % 2;
    const before = balancer.log.length;

    const second = await runClient();

    expect(second).toMatchObject({ registered: false, account: first.account, confirmed_account: first.account, confirmed_status: 'valid', order_status: 'valid', identifiers: [IP] });
    expect(second.order).not.toBe(first.order);
    await expectVerifiedChain(second);

    const log = balancer.log.slice(before);
    expect(log.filter((entry) => entry.status >= 300 && !(entry.status === 400 && entry.path.endsWith('/new-nonce')))).toEqual([]);
    // The only newAccount request is the onlyReturnExisting look-up after the order: found (200), not created.
    expect(routed(log, 'POST', /^\/acme\/new-account$/).map((entry) => entry.status)).toEqual([200]);
    expect(routed(log, 'POST', /^\/acme\/new-order$/).map((entry) => entry.status)).toEqual([201]);
    expect(new Set(log.map((entry) => entry.backend))).toEqual(new Set([0, 1]));

    expect(objects('ACMEAccount')).toHaveLength(1);
    expect(objects('ACMEOrder').map((order) => (order['status'] as JsonObject)['status'])).toEqual(['valid', 'valid']);
  });
});
