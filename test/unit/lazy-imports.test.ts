import { readFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * What `serve` outside a cluster loads at start: the static (non-`import()`) import graph from the
 * CLI entry. The Kubernetes client and the cluster-mode code must stay out of it, and so must the
 * packages only some requests need; they are loaded on first use.
 */
const SRC = resolve(dirname(fileURLToPath(import.meta.url)), '../../src');
const STATIC_IMPORT = /(?:^|\n)\s*(?:import|export)\s(?!type\b)[^'"]*?from\s*['"]([^'"]+)['"]|(?:^|\n)\s*import\s*['"]([^'"]+)['"]/g;

function staticGraph(entries: readonly string[]): { files: Set<string>; packages: Set<string> } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string): void => {
    if (files.has(file)) return;
    files.add(file);
    const source = readFileSync(file, 'utf8');
    for (const match of source.matchAll(STATIC_IMPORT)) {
      const specifier = (match[1] ?? match[2])!;
      if (/^import\s+type\b|^export\s+type\b/.test(match[0].trim())) continue;
      if (specifier.startsWith('.')) visit(resolve(dirname(file), specifier.replace(/\.js$/, '.ts')));
      else if (!specifier.startsWith('node:')) packages.add(specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0]!);
    }
  };
  entries.forEach((entry) => visit(resolve(SRC, entry)));
  return { files, packages };
}

describe('start-up imports', () => {
  const { files, packages } = staticGraph(['cli/run.ts', 'serve/server.ts']);
  const reached = [...files].map((file) => relative(SRC, file));

  it('reach the server modules (the graph is really walked)', () => {
    expect(reached).toEqual(expect.arrayContaining(['serve/server.ts', 'http/create-app.ts', 'acme/acme-server.ts', 'store/sqlite/sqlite-store.ts']));
    expect([...packages]).toEqual(expect.arrayContaining(['koa', 'pino', 'better-sqlite3']));
  });

  it('leave out the Kubernetes client and the cluster-mode code', () => {
    expect([...packages]).not.toContain('@kubernetes/client-node');
    expect(reached.filter((file) => /^(kube|controller)\/|^store\/kubernetes\/|^keystore\/kubernetes\/|^serve\/cluster-mode\.ts$/.test(file))).toEqual([]);
  });

  it('leave out the packages only some requests need (jose, the ASN.1 schemas, yaml)', () => {
    expect([...packages].filter((name) => ['jose', '@peculiar/asn1-schema', '@peculiar/asn1-x509', 'yaml'].includes(name))).toEqual([]);
  });
});
