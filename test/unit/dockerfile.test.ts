import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const ROOT = new URL('../../', import.meta.url).pathname;
const read = (file: string) => readFileSync(join(ROOT, file), 'utf8');

interface Instruction {
  readonly keyword: string;
  readonly args: string;
  readonly line: number;
}

interface Stage {
  readonly name: string | undefined;
  readonly base: string;
  readonly instructions: Instruction[];
}

/** Dockerfile syntax as BuildKit reads it: comments, `\` continuations, global ARGs before the first FROM. */
function parseDockerfile(text: string): { globalArgs: Map<string, string>; stages: Stage[] } {
  const instructions: Instruction[] = [];
  let pending = '';
  let startLine = 0;
  text.split('\n').forEach((raw, index) => {
    const line = raw.trim();
    if (line.startsWith('#') || (line === '' && pending === '')) return;
    if (pending === '') startLine = index + 1;
    pending += `${line.replace(/\\$/, '')} `;
    if (line.endsWith('\\')) return;
    const [keyword = '', ...rest] = pending.trim().split(/\s+/);
    instructions.push({ keyword: keyword.toUpperCase(), args: rest.join(' '), line: startLine });
    pending = '';
  });
  const globalArgs = new Map<string, string>();
  const stages: Stage[] = [];
  for (const instruction of instructions) {
    if (instruction.keyword === 'FROM') {
      const [image = '', as, name] = instruction.args.split(' ');
      const base = image.replace(/\$\{(\w+)\}|\$(\w+)/g, (_match, a: string, b: string) => globalArgs.get(a ?? b) ?? '');
      stages.push({ name: as?.toUpperCase() === 'AS' ? name : undefined, base, instructions: [] });
    } else if (stages.length === 0 && instruction.keyword === 'ARG') {
      const [key = '', value = ''] = instruction.args.split('=');
      globalArgs.set(key, value);
    } else {
      stages.at(-1)?.instructions.push(instruction);
    }
  }
  return { globalArgs, stages };
}

const dockerfile = parseDockerfile(read('Dockerfile'));
const runtime = dockerfile.stages.at(-1)!;
const packageJson = JSON.parse(read('package.json')) as { version: string; license: string };
const of = (stage: Stage, keyword: string) => stage.instructions.filter((instruction) => instruction.keyword === keyword);
const stageNamed = (name: string) => dockerfile.stages.find((stage) => stage.name === name);

/** Follows `FROM <earlier stage>` chains so a stage inherits the RUNs of the stage it builds on. */
function lineage(stage: Stage): Stage[] {
  const parent = stageNamed(stage.base);
  return parent ? [...lineage(parent), stage] : [stage];
}
const runsOf = (stage: Stage) => lineage(stage).flatMap((item) => of(item, 'RUN').map((run) => run.args));

describe('Dockerfile', () => {
  it('is multi-stage, with named stages and pinned (non-latest) base images', () => {
    expect(dockerfile.stages.length).toBeGreaterThanOrEqual(3);
    for (const stage of dockerfile.stages) {
      expect(stage.name, `FROM ${stage.base}`).toBeTruthy();
      if (stageNamed(stage.base)) continue;
      expect(stage.base).not.toMatch(/:latest$|^[^:@]+$/);
    }
  });

  it('compiles in a build stage that installs every dependency with npm ci', () => {
    const build = dockerfile.stages.find((stage) => runsOf(stage).some((run) => run.includes('npm run build')));
    expect(build, 'a stage runs npm run build').toBeDefined();
    const runs = runsOf(build!);
    expect(runs.some((run) => /\bnpm ci\b/.test(run) && !run.includes('--omit=dev'))).toBe(true);
    expect(runtime.instructions.some((instruction) => instruction.args.includes(`--from=${build!.name}`))).toBe(true);
  });

  it('takes production dependencies only from a stage that ran npm ci --omit=dev', () => {
    const copies = of(runtime, 'COPY').filter((copy) => copy.args.includes('node_modules'));
    expect(copies).toHaveLength(1);
    const from = /--from=(\S+)/.exec(copies[0]!.args)?.[1];
    const source = stageNamed(from ?? '');
    expect(source, `stage ${from}`).toBeDefined();
    expect(runsOf(source!).some((run) => /\bnpm ci\b.*--omit=dev/.test(run))).toBe(true);
  });

  it('ships a slim runtime: a different base than the build, no compiler or npm install in it', () => {
    const buildBases = dockerfile.stages.slice(0, -1).map((stage) => stage.base);
    expect(buildBases).not.toContain(runtime.base);
    expect(runtime.base).toMatch(/distroless|slim|alpine/);
    expect(of(runtime, 'RUN').map((run) => run.args).join('\n')).not.toMatch(/npm (ci|install)|apt-get|g\+\+/);
  });

  it('runs as the non-root user 65532', () => {
    const users = of(runtime, 'USER');
    expect(users.length).toBeGreaterThan(0);
    const [uid, gid] = users.at(-1)!.args.split(':');
    expect(uid).toBe('65532');
    expect(gid ?? '65532').toBe('65532');
  });

  it('works on a read-only root filesystem: data and temp directories are volumes', () => {
    const volumes = of(runtime, 'VOLUME').flatMap((volume) => JSON.parse(volume.args) as string[]);
    expect(volumes).toEqual(expect.arrayContaining(['/data', '/tmp']));
    const env = of(runtime, 'ENV').map((item) => item.args).join(' ');
    expect(env).toContain('SMSGATE_CA_DATA_DIR=/data');
    expect(env).toContain('TMPDIR=/tmp');
    const dataCopy = of(runtime, 'COPY').find((copy) => copy.args.trim().endsWith(' /data'));
    expect(dataCopy?.args, '/data is created owned by the runtime user').toContain('--chown=65532:65532');
  });

  it('exposes the port the server and the chart use', () => {
    const values = parse(read('charts/smsgate-ca/values.yaml')) as { containerPort: number };
    expect(of(runtime, 'EXPOSE').map((item) => item.args)).toEqual([String(values.containerPort)]);
  });

  it('carries the OCI labels, with version and licence from package.json', () => {
    const labels = new Map(
      of(runtime, 'LABEL').flatMap((label) =>
        [...label.args.matchAll(/([\w.-]+)="([^"]*)"/g)].map((match) => [match[1]!, match[2]!] as const),
      ),
    );
    for (const key of ['title', 'description', 'version', 'revision', 'licenses', 'source']) {
      expect(labels.get(`org.opencontainers.image.${key}`), key).toBeTruthy();
    }
    expect(labels.get('org.opencontainers.image.licenses')).toBe(packageJson.license);
    expect(labels.get('org.opencontainers.image.version')).toBe('${VERSION}');
    expect(of(runtime, 'ARG').map((arg) => arg.args)).toContain(`VERSION=${packageJson.version}`);
  });

  it('starts the CLI in exec form, serve by default', () => {
    const [entrypoint] = of(runtime, 'ENTRYPOINT');
    expect(JSON.parse(entrypoint!.args)).toEqual(['/nodejs/bin/node', '/app/bin/smsgate-ca.js']);
    expect(JSON.parse(of(runtime, 'CMD')[0]!.args)).toEqual(['serve']);
  });

  it('has one exec-form HEALTHCHECK on /healthz', () => {
    const checks = of(runtime, 'HEALTHCHECK');
    expect(checks).toHaveLength(1);
    const json = checks[0]!.args.slice(checks[0]!.args.indexOf('CMD ') + 4);
    const command = JSON.parse(json) as string[];
    expect(command[0]).toBe('node');
    expect(command.join(' ')).toContain("path:'/healthz'");
  });

  it('copies only files that exist and that .dockerignore lets into the context', () => {
    const ignore = read('.dockerignore')
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line && !line.startsWith('#'));
    expect(ignore[0], '.dockerignore is an allow-list').toBe('**');
    const allowed = ignore.filter((line) => line.startsWith('!')).map((line) => line.slice(1).replace(/\/\*\*$/, ''));
    const sources = dockerfile.stages
      .flatMap((stage) => of(stage, 'COPY'))
      .filter((copy) => !copy.args.includes('--from='))
      .flatMap((copy) => copy.args.split(' ').filter((part) => !part.startsWith('--')).slice(0, -1));
    expect(sources.length).toBeGreaterThan(3);
    for (const source of sources) {
      expect(existsSync(join(ROOT, source)), source).toBe(true);
      expect(allowed, source).toContain(source);
    }
    for (const secret of ['node_modules', 'data', '.git', 'dist', '.tmp']) expect(allowed).not.toContain(secret);
  });
});
