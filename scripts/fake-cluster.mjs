#!/usr/bin/env node
// Starts the Kubernetes API-server double (test/support/fake-apiserver) on loopback and writes a
// kubeconfig for it. Works with plain node, no build step: the double's TypeScript sources are
// transpiled once into node_modules/.cache/fake-apiserver/<hash>/ and imported from there.
//
//   node scripts/fake-cluster.mjs [--port 6443] [--kubeconfig ./fake.kubeconfig] [--token T] [--namespace default]
//
// stdout: the kubeconfig path (one line). stderr: URL and usage hints. Stops on SIGINT/SIGTERM.
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import ts from 'typescript';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SOURCE_DIR = join(ROOT, 'test', 'support', 'fake-apiserver');

function sources(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

/** Transpiles the double (only when its sources changed) and returns the compiled entry point. */
function compile() {
  const files = sources(SOURCE_DIR).sort();
  const hash = createHash('sha256');
  for (const file of files) hash.update(relative(SOURCE_DIR, file)).update(readFileSync(file));
  const outDir = join(ROOT, 'node_modules', '.cache', 'fake-apiserver', hash.digest('hex').slice(0, 16));
  const entry = join(outDir, 'index.js');
  if (existsSync(entry)) return entry;
  const staging = `${outDir}.tmp-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  for (const file of files) {
    const { outputText } = ts.transpileModule(readFileSync(file, 'utf8'), {
      fileName: file,
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: true, sourceMap: false },
    });
    const target = join(staging, relative(SOURCE_DIR, file)).replace(/\.ts$/, '.js');
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, outputText);
  }
  try {
    renameSync(staging, outDir);
  } catch {
    rmSync(staging, { recursive: true, force: true }); // a concurrent run won the race
  }
  return entry;
}

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    kubeconfig: { type: 'string' },
    token: { type: 'string' },
    namespace: { type: 'string', default: 'default' },
  },
});

const { startFakeApiServer } = await import(pathToFileURL(compile()).href);
const server = await startFakeApiServer({
  port: Number(values.port),
  namespace: values.namespace,
  ...(values.token === undefined ? {} : { token: values.token }),
});
let kubeconfig = server.kubeconfigPath;
if (values.kubeconfig !== undefined) {
  kubeconfig = resolve(values.kubeconfig);
  copyFileSync(server.kubeconfigPath, kubeconfig);
}
process.stdout.write(`${kubeconfig}\n`);
process.stderr.write(`fake Kubernetes API server listening on ${server.url}\n  export KUBECONFIG=${kubeconfig}\n`);
const kubectl = join(ROOT, 'node_modules', '.cache', 'kube-tools', 'kubectl', 'kubectl');
if (existsSync(kubectl)) process.stderr.write(`  ${relative(process.cwd(), kubectl)} get namespaces   # kubectl 1.35 from the layer zip\n`);

let stopping = false;
async function stop() {
  if (stopping) return;
  stopping = true;
  await server.close();
  if (values.kubeconfig !== undefined) rmSync(kubeconfig, { force: true });
  process.exit(0);
}
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
