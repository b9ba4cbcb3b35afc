import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { REPO_ROOT, helmNotes, helmTemplate, kubeTools, runHelm } from '../support/helm.js';
import { containerOf } from './chart/chart-fixtures.js';

/**
 * The release workflow cannot run here (no GitHub, no Docker), so this checks what it promises:
 * it runs on version tags only, builds amd64 and arm64 images and pushes them, and packages the
 * chart with version and appVersion from the tag. The two shell steps that compute those values
 * are run for real: the tag step with bash, the packaging step with helm 4 on a copy of the chart.
 */

interface Step {
  readonly name?: string;
  readonly id?: string;
  readonly uses?: string;
  readonly run?: string;
  readonly with?: Record<string, string | boolean>;
  readonly env?: Record<string, string>;
}

interface Job {
  readonly needs?: string | string[];
  readonly permissions?: Record<string, string>;
  readonly steps: Step[];
}

interface Workflow {
  readonly on: Record<string, { tags?: string[]; branches?: string[] } | null>;
  readonly permissions?: Record<string, string>;
  readonly jobs: Record<string, Job>;
}

const WORKFLOW = parse(readFileSync(join(REPO_ROOT, '.github/workflows/release.yaml'), 'utf8')) as Workflow;
const publish = WORKFLOW.jobs['publish']!;
const scratch: string[] = [];

afterAll(() => {
  for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
});

function step(name: string): Step {
  const found = publish.steps.find((item) => item.name === name);
  if (!found) throw new Error(`no step "${name}" in the publish job`);
  return found;
}

function stepUsing(action: string): Step {
  const found = publish.steps.find((item) => item.uses?.split('@')[0] === action);
  if (!found) throw new Error(`no step uses ${action}`);
  return found;
}

/** GitHub's filter patterns (`*`, `+`, `?`, `[]`) as a regular expression. */
function filterPattern(pattern: string): RegExp {
  let source = '';
  for (let i = 0; i < pattern.length; i += 1) {
    const char = pattern[i]!;
    if (char === '[') {
      const end = pattern.indexOf(']', i);
      source += pattern.slice(i, end + 1);
      i = end;
    } else if (char === '*') source += pattern[i + 1] === '*' ? '.*' : '[^/]*';
    else if (char === '+' || char === '?') source += char;
    else source += char.replace(/[.\\^$|(){}]/g, '\\$&');
    if (char === '*' && pattern[i + 1] === '*') i += 1;
  }
  return new RegExp(`^${source}$`);
}

function triggeredBy(tag: string): boolean {
  return (WORKFLOW.on['push']?.tags ?? []).some((pattern) => filterPattern(pattern).test(tag));
}

/** `${{ steps.ID.outputs.NAME }}` replaced from the outputs; any other expression is an error. */
function expand(text: string, outputs: Record<string, Record<string, string>>): string {
  return text.replace(/\$\{\{\s*steps\.(\w+)\.outputs\.([\w-]+)\s*\}\}/g, (_, id: string, name: string) => outputs[id]?.[name] ?? '').replace(/\$\{\{[^}]*\}\}/g, (expression) => {
    throw new Error(`cannot evaluate ${expression} here`);
  });
}

/** Runs a step's script with bash as the runner would, and returns what it wrote to $GITHUB_OUTPUT. */
function runStep(script: string, env: Record<string, string>, cwd: string): { status: number; stderr: string; outputs: Record<string, string> } {
  const outputFile = join(cwd, `github-output-${Math.random().toString(16).slice(2)}`);
  const result = spawnSync('bash', ['-e', '-c', script], { cwd, encoding: 'utf8', env: { PATH: process.env.PATH, HOME: cwd, GITHUB_OUTPUT: outputFile, ...env } });
  let text = '';
  try {
    text = readFileSync(outputFile, 'utf8');
  } catch {
    text = '';
  }
  const outputs = Object.fromEntries(text.split('\n').filter(Boolean).map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]));
  return { status: result.status ?? -1, stderr: `${result.stderr}${result.stdout}`, outputs };
}

function versionOutputs(tag: string): ReturnType<typeof runStep> {
  const dir = mkdtempSync(join(tmpdir(), 'smsgate-ca-release-'));
  scratch.push(dir);
  return runStep(step('Version from the tag').run!, { GITHUB_REF_NAME: tag, GITHUB_REPOSITORY_OWNER: 'Example-Org' }, dir);
}

describe('.github/workflows/release.yaml', () => {
  it('runs on version tags only', () => {
    expect(Object.keys(WORKFLOW.on)).toEqual(['push']);
    expect(WORKFLOW.on['push']?.branches).toBeUndefined();
    for (const tag of ['v0.1.0', 'v1.2.3', 'v10.20.30', 'v1.2.3-rc.1']) expect(triggeredBy(tag), tag).toBe(true);
    for (const tag of ['1.2.3', 'v1.2', 'latest', 'vnext', 'release-1.2.3']) expect(triggeredBy(tag), tag).toBe(false);
  });

  it('publishes only after the test suite passed, with write access to packages only there', () => {
    expect(publish.needs).toBe('test');
    expect(WORKFLOW.jobs['test']!.steps.some((item) => item.run === '.ci/run')).toBe(true);
    expect(WORKFLOW.permissions).toEqual({ contents: 'read' });
    expect(publish.permissions).toEqual({ contents: 'read', packages: 'write' });
  });

  it('builds and pushes the image for amd64 and arm64, with QEMU and buildx set up first', () => {
    const index = (action: string) => publish.steps.indexOf(stepUsing(action));
    const build = stepUsing('docker/build-push-action');
    expect(String(build.with?.['platforms']).split(',').map((p) => p.trim()).sort()).toEqual(['linux/amd64', 'linux/arm64']);
    expect(build.with?.['push']).toBe(true);
    expect(build.with?.['build-args']).toContain('VERSION=${{ steps.version.outputs.version }}');
    expect(build.with?.['tags']).toBe('${{ steps.meta.outputs.tags }}');
    expect(stepUsing('docker/metadata-action').with?.['images']).toBe('${{ steps.version.outputs.registry }}/${{ steps.version.outputs.repository }}');
    expect(index('docker/setup-qemu-action')).toBeLessThan(index('docker/build-push-action'));
    expect(index('docker/setup-buildx-action')).toBeLessThan(index('docker/build-push-action'));
    expect(index('docker/login-action')).toBeLessThan(index('docker/build-push-action'));
  });

  it('derives the version and the image and chart locations from the tag', () => {
    expect(versionOutputs('v1.2.3')).toMatchObject({
      status: 0,
      outputs: { version: '1.2.3', registry: 'ghcr.io', repository: 'example-org/smsgate-ca', charts: 'oci://ghcr.io/example-org/charts' },
    });
    expect(versionOutputs('v2.0.0-rc.1').outputs['version']).toBe('2.0.0-rc.1');
    const refused = versionOutputs('v1.2.3+build');
    expect(refused.status).not.toBe(0);
    expect(refused.stderr).toContain('is not a version tag');
  });

  it('packages a chart with version and appVersion from the tag, pointing at the pushed image, and pushes it to OCI', () => {
    const { outputs } = versionOutputs('v1.2.3');
    const work = mkdtempSync(join(tmpdir(), 'smsgate-ca-release-chart-'));
    scratch.push(work);
    for (const dir of ['charts', 'scripts']) cpSync(join(REPO_ROOT, dir), join(work, dir), { recursive: true });
    symlinkSync(join(REPO_ROOT, 'node_modules'), join(work, 'node_modules'));
    const packaging = step('Package the chart');
    const env = Object.fromEntries(Object.entries(packaging.env ?? {}).map(([key, value]) => [key, expand(value, { version: outputs })]));
    const helmDir = dirname(kubeTools().helm);
    const result = runStep(packaging.run!, { ...env, PATH: `${helmDir}:${process.env.PATH}`, HELM_CONFIG_HOME: join(work, 'helm'), HELM_CACHE_HOME: join(work, 'helm') }, work);
    expect(result.status, result.stderr).toBe(0);

    expect(readdirSync(join(work, 'release'))).toEqual(['smsgate-ca-1.2.3.tgz']);
    const chart = join(work, 'release/smsgate-ca-1.2.3.tgz');
    expect(parse(runHelm(['show', 'chart', chart]).stdout)).toMatchObject({ name: 'smsgate-ca', version: '1.2.3', appVersion: '1.2.3' });
    expect(containerOf(helmTemplate({ chart })).image).toBe('ghcr.io/example-org/smsgate-ca:1.2.3');
    expect(helmNotes({ chart })).not.toContain('unpublished');

    const push = step('Push the chart');
    expect(push.run).toContain('helm push "release/smsgate-ca-${VERSION}.tgz" "$CHARTS"');
    expect(push.env).toMatchObject({ VERSION: '${{ steps.version.outputs.version }}', CHARTS: '${{ steps.version.outputs.charts }}' });
  });
});
