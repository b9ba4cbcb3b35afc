import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CRD_DIR } from '../support/controller-harness.js';
import { buildCsr, freshKey } from '../support/csr-factory.js';
import { startFakeApiServer, type FakeApiServer, type JsonObject } from '../support/fake-apiserver/index.js';
import { isolatedToolEnv, kubeTools, runTool } from '../support/kube-tools.js';
import { verifyServerChain } from '../support/openssl.js';
import { pollUntilDecided, postJson, startServeProcess, type ServeProcess } from '../support/serve-process.js';
import { eventually } from '../support/eventually.js';

/**
 * `smsgate-ca serve --kubeconfig FILE` as a process against the double: the CA is created in a
 * Secret, CertificateRequests become Secrets, REST requests are recorded as CertificateRequests and
 * decided by the elected controller, and a SIGKILL mid-issuance leaves nothing half-done.
 */
let fake: FakeApiServer;
let home: string;
let env: NodeJS.ProcessEnv;
const running: ServeProcess[] = [];

async function kubectl(...args: string[]): Promise<string> {
  const result = await runTool(kubeTools().kubectl, args, env);
  if (result.code !== 0) throw new Error(`kubectl ${args.join(' ')}: ${result.stderr}`);
  return result.stdout;
}

async function getJson(...args: string[]): Promise<JsonObject> {
  return JSON.parse(await kubectl('get', ...args, '-o', 'json')) as JsonObject;
}

function data(secret: JsonObject, key: string): string {
  return Buffer.from(String((secret['data'] as Record<string, string>)[key]), 'base64').toString('utf8');
}

async function serve(dataDir: string): Promise<ServeProcess> {
  const process = await startServeProcess(dataDir, [
    '--kubeconfig', fake.kubeconfigPath,
    '--ca-secret', 'smsgate-ca',
    '--namespace', 'default',
    '--pod-name', 'smsgate-ca-0',
    '--leader-elect',
    '--leader-election-lease-duration', '3s',
    '--leader-election-renew-deadline', '2s',
    '--leader-election-retry-period', '250ms',
    '--insecure-http',
    '--rate-limit', '0',
    '--acme-disabled',
    // The bulk case is about crash recovery, not throughput: 300 requests at the default client-side
    // limit (20 API requests/s) would take about a minute.
    '--kube-api-qps', '1000',
    '--kube-api-burst', '1000',
  ]);
  running.push(process);
  return process;
}


beforeAll(async () => {
  fake = await startFakeApiServer();
  home = await mkdtemp(join(tmpdir(), 'smsgate-ca-serve-kube-'));
  env = isolatedToolEnv(fake.kubeconfigPath, home);
  await kubectl('apply', '-f', CRD_DIR);
  await kubectl('wait', '--for=condition=Established', '--timeout=30s', 'crd/certificaterequests.smsgate-ca.sms-gate.app');
});

afterAll(async () => {
  for (const process of running) await process.stop('SIGKILL');
  await fake?.close();
  await rm(home, { recursive: true, force: true });
});

describe('smsgate-ca serve --kubeconfig', () => {
  let server: ServeProcess;
  let rootPem: string;

  it('creates its CA in a Secret on first start and reconciles CertificateRequests', async () => {
    server = await serve(join(home, 'data-1'));
    const caSecret = await eventually(async () => (await runTool(kubeTools().kubectl, ['get', 'secret', 'smsgate-ca', '-o', 'json'], env)).code === 0 ? getJson('secret', 'smsgate-ca') : undefined, 'CA Secret', 60_000);
    rootPem = data(caSecret, 'ca.crt');
    expect(data(caSecret, 'tls.crt')).toContain('BEGIN CERTIFICATE');
    expect(data(caSecret, 'tls.key')).toContain('PRIVATE KEY');
    const manifest = join(home, 'cr.yaml');
    await writeFile(manifest, JSON.stringify({ apiVersion: 'smsgate-ca.sms-gate.app/v1alpha1', kind: 'CertificateRequest', metadata: { name: 'api', namespace: 'default' }, spec: { ipAddresses: ['10.42.0.7'], secretName: 'api-tls' } }));
    await kubectl('apply', '-f', manifest);
    await kubectl('wait', '--for=condition=Ready', '--timeout=60s', 'certificaterequests.smsgate-ca.sms-gate.app/api');
    const secret = await getJson('secret', 'api-tls');
    expect(data(secret, 'ca.crt')).toBe(rootPem);
    const verified = await verifyServerChain(home, data(secret, 'tls.crt'), rootPem, '10.42.0.7');
    expect(verified.code, verified.stderr).toBe(0);
    const lease = await getJson('lease', 'smsgate-ca-leader');
    expect((lease['spec'] as JsonObject)['holderIdentity'] as string).toMatch(/^smsgate-ca-0_/);
  });

  it('records a REST request as a CertificateRequest that the controller decides', async () => {
    const csr = buildCsr({ key: freshKey('p256'), ips: ['192.168.1.2'] }).pem;
    const posted = await postJson(`${server.url}/api/v1/csr`, { content: csr, type: 'private_server' });
    expect(posted.status, posted.text).toBe(202);
    const id = posted.json<{ request_id: string }>().request_id;
    const decided = await pollUntilDecided(server.url, id, '');
    expect(decided.json<{ status: string }>().status).toBe('approved');
    const certificate = decided.json<{ certificate: string }>().certificate;
    const verified = await verifyServerChain(home, certificate, rootPem, '192.168.1.2');
    expect(verified.code, verified.stderr).toBe(0);
    const records = JSON.parse(await kubectl('get', 'certificaterequests.smsgate-ca.sms-gate.app', '-A', '-l', 'ca.sms-gate.app/source=rest', '-o', 'json')) as { items: JsonObject[] };
    expect(records.items).toHaveLength(1);
    const record = records.items[0]!;
    expect(((record['metadata'] as JsonObject)['annotations'] as Record<string, string>)['ca.sms-gate.app/request-id']).toBe(id);
    expect((record['status'] as JsonObject)['certificate'] as string).toBe(certificate);
    const table = await kubectl('get', 'certificaterequests.smsgate-ca.sms-gate.app', '-A');
    expect(table).toContain(`req-`);
  });

  it('survives SIGKILL mid-issuance: the next process finishes the work, one Secret and revision 1 each, same CA', async () => {
    const count = 300;
    const items = Array.from({ length: count }, (_, i) => ({
      apiVersion: 'smsgate-ca.sms-gate.app/v1alpha1',
      kind: 'CertificateRequest',
      metadata: { name: `bulk-${i}`, namespace: 'default' },
      spec: { ipAddresses: [`10.77.${Math.floor(i / 200)}.${(i % 200) + 1}`], secretName: `bulk-${i}-tls` },
    }));
    const manifest = join(home, 'bulk.yaml');
    await writeFile(manifest, items.map((item) => JSON.stringify(item)).join('\n---\n'));
    await kubectl('apply', '-f', manifest);
    const readyCount = () => fake.objects.list('smsgate-ca.sms-gate.app/v1alpha1', 'CertificateRequest', 'default').filter((cr) => String(cr['metadata'] && ((cr['metadata'] as JsonObject)['name'] as string)).startsWith('bulk-') && isReady(cr)).length;
    await eventually(async () => (readyCount() > 0 ? true : undefined), 'the first bulk certificates', 60_000);
    expect(await server.stop('SIGKILL')).toBeNull();
    const halfway = readyCount();
    server = await serve(join(home, 'data-2'));
    await eventually(async () => (readyCount() === count ? true : undefined), `all ${count} Ready after the restart`, 60_000);
    const requests = fake.objects.list('smsgate-ca.sms-gate.app/v1alpha1', 'CertificateRequest', 'default').filter((cr) => String((cr['metadata'] as JsonObject)['name'] as string).startsWith('bulk-'));
    for (const cr of requests) expect((cr['status'] as JsonObject)['revision']).toBe(1);
    const secrets = fake.objects.list('v1', 'Secret', 'default').filter((secret) => String((secret['metadata'] as JsonObject)['name'] as string).startsWith('bulk-'));
    expect(secrets).toHaveLength(count);
    for (const secret of secrets.slice(0, 10)) expect(data(secret, 'ca.crt')).toBe(rootPem);
    // The kill really landed mid-way (the first certificates were out, not all of them).
    expect(halfway).toBeLessThan(count);
  });
});

function isReady(cr: JsonObject): boolean {
  const conditions = ((cr['status'] as JsonObject | undefined)?.['conditions'] ?? []) as Array<{ type: string; status: string }>;
  return conditions.some((condition) => condition.type === 'Ready' && condition.status === 'True');
}
