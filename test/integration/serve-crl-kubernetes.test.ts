import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as acme from 'acme-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueWithHttp01 } from '../support/acme-client-flow.js';
import { startHttp01Responder, type Http01Responder } from '../support/acme-responders.js';
import { freePort } from '../support/acme-serve.js';
import { CRD_DIR } from '../support/controller-harness.js';
import { startFakeApiServer, type FakeApiServer, type JsonObject } from '../support/fake-apiserver/index.js';
import { isolatedToolEnv, kubeTools, runTool } from '../support/kube-tools.js';
import { openssl, pemBlocks } from '../support/openssl.js';
import { startServeProcess, type ServeProcess } from '../support/serve-process.js';

/**
 * The CRL in cluster mode (`serve --kubeconfig`, the Kubernetes store, the CA in a Secret): a
 * certificate obtained and revoked over ACME (node acme-client) on one replica is on the CRL that
 * a second replica signs — the ledger is the CertificateRequest records, and the CRL numbers,
 * kept on the CA Secret, keep growing across replicas.
 */
const IP = '127.0.0.14';
let fake: FakeApiServer;
let home: string;
let http: Http01Responder;
let httpPort: number;
const running: ServeProcess[] = [];

async function serve(name: string): Promise<ServeProcess> {
  const process = await startServeProcess(join(home, name), [
    '--kubeconfig', fake.kubeconfigPath,
    '--ca-secret', 'smsgate-ca',
    '--namespace', 'default',
    '--pod-name', name,
    '--leader-elect',
    '--insecure-http',
    '--rate-limit', '0',
    '--acme-http01-port', String(httpPort),
    '--acme-tls-alpn01-port', String(await freePort()),
    '--acme-validation-attempts', '2',
    '--acme-validation-retry-delay', '300ms',
    '--acme-new-account-rate', '0',
    '--acme-new-order-rate', '0',
  ]);
  running.push(process);
  return process;
}

beforeAll(async () => {
  fake = await startFakeApiServer();
  home = await mkdtemp(join(tmpdir(), 'smsgate-ca-crl-kube-'));
  const env = isolatedToolEnv(fake.kubeconfigPath, home);
  for (const args of [['apply', '-f', CRD_DIR], ['wait', '--for=condition=Established', '--timeout=30s', 'crd/certificaterequests.smsgate-ca.sms-gate.app']]) {
    const result = await runTool(kubeTools().kubectl, args, env);
    if (result.code !== 0) throw new Error(`kubectl ${args.join(' ')}: ${result.stderr}`);
  }
  httpPort = await freePort(IP);
  http = await startHttp01Responder(IP, httpPort);
});

afterAll(async () => {
  for (const process of running) await process.stop();
  await http?.close();
  await fake?.close();
  await rm(home, { recursive: true, force: true });
});

async function issue(client: acme.Client): Promise<{ chain: string; serial: string }> {
  const { chain, serial } = await issueWithHttp01(client, IP, http);
  return { chain, serial: serial.toLowerCase() };
}

/** GET /crl (DER), checked by openssl against the CA in the Secret; its text. */
async function crlText(server: ServeProcess, file: string, bundlePem: string): Promise<string> {
  const response = await fetch(`${server.url}/crl`);
  expect(response.status).toBe(200);
  await writeFile(join(home, file), Buffer.from(await response.arrayBuffer()));
  await writeFile(join(home, 'bundle.pem'), bundlePem);
  const verified = await openssl(['crl', '-inform', 'DER', '-in', file, '-CAfile', 'bundle.pem', '-verify', '-noout', '-text'], { cwd: home });
  expect(verified.code, verified.stderr).toBe(0);
  expect(verified.stderr).toContain('verify OK');
  return verified.stdout;
}

function crlNumberOf(text: string): number {
  return Number(/X509v3 CRL Number:\s*\n\s*(\d+)/.exec(text)?.[1]);
}

function secretAnnotation(name: string): string | undefined {
  const secret = fake.objects.get({ apiVersion: 'v1', kind: 'Secret', namespace: 'default', name: 'smsgate-ca' });
  return ((secret?.['metadata'] as JsonObject | undefined)?.['annotations'] as Record<string, string> | undefined)?.[name];
}

describe('CRL in cluster mode (serve --kubeconfig, Kubernetes store)', () => {
  it('lists a certificate revoked over ACME on one replica in the CRL another replica signs', async () => {
    const first = await serve('replica-0');
    const second = await serve('replica-1');
    const client = new acme.Client({ directoryUrl: `${first.url}/acme/directory`, accountKey: await acme.crypto.createPrivateEcdsaKey(), backoffMin: 10, backoffMax: 100, backoffAttempts: 100 });
    await client.createAccount({ termsOfServiceAgreed: true });
    const revoked = await issue(client);
    const kept = await issue(client);

    const before = await crlText(first, 'before.der', bundleOf(revoked.chain));
    expect(before).toContain('No Revoked Certificates.');
    await client.revokeCertificate(revoked.chain, { reason: 1 });

    const record = fake.objects.get({ apiVersion: 'smsgate-ca.sms-gate.app/v1alpha1', kind: 'CertificateRequest', namespace: 'default', name: `acme-${revoked.serial}` })!;
    expect(record['status']).toMatchObject({ serialNumber: revoked.serial, revokedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT[\d:]+Z$/), revocationReason: 1 });
    expect((record['metadata'] as JsonObject)['labels']).toMatchObject({ 'ca.sms-gate.app/revoked': 'true' });

    const own = await crlText(first, 'own.der', bundleOf(revoked.chain));
    const other = await crlText(second, 'other.der', bundleOf(revoked.chain));
    for (const text of [own, other]) {
      expect(text).toContain(`Serial Number: ${revoked.serial.toUpperCase()}`);
      expect(text).toMatch(/X509v3 CRL Reason Code:\s*\n\s*Key Compromise/);
      expect(text).not.toContain(kept.serial.toUpperCase());
    }
    // One sequence for both replicas, on the CA Secret.
    const numbers = [before, own, other].map(crlNumberOf);
    expect(numbers[1]).toBeGreaterThan(numbers[0]!);
    expect(numbers[2]).toBeGreaterThan(numbers[1]!);
    expect(secretAnnotation('ca.sms-gate.app/crl-number')).toBe(String(numbers[2]));
  });
});

/** Intermediate + root of a chain acme-client downloaded (leaf, intermediate) plus the root from the CA Secret. */
function bundleOf(chain: string): string {
  const secret = fake.objects.get({ apiVersion: 'v1', kind: 'Secret', namespace: 'default', name: 'smsgate-ca' })!;
  const root = Buffer.from(String((secret['data'] as Record<string, string>)['ca.crt']), 'base64').toString('utf8');
  return pemBlocks(chain)[1]! + root;
}
