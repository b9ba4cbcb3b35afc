import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/cli.js';

/**
 * README.md and docs/ must not send a reader outside the repository: a clone has no ../shared.
 * Relative links must name a file of the repository; web links (https://) are fine.
 */
const DOCUMENTS = ['README.md', 'docs/ARCHITECTURE.md'];

function markdownLinks(text: string): string[] {
  return [...text.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)].map((match) => match[1]!);
}

/** Paths written as code that climb out of the folder, e.g. `../shared/DESIGN.md`. */
function climbingPaths(text: string): string[] {
  return [...text.matchAll(/`([^`\s]*\.\.\/[^`\s]*)`/g)].map((match) => match[1]!);
}

const isWebLink = (target: string) => /^(https?:|mailto:)/.test(target);

describe.each(DOCUMENTS)('%s', (document) => {
  const text = readFileSync(join(REPO_ROOT, document), 'utf8');
  const links = markdownLinks(text);

  it('links only to files inside the repository', () => {
    const outside = links
      .filter((target) => !isWebLink(target) && !target.startsWith('#'))
      .map((target) => target.split('#')[0]!)
      .filter((target) => {
        const path = resolve(REPO_ROOT, document, '..', target);
        const inside = relative(REPO_ROOT, path);
        return inside.startsWith('..') || isAbsolute(inside) || !existsSync(path);
      });
    expect(outside).toEqual([]);
  });

  it('names no path outside the repository', () => {
    expect(climbingPaths(text)).toEqual([]);
  });
});

describe('the checks can fail', () => {
  it('README has links to check (the parser really reads them)', () => {
    expect(markdownLinks(readFileSync(join(REPO_ROOT, 'README.md'), 'utf8'))).toContain('docs/ARCHITECTURE.md');
  });

  it('catch a link and a code path that leave the repository', () => {
    const sample = 'See [design](../shared/DESIGN.md) and `../shared/DESIGN.md`, [ok](docs/ARCHITECTURE.md), [web](https://example.org/x).';
    expect(markdownLinks(sample)).toEqual(['../shared/DESIGN.md', 'docs/ARCHITECTURE.md', 'https://example.org/x']);
    expect(climbingPaths(sample)).toEqual(['../shared/DESIGN.md']);
  });
});
