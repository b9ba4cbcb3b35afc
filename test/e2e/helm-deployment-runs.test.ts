import 'reflect-metadata'; // the API-server double's TLS material uses @peculiar/x509 (tsyringe needs the polyfill first)
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI_ENTRY } from '../support/cli.js';
import { startFakeApiServer, type FakeApiServer } from '../support/fake-apiserver/index.js';
import { CHART_DIR, helmAsync, kubectlAsync } from '../support/helm.js';

/**
 * The chart and the binary must agree: install the chart into the API-server double, take the
 * command line and environment of the Deployment it created, and run the built `serve` with them
 * as the kubelet would (only the pod-specific bits swapped: loopback listen address, a temp data
 * dir, a kubeconfig instead of the in-cluster service account). Then a user's CertificateRequest
 * must become Ready.
 */
const NAMESPACE = 'smsgate-ca';
const POD_NAME = 'smsgate-ca-7d9f8-abcde';

interface Container {
  args: string[];
  env: Array<{ name: string; value?: string; valueFrom?: { fieldRef?: { fieldPath: string } } }>;
}

let cluster: FakeApiServer;
let dataDir: string;
let serve: ChildProcess | undefined;
let output = '';

beforeAll(async () => {
  cluster = await startFakeApiServer();
  dataDir = await mkdtemp(join(tmpdir(), 'smsgate-ca-pod-'));
});

afterAll(async () => {
  if (serve && serve.exitCode === null) {
    const exited = new Promise((resolve) => serve!.once('exit', resolve));
    serve.kill('SIGTERM');
    await exited;
  }
  await cluster?.close();
  await rm(dataDir, { recursive: true, force: true });
});

async function kubectl(args: readonly string[]): Promise<string> {
  const result = await kubectlAsync(args, cluster.kubeconfigPath);
  expect(result.status, `kubectl ${args.join(' ')}\n${result.stderr}`).toBe(0);
  return result.stdout;
}

/** The container's args as the pod would run them, with the pod-only settings swapped for loopback ones. */
function podCommandLine(container: Container): string[] {
  const swapped = container.args.map((arg) => {
    if (arg.startsWith('--listen=')) return '--listen=127.0.0.1:0';
    if (arg.startsWith('--data-dir=')) return `--data-dir=${dataDir}`;
    return arg;
  });
  return [...swapped, `--kubeconfig=${cluster.kubeconfigPath}`];
}

/** The container's environment, with the downward-API fields resolved as the kubelet would. */
function podEnvironment(container: Container): NodeJS.ProcessEnv {
  const fields: Record<string, string> = { 'metadata.name': POD_NAME, 'metadata.namespace': NAMESPACE };
  const env: NodeJS.ProcessEnv = { PATH: process.env['PATH'], HOME: dataDir };
  for (const entry of container.env) {
    const field = entry.valueFrom?.fieldRef?.fieldPath;
    env[entry.name] = field ? fields[field] : entry.value;
  }
  env['TMPDIR'] = dataDir; // the pod's /tmp is an emptyDir
  return env;
}

function waitForOutput(pattern: RegExp, timeoutMs: number): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${pattern} within ${timeoutMs} ms:\n${output}`)), timeoutMs);
    const check = (): void => {
      const match = pattern.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match);
      }
    };
    serve!.stdout!.on('data', check);
    serve!.stderr!.on('data', check);
    serve!.once('exit', (code) => reject(new Error(`serve exited with ${code}:\n${output}`)));
    check();
  });
}

describe('the Deployment the chart installs runs the built binary', () => {
  it('installs, starts with the rendered args and env, and issues for a CertificateRequest', async () => {
    const install = await helmAsync(['install', 'smsgate-ca', CHART_DIR, '--namespace', NAMESPACE, '--create-namespace'], cluster.kubeconfigPath);
    expect(install.status, install.stderr).toBe(0);
    const deployment = JSON.parse(await kubectl(['get', 'deployment/smsgate-ca', '-n', NAMESPACE, '-o', 'json'])) as {
      spec: { template: { spec: { containers: Container[] } } };
    };
    const container = deployment.spec.template.spec.containers[0]!;
    expect(container.args[0]).toBe('serve');

    serve = spawn(process.execPath, [CLI_ENTRY, ...podCommandLine(container)], { env: podEnvironment(container), stdio: ['ignore', 'pipe', 'pipe'] });
    serve.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    serve.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    await waitForOutput(/listening on https:\/\/127\.0\.0\.1:\d+/, 30_000);

    // The operator created its CA Secret in the release namespace, under the name the chart gave it.
    const caSecret = JSON.parse(await kubectl(['get', 'secret', 'smsgate-ca-ca', '-n', NAMESPACE, '-o', 'json'])) as { data: Record<string, string> };
    expect(Object.keys(caSecret.data)).toEqual(expect.arrayContaining(['tls.crt', 'tls.key', 'ca.crt']));

    // It holds the Lease the chart named, and reconciles a user's request.
    const manifest = join(dataDir, 'nas.yaml');
    await writeFile(manifest, 'apiVersion: ca.sms-gate.app/v1alpha1\nkind: CertificateRequest\nmetadata: {name: nas, namespace: default}\nspec: {ipAddresses: [10.42.0.7], secretName: nas-tls}\n');
    await kubectl(['apply', '-f', manifest]);
    await kubectl(['wait', '--for=condition=Ready', 'certificaterequest/nas', '-n', 'default', '--timeout=60s']);
    const lease = JSON.parse(await kubectl(['get', 'lease', '-n', NAMESPACE, '-o', 'json'])) as { items: Array<{ spec: { holderIdentity?: string } }> };
    expect(lease.items.map((item) => item.spec.holderIdentity ?? '')).toEqual([expect.stringContaining(POD_NAME)]);
    const tls = JSON.parse(await kubectl(['get', 'secret', 'nas-tls', '-n', 'default', '-o', 'json'])) as { type: string; data: Record<string, string> };
    expect(tls.type).toBe('kubernetes.io/tls');
    expect(Buffer.from(tls.data['ca.crt']!, 'base64').toString()).toBe(Buffer.from(caSecret.data['ca.crt']!, 'base64').toString());
  });
});
