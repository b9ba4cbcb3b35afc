import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../../../src/cli/commands.js';
import { CONFIG_FLAG } from '../../../src/cli/flags.js';
import { REPO_ROOT } from '../../support/helm.js';

/** Every option of smsgate-ca: each command's flags (from the settings tables for serve), --config, and the global ones. */
const OPTIONS = new Set([...COMMANDS.flatMap((command) => command.flags.map((flag) => flag.name)), CONFIG_FLAG.name, 'help', 'version', 'timeout']);

/** Options of other programs the CLI reference shows (curl, kubectl), and the placeholder of an error message. */
const NOT_OURS = new Set(['cacert', 'cert', 'key', 'x', 'subresource', 'server-side']);

describe("README's CLI reference names only flags smsgate-ca has", () => {
  const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
  const start = readme.indexOf('## CLI reference');
  const reference = readme.slice(start, readme.indexOf('\n## ', start + 1));
  const named = [...new Set([...reference.matchAll(/(?<![\w-])--([a-z][a-z0-9-]*)/g)].map((match) => match[1]!))];

  it('reads the section (the search is really made)', () => {
    expect(named).toEqual(expect.arrayContaining(['listen', 'allowed-cidrs', 'acme-max-identifiers', 'crl-validity', 'url']));
  });

  it('every --flag it names exists; "--acme-*" style prefixes name some flag', () => {
    const unknown = named.filter((name) => !NOT_OURS.has(name) && !(name.endsWith('-') ? [...OPTIONS].some((option) => option.startsWith(name)) : OPTIONS.has(name)));
    expect(unknown).toEqual([]);
  });

  it('the check itself fails on a flag no command has', () => {
    expect(OPTIONS.has('acme-max-identifier')).toBe(false);
    expect(OPTIONS.has('acme-max-identifiers')).toBe(true);
  });
});
