import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * The console's browser modules, compiled by src/console/browser/tsconfig.json into
 * dist/src/console/browser/: beside this file once built, or under dist/ when this file runs from
 * src/ (vitest). Read once; the router serves nothing else under /console/*.js.
 */
const CANDIDATES = ['./browser/', '../../dist/src/console/browser/'];
export const CONSOLE_ENTRY = 'main.js';
const MODULE_NAME = /^[a-z][a-z-]*\.js$/;

export function loadConsoleScripts(): ReadonlyMap<string, string> {
  const directory = CANDIDATES.map((candidate) => fileURLToPath(new URL(candidate, import.meta.url))).find((path) => existsSync(`${path}${CONSOLE_ENTRY}`));
  if (!directory) return new Map();
  return new Map(
    readdirSync(directory)
      .filter((name) => MODULE_NAME.test(name))
      .map((name) => [name, readFileSync(`${directory}${name}`, 'utf8')]),
  );
}
