import { spawn, type ChildProcess } from 'node:child_process';
import { expect } from 'vitest';
import { CLI_ENTRY } from '../support/cli.js';
import { serviceAccountUser, type FakeApiServer, type UserInfo } from '../support/fake-apiserver/index.js';
import { CHART_DIR, helmAsync, kubectlAsync } from '../support/helm.js';

/**
 * The operator as the chart deploys it: install the chart into the API-server double, take the
 * command line, environment and ServiceAccount of the Deployment it created, and run the built
 * `serve` with them as the kubelet would. Only the pod-specific bits are swapped: a loopback listen
 * address, a temp data dir, and a kubeconfig holding a token of the pod's ServiceAccount (from
 * `kubectl create token`) instead of the projected in-cluster one — so every call the operator makes
 * is authorized by the chart's RBAC.
 */
export const RELEASE_NAMESPACE = 'smsgate-ca';
export const POD_NAME = 'smsgate-ca-7d9f8-abcde';

interface Container {
  args: string[];
  env: Array<{ name: string; value?: string; valueFrom?: { fieldRef?: { fieldPath: string } } }>;
}

interface DeploymentSpec {
  spec: { template: { spec: { serviceAccountName: string; containers: Container[] } } };
}

export interface ChartOperator {
  readonly url: string;
  /** Who the operator's requests authenticate as: the chart's ServiceAccount. */
  readonly user: UserInfo;
  output(): string;
  stop(): Promise<void>;
}

export async function kubectlOk(cluster: FakeApiServer, args: readonly string[]): Promise<string> {
  const result = await kubectlAsync(args, cluster.kubeconfigPath);
  expect(result.status, `kubectl ${args.join(' ')}\n${result.stderr}`).toBe(0);
  return result.stdout;
}

export async function kubectlJson<T>(cluster: FakeApiServer, args: readonly string[]): Promise<T> {
  return JSON.parse(await kubectlOk(cluster, [...args, '-o', 'json'])) as T;
}

export async function installChart(cluster: FakeApiServer, set: readonly string[] = []): Promise<void> {
  const args = ['install', 'smsgate-ca', CHART_DIR, '--namespace', RELEASE_NAMESPACE, '--create-namespace', ...set.flatMap((item) => ['--set', item])];
  const install = await helmAsync(args, cluster.kubeconfigPath);
  expect(install.status, install.stderr).toBe(0);
}

/** The container's args as the pod would run them, with the pod-only settings swapped for loopback ones. */
function podCommandLine(container: Container, dataDir: string, kubeconfig: string): string[] {
  const swapped = container.args.map((arg) => {
    if (arg.startsWith('--listen=')) return '--listen=127.0.0.1:0';
    if (arg.startsWith('--data-dir=')) return `--data-dir=${dataDir}`;
    return arg;
  });
  return [...swapped, `--kubeconfig=${kubeconfig}`];
}

/** The container's environment, with the downward-API fields resolved as the kubelet would. */
function podEnvironment(container: Container, dataDir: string): NodeJS.ProcessEnv {
  const fields: Record<string, string> = { 'metadata.name': POD_NAME, 'metadata.namespace': RELEASE_NAMESPACE };
  const env: NodeJS.ProcessEnv = { PATH: process.env['PATH'], HOME: dataDir };
  for (const entry of container.env) {
    const field = entry.valueFrom?.fieldRef?.fieldPath;
    env[entry.name] = field ? fields[field] : entry.value;
  }
  env['TMPDIR'] = dataDir; // the pod's /tmp is an emptyDir
  return env;
}

function waitForOutput(child: ChildProcess, output: () => string, pattern: RegExp, timeoutMs: number): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${pattern} within ${timeoutMs} ms:\n${output()}`)), timeoutMs);
    const check = (): void => {
      const match = pattern.exec(output());
      if (match) {
        clearTimeout(timer);
        resolve(match);
      }
    };
    child.stdout!.on('data', check);
    child.stderr!.on('data', check);
    child.once('exit', (code) => reject(new Error(`serve exited with ${code}:\n${output()}`)));
    check();
  });
}

/** Starts `serve` as the installed Deployment's pod would run, under its ServiceAccount's token. */
export async function startChartOperator(cluster: FakeApiServer, dataDir: string): Promise<ChartOperator> {
  const deployment = await kubectlJson<DeploymentSpec>(cluster, ['get', 'deployment/smsgate-ca', '-n', RELEASE_NAMESPACE]);
  const pod = deployment.spec.template.spec;
  const container = pod.containers[0]!;
  expect(container.args[0]).toBe('serve');
  // The pod's projected token, minted here as `kubectl create token` mints one (a TokenRequest).
  const token = (await kubectlOk(cluster, ['create', 'token', pod.serviceAccountName, '-n', RELEASE_NAMESPACE])).trim();
  const kubeconfig = await cluster.kubeconfigFor(token, pod.serviceAccountName);
  const child = spawn(process.execPath, [CLI_ENTRY, ...podCommandLine(container, dataDir, kubeconfig)], { env: podEnvironment(container, dataDir), stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  child.stdout.on('data', (chunk: Buffer) => (text += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (text += chunk.toString()));
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    await exited;
  };
  try {
    const listening = await waitForOutput(child, () => text, /listening on (https:\/\/127\.0\.0\.1:\d+)/, 30_000);
    return { url: listening[1]!, user: serviceAccountUser(RELEASE_NAMESPACE, pod.serviceAccountName), output: () => text, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
