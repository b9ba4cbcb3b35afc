import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * The import table of docs/ARCHITECTURE.md §2, enforced. Layers are the top-level folders of src/
 * (plus a few sub-folders with their own rules). Every layer may import
 * `shared`, the small vocabulary (clock, durations, backoff, rate-limit types) that imports nothing.
 */
const SRC = resolve(dirname(fileURLToPath(import.meta.url)), '../../src');

interface LayerRule {
  /** Internal layers this one may import (itself is always allowed). */
  readonly mayImport: readonly string[];
  /** Package or node: specifier prefixes it must never import. */
  readonly neverPackages: readonly string[];
}

const NETWORK_AND_FILES = ['node:http', 'node:https', 'node:net', 'node:tls', 'node:dgram', 'node:fs', 'node:child_process'];
const FRAMEWORKS = ['koa', '@koa/', '@kubernetes/client-node', 'better-sqlite3'];
const EVERYTHING_BUT_CLI = ['shared', 'ca', 'config', 'telemetry', 'kube', 'custom-resources', 'keystore', 'store', 'issuance', 'api', 'acme', 'http', 'controller', 'console', 'serve'];

const RULES: Record<string, LayerRule> = {
  shared: { mayImport: [], neverPackages: [...FRAMEWORKS, 'pino', 'prom-client', ...NETWORK_AND_FILES] },
  ca: { mayImport: [], neverPackages: [...FRAMEWORKS, 'pino', 'prom-client', ...NETWORK_AND_FILES] },
  config: { mayImport: ['ca'], neverPackages: FRAMEWORKS },
  telemetry: { mayImport: [], neverPackages: FRAMEWORKS },
  kube: { mayImport: [], neverPackages: ['koa', '@koa/', 'better-sqlite3'] },
  // Our own API types (smsgate-ca.sms-gate.app, and cert-manager's CertificateRequest), beside the CRDs.
  'custom-resources': { mayImport: ['kube'], neverPackages: ['koa', '@koa/', 'better-sqlite3', ...NETWORK_AND_FILES] },
  keystore: { mayImport: ['ca'], neverPackages: ['koa', '@koa/', '@kubernetes/client-node', 'better-sqlite3'] },
  'keystore/kubernetes': { mayImport: ['ca', 'keystore', 'kube'], neverPackages: ['koa', '@koa/', 'better-sqlite3'] },
  store: { mayImport: ['ca'], neverPackages: ['koa', '@koa/', '@kubernetes/client-node', 'pino'] },
  'store/kubernetes': { mayImport: ['ca', 'store', 'kube', 'custom-resources'], neverPackages: ['koa', '@koa/', 'better-sqlite3'] },
  issuance: { mayImport: ['ca', 'store', 'telemetry'], neverPackages: [...FRAMEWORKS, 'node:http', 'node:https', 'node:net'] },
  http: { mayImport: ['ca', 'telemetry'], neverPackages: ['@kubernetes/client-node', 'better-sqlite3'] },
  api: { mayImport: ['issuance', 'ca', 'store', 'http', 'telemetry'], neverPackages: ['@kubernetes/client-node', 'better-sqlite3'] },
  acme: { mayImport: ['issuance', 'ca', 'store', 'http', 'telemetry', 'config'], neverPackages: ['@kubernetes/client-node', 'better-sqlite3'] },
  controller: { mayImport: ['issuance', 'kube', 'custom-resources', 'ca', 'store', 'telemetry'], neverPackages: ['koa', '@koa/', 'better-sqlite3'] },
  // The generic machinery (queue, leader election, caches) knows no reconciler and no CA.
  'controller/runtime': { mayImport: ['kube', 'telemetry'], neverPackages: ['koa', '@koa/', 'better-sqlite3'] },
  // The admin console: the page and its routes, over the admin API it calls from the browser.
  console: { mayImport: ['http'], neverPackages: ['@kubernetes/client-node', 'better-sqlite3'] },
  // Modules that run in the browser: they import only each other (see the test below).
  'console/browser': { mayImport: [], neverPackages: [] },
  // The one place the product is assembled; only the CLI imports it.
  serve: { mayImport: EVERYTHING_BUT_CLI, neverPackages: [] },
  cli: { mayImport: EVERYTHING_BUT_CLI, neverPackages: [] },
};

/** Packages a single layer owns: nobody else imports them directly. */
const OWNED_PACKAGES: Record<string, readonly string[]> = {
  '@kubernetes/client-node': ['kube'],
  'better-sqlite3': ['store/sqlite'],
};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

const IMPORT_PATTERN = /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|(?:^|\n)\s*import\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

function importsOf(source: string): string[] {
  return [...source.matchAll(IMPORT_PATTERN)].map((match) => (match[1] ?? match[2] ?? match[3])!);
}

/** The layer of a file under src/: the most specific rule key that matches its path. */
function layerOf(pathUnderSrc: string): string {
  const parts = pathUnderSrc.split('/');
  const nested = parts.length > 2 ? `${parts[0]}/${parts[1]}` : undefined;
  if (nested && RULES[nested]) return nested;
  return parts[0]!;
}

function topLayer(layer: string): string {
  return layer.split('/')[0]!;
}

function violationsIn(file: string): string[] {
  const fromPath = relative(SRC, file);
  const layer = layerOf(fromPath);
  const rule = RULES[layer] ?? RULES[topLayer(layer)];
  if (!rule) return [`${fromPath}: folder "${topLayer(layer)}" has no rule in docs/ARCHITECTURE.md's import table`];
  return importsOf(readFileSync(file, 'utf8')).flatMap((specifier) => checkImport(fromPath, layer, rule, specifier));
}

function checkImport(fromPath: string, layer: string, rule: LayerRule, specifier: string): string[] {
  if (specifier.startsWith('.')) {
    const target = relative(SRC, resolve(SRC, dirname(fromPath), specifier));
    if (target.startsWith('..')) return [`${fromPath} imports ${specifier}, outside src/`];
    const targetFile = target.replace(/\.js$/, '.ts');
    const targetLayer = layerOf(targetFile);
    const allowed = [layer, ...rule.mayImport, 'shared'];
    const ok = allowed.includes(targetLayer) || allowed.includes(topLayer(targetLayer));
    if (!ok) return [`${fromPath} (${layer}) must not import ${specifier} (${targetLayer})`];
    if (topLayer(targetLayer) === 'ca' && topLayer(layer) !== 'ca' && targetFile !== 'ca/index.ts') {
      return [`${fromPath} imports ${specifier}: outside src/ca, only ca/index.ts may be imported`];
    }
    return [];
  }
  const banned = rule.neverPackages.find((prefix) => specifier === prefix || specifier.startsWith(prefix.endsWith('/') ? prefix : `${prefix}/`));
  if (banned) return [`${fromPath} (${layer}) must not import package ${specifier}`];
  const owners = OWNED_PACKAGES[specifier];
  if (owners && !owners.some((owner) => layer === owner || layer.startsWith(`${owner}/`) || fromPath.startsWith(`${owner}/`))) {
    return [`${fromPath} imports ${specifier}, which only ${owners.join(', ')} may use`];
  }
  return [];
}

type ImportGraph = ReadonlyMap<string, readonly string[]>;

/** File → the files under src/ it imports (paths relative to src/, with .ts). */
function importGraph(files: readonly string[]): ImportGraph {
  return new Map(
    files.map((file) => [
      relative(SRC, file),
      importsOf(readFileSync(file, 'utf8'))
        .filter((specifier) => specifier.startsWith('.'))
        .map((specifier) => relative(SRC, resolve(dirname(file), specifier)).replace(/\.js$/, '.ts')),
    ]),
  );
}

/** The graph's circles: its strongly connected components of more than one node, or a node importing itself (Tarjan). */
function importCircles(graph: ImportGraph): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const circles: string[][] = [];
  const visit = (node: string): void => {
    index.set(node, index.size);
    low.set(node, index.get(node)!);
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      if (!graph.has(next)) continue;
      if (!index.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node)!, low.get(next)!));
      } else if (stack.includes(next)) {
        low.set(node, Math.min(low.get(node)!, index.get(next)!));
      }
    }
    if (low.get(node) !== index.get(node)) return;
    const component = stack.splice(stack.indexOf(node));
    if (component.length > 1 || graph.get(node)?.includes(node)) circles.push(component.sort());
  };
  for (const node of graph.keys()) if (!index.has(node)) visit(node);
  return circles;
}

/** The same graph between top-level layers. */
function layerGraph(graph: ImportGraph): ImportGraph {
  const layers = new Map<string, Set<string>>();
  for (const [from, targets] of graph) {
    const fromLayer = topLayer(layerOf(from));
    const set = layers.get(fromLayer) ?? new Set<string>();
    for (const target of targets) if (topLayer(layerOf(target)) !== fromLayer) set.add(topLayer(layerOf(target)));
    layers.set(fromLayer, set);
  }
  return new Map([...layers].map(([layer, targets]) => [layer, [...targets]]));
}

describe('architecture: import rules of docs/ARCHITECTURE.md §2', () => {
  const files = sourceFiles(SRC);

  it('finds the source tree', () => {
    expect(files.length).toBeGreaterThan(5);
  });

  it('every import respects the layer table', () => {
    expect(files.flatMap(violationsIn)).toEqual([]);
  });

  it('nothing imports the CLI', () => {
    const offenders = files
      .filter((file) => layerOf(relative(SRC, file)) !== 'cli')
      .flatMap((file) =>
        importsOf(readFileSync(file, 'utf8'))
          .filter((specifier) => /(^|\/)cli\//.test(specifier))
          .map((specifier) => `${relative(SRC, file)} imports ${specifier}`),
      );
    expect(offenders).toEqual([]);
  });

  it('the core never reads the wall clock directly', () => {
    const offenders = files
      .filter((file) => layerOf(relative(SRC, file)) === 'ca')
      .filter((file) => /\bDate\.now\(|new Date\(\)/.test(readFileSync(file, 'utf8').replace(/\/\/.*|\/\*[\s\S]*?\*\//g, '')))
      .map((file) => relative(SRC, file));
    expect(offenders).toEqual([]);
  });

  it('production code imports only runtime dependencies (test oracles stay in devDependencies)', () => {
    const manifest = JSON.parse(readFileSync(join(SRC, '..', 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    const packageOf = (specifier: string): string => specifier.split('/').slice(0, specifier.startsWith('@') ? 2 : 1).join('/');
    const offenders = files.flatMap((file) =>
      importsOf(readFileSync(file, 'utf8'))
        .filter((specifier) => !specifier.startsWith('.') && !specifier.startsWith('node:'))
        .filter((specifier) => !(packageOf(specifier) in manifest.dependencies))
        .map((specifier) => `${relative(SRC, file)} imports ${specifier}, which is not a runtime dependency`),
    );
    expect(offenders).toEqual([]);
  });

  it('the browser modules of the console import only each other (they are served from one folder)', () => {
    const browserFiles = files.filter((file) => layerOf(relative(SRC, file)) === 'console/browser');
    expect(browserFiles.length).toBeGreaterThan(3);
    const offenders = browserFiles.flatMap((file) =>
      importsOf(readFileSync(file, 'utf8'))
        .filter((specifier) => !/^\.\/[a-z][a-z-]*\.js$/.test(specifier))
        .map((specifier) => `${relative(SRC, file)} imports ${specifier}`),
    );
    expect(offenders).toEqual([]);
  });

  it('no file imports itself through a circle of imports', () => {
    expect(importCircles(importGraph(files))).toEqual([]);
  });

  it('no layer imports itself through a circle of layers', () => {
    expect(importCircles(layerGraph(importGraph(files)))).toEqual([]);
  });

  it('the circle finder itself finds circles in a synthetic bad graph', () => {
    const bad = new Map([
      ['a.ts', ['b.ts']],
      ['b.ts', ['c.ts', 'd.ts']],
      ['c.ts', ['a.ts']],
      ['d.ts', ['d.ts']],
      ['e.ts', ['a.ts']],
    ]);
    expect(importCircles(bad)).toEqual([['d.ts'], ['a.ts', 'b.ts', 'c.ts']]);
    expect(importCircles(new Map([['a.ts', ['b.ts']], ['b.ts', []]]))).toEqual([]);
    const layered = new Map([
      ['store/x.ts', ['api/y.ts']],
      ['api/y.ts', ['store/z.ts']],
      ['store/z.ts', []],
    ]);
    expect(importCircles(layerGraph(layered))).toEqual([['api', 'store']]);
  });

  it('the checker itself catches a forbidden import', () => {
    const rule = RULES['ca']!;
    expect(checkImport('ca/x.ts', 'ca', rule, 'koa')).toHaveLength(1);
    expect(checkImport('ca/x.ts', 'ca', rule, '../store/records.js')).toHaveLength(1);
    expect(checkImport('ca/x.ts', 'ca', rule, './errors.js')).toEqual([]);
    expect(checkImport('api/x.ts', 'api', RULES['api']!, '../acme/router.js')).toHaveLength(1);
    expect(checkImport('issuance/x.ts', 'issuance', RULES['issuance']!, 'better-sqlite3')).toHaveLength(1);
    expect(checkImport('api/x.ts', 'api', RULES['api']!, '../ca/der-reader.js')).toHaveLength(1);
    expect(checkImport('api/x.ts', 'api', RULES['api']!, '../ca/index.js')).toEqual([]);
    expect(checkImport('ca/x.ts', 'ca', RULES['ca']!, './der-reader.js')).toEqual([]);
    expect(checkImport('ca/x.ts', 'ca', RULES['ca']!, '../shared/clock.js')).toEqual([]);
    expect(checkImport('shared/x.ts', 'shared', RULES['shared']!, '../ca/index.js')).toHaveLength(1);
    expect(checkImport('controller/runtime/x.ts', 'controller/runtime', RULES['controller/runtime']!, '../ca-error-reason.js')).toHaveLength(1);
    expect(checkImport('controller/x.ts', 'controller', RULES['controller']!, './runtime/work-queue.js')).toEqual([]);
    expect(checkImport('serve/x.ts', 'serve', RULES['serve']!, '../cli/run.js')).toHaveLength(1);
    expect(checkImport('api/x.ts', 'api', RULES['api']!, '../serve/server.js')).toHaveLength(1);
    expect(checkImport('cli/x.ts', 'cli', RULES['cli']!, '../serve/server.js')).toEqual([]);
    expect(importsOf("import type { A } from './a.js';\nexport { b } from \"../b.js\";\nconst c = await import('koa');")).toEqual([
      './a.js',
      '../b.js',
      'koa',
    ]);
  });
});
