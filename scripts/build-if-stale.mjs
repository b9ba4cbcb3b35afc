#!/usr/bin/env node
// `npm start` runs this first: the TypeScript build runs only when a source or build setting is
// newer than the last successful build (a stat of each input, no compiler start), so a built tree
// starts at once. `npm run build` runs it with --force: always build, then stamp.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The stamp written after each successful build; its mtime is the build's. */
export const STAMP = 'dist/.build-stamp';
const INPUT_DIRECTORIES = ['src', 'bench'];
const INPUT_FILES = ['tsconfig.json', 'tsconfig.build.json', 'src/console/browser/tsconfig.json', 'package.json', 'package-lock.json'];
/** The server and CLI, then the admin console's browser modules (DOM types, their own project). */
const BUILD_PROJECTS = ['tsconfig.build.json', 'src/console/browser/tsconfig.json'];

/** The input newer than the stamp (or a reason to build), or undefined when the build is current. */
export function staleReason(root) {
  const built = mtimeOf(join(root, STAMP));
  if (built === undefined) return 'no build yet';
  const inputs = [...INPUT_FILES.map((file) => join(root, file)), ...INPUT_DIRECTORIES.flatMap((dir) => sourceFiles(join(root, dir)))];
  return inputs.find((path) => (mtimeOf(path) ?? 0) > built);
}

function sourceFiles(dir) {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  return entries.flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

function mtimeOf(path) {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return undefined;
  }
}

function main(force) {
  const root = join(fileURLToPath(new URL('.', import.meta.url)), '..');
  const reason = force ? 'npm run build' : staleReason(root);
  if (reason === undefined) return 0;
  if (!force) process.stderr.write(`building (${reason.startsWith(root) ? `${reason.slice(root.length + 1)} changed` : reason})...\n`);
  // A source saved while the compiler runs is newer than the stamp, so the next start builds again.
  const started = new Date();
  for (const project of BUILD_PROJECTS) {
    const tsc = spawnSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(root, project)], { stdio: 'inherit' });
    if (tsc.status !== 0) return tsc.status ?? 1;
  }
  writeFileSync(join(root, STAMP), `${started.toISOString()}\n`);
  utimesSync(join(root, STAMP), started, started);
  return 0;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) process.exitCode = main(process.argv.includes('--force'));
