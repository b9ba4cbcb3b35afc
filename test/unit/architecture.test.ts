import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * The import table of docs/ARCHITECTURE.md §2, enforced. Layers are the top-level folders of src/
 * (plus a few sub-folders with their own rules); `main` is src/main.ts.
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
const EVERYTHING = ['ca', 'config', 'telemetry', 'kube', 'keystore', 'store', 'issuance', 'api', 'acme', 'http', 'controller', 'cli', 'main'];

const RULES: Record<string, LayerRule> = {
  ca: { mayImport: [], neverPackages: [...FRAMEWORKS, 'pino', 'prom-client', ...NETWORK_AND_FILES] },
  config: { mayImport: ['ca'], neverPackages: FRAMEWORKS },
  telemetry: { mayImport: [], neverPackages: FRAMEWORKS },
  kube: { mayImport: [], neverPackages: ['koa', '@koa/', 'better-sqlite3'] },
  keystore: { mayImport: ['ca'], neverPackages: ['koa', '@koa/', '@kubernetes/client-node', 'better-sqlite3'] },
  'keystore/kubernetes': { mayImport: ['ca', 'keystore', 'kube'], neverPackages: ['koa', '@koa/', 'better-sqlite3'] },
  store: { mayImport: ['ca'], neverPackages: ['koa', '@koa/', '@kubernetes/client-node', 'pino'] },
  'store/kubernetes': { mayImport: ['ca', 'store', 'kube'], neverPackages: ['koa', '@koa/', 'better-sqlite3'] },
  issuance: { mayImport: ['ca', 'store', 'telemetry'], neverPackages: [...FRAMEWORKS, 'node:http', 'node:https', 'node:net'] },
  http: { mayImport: ['ca', 'telemetry'], neverPackages: ['@kubernetes/client-node', 'better-sqlite3'] },
  api: { mayImport: ['issuance', 'ca', 'store', 'http', 'telemetry'], neverPackages: ['@kubernetes/client-node', 'better-sqlite3'] },
  acme: { mayImport: ['issuance', 'ca', 'store', 'http', 'telemetry'], neverPackages: ['@kubernetes/client-node', 'better-sqlite3'] },
  controller: { mayImport: ['issuance', 'kube', 'ca', 'store', 'telemetry'], neverPackages: ['koa', '@koa/', 'better-sqlite3'] },
  cli: { mayImport: EVERYTHING, neverPackages: [] },
  main: { mayImport: EVERYTHING, neverPackages: [] },
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
  if (pathUnderSrc === 'main.ts') return 'main';
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
    const targetLayer = layerOf(target.replace(/\.js$/, '.ts'));
    const allowed = [layer, topLayer(layer), ...rule.mayImport];
    const ok = allowed.includes(targetLayer) || allowed.includes(topLayer(targetLayer));
    return ok ? [] : [`${fromPath} (${layer}) must not import ${specifier} (${targetLayer})`];
  }
  const banned = rule.neverPackages.find((prefix) => specifier === prefix || specifier.startsWith(prefix.endsWith('/') ? prefix : `${prefix}/`));
  if (banned) return [`${fromPath} (${layer}) must not import package ${specifier}`];
  const owners = OWNED_PACKAGES[specifier];
  if (owners && !owners.some((owner) => layer === owner || layer.startsWith(`${owner}/`) || fromPath.startsWith(`${owner}/`))) {
    return [`${fromPath} imports ${specifier}, which only ${owners.join(', ')} may use`];
  }
  return [];
}

describe('architecture: import rules of docs/ARCHITECTURE.md §2', () => {
  const files = sourceFiles(SRC);

  it('finds the source tree', () => {
    expect(files.length).toBeGreaterThan(5);
  });

  it('every import respects the layer table', () => {
    expect(files.flatMap(violationsIn)).toEqual([]);
  });

  it('nothing imports the composition root or the CLI', () => {
    const offenders = files
      .filter((file) => !['main', 'cli'].includes(layerOf(relative(SRC, file))))
      .flatMap((file) =>
        importsOf(readFileSync(file, 'utf8'))
          .filter((specifier) => /(^|\/)(main\.js|cli\/)/.test(specifier))
          .map((specifier) => `${relative(SRC, file)} imports ${specifier}`),
      );
    expect(offenders).toEqual([]);
  });

  it('the core never reads the wall clock directly', () => {
    const offenders = files
      .filter((file) => layerOf(relative(SRC, file)) === 'ca')
      .filter((file) => /\bDate\.now\(|new Date\(\)/.test(readFileSync(file, 'utf8').replace(/\/\/.*|\/\*[\s\S]*?\*\//g, '')))
      .map((file) => relative(SRC, file));
    expect(offenders.filter((file) => file !== 'ca/clock.ts')).toEqual([]);
  });

  it('the checker itself catches a forbidden import', () => {
    const rule = RULES['ca']!;
    expect(checkImport('ca/x.ts', 'ca', rule, 'koa')).toHaveLength(1);
    expect(checkImport('ca/x.ts', 'ca', rule, '../store/records.js')).toHaveLength(1);
    expect(checkImport('ca/x.ts', 'ca', rule, './errors.js')).toEqual([]);
    expect(checkImport('api/x.ts', 'api', RULES['api']!, '../acme/router.js')).toHaveLength(1);
    expect(checkImport('issuance/x.ts', 'issuance', RULES['issuance']!, 'better-sqlite3')).toHaveLength(1);
    expect(importsOf("import type { A } from './a.js';\nexport { b } from \"../b.js\";\nconst c = await import('koa');")).toEqual([
      './a.js',
      '../b.js',
      'koa',
    ]);
  });
});
