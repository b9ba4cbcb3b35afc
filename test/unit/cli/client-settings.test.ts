import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { describeTarget, privateCommand, webhooksCommand } from '../../../src/cli/client-command.js';
import { loadDotEnv } from '../../../src/cli/dotenv.js';
import { parseFlags } from '../../../src/cli/flags.js';
import { parseGlobalOptions } from '../../../src/cli/global-options.js';
import { runCli } from '../../../src/cli/run.js';

/** Where each client setting comes from; nothing here sends a request. */
describe('client command settings', () => {
  it.each([
    ['ASG_CA_URL', 'url', 'https://127.0.0.1:1/api/v1'],
    ['SMSGATE_CA_URL', 'url', 'https://127.0.0.1:2/api/v1'],
    ['ASG_CA_CA_FILE', 'ca-file', 'root-a.crt'],
    ['SMSGATE_CA_CA_FILE', 'ca-file', 'root-b.crt'],
    ['ASG_CA_TIMEOUT', 'timeout', '5s'],
    ['SMSGATE_CA_TIMEOUT', 'timeout', '6s'],
    ['SMSGATE_CA_OUT', 'out', 'env.crt'],
    ['SMSGATE_CA_KEYOUT', 'keyout', 'env.key'],
  ])('%s sets --%s of webhooks and private', (variable, flag, value) => {
    for (const command of [webhooksCommand, privateCommand]) {
      expect(parseFlags(command, ['192.168.1.10'], { [variable]: value }).flags[flag]).toBe(value);
    }
  });

  it('the SMSGate name wins over the SMSGATE_CA_ one, a flag over both', () => {
    const env = { ASG_CA_URL: 'https://127.0.0.1:1/api/v1', SMSGATE_CA_URL: 'https://127.0.0.1:2/api/v1' };
    expect(parseFlags(webhooksCommand, ['192.168.1.10'], env).flags['url']).toBe(env.ASG_CA_URL);
    expect(parseFlags(webhooksCommand, ['--url', 'https://127.0.0.1:3/api/v1', '192.168.1.10'], env).flags['url']).toBe('https://127.0.0.1:3/api/v1');
  });

  it('without any setting the URL is the public SMSGate CA, as with the Go client, and the progress line says so', () => {
    const { flags } = parseFlags(webhooksCommand, ['192.168.1.10'], {});
    expect(flags).toMatchObject({ url: 'https://ca.sms-gate.app/api/v1', out: 'server.crt', keyout: 'server.key', timeout: '30s' });
    expect(describeTarget(new URL(`${String(flags['url'])}/`))).toBe('https://ca.sms-gate.app/api/v1/ (the public SMSGate CA; --url or ASG_CA_URL names your own server)');
    expect(describeTarget(new URL('https://127.0.0.1:8443/api/v1/'))).toBe('https://127.0.0.1:8443/api/v1/');
  });
});

describe('.env', () => {
  it('is read from the given directory without overriding variables already set', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dotenv-'));
    writeFileSync(join(dir, '.env'), '# comment\nASG_CA_URL=https://127.0.0.1:9/api/v1\nexport ASG_CA_TIMEOUT="7s"\nSMSGATE_CA_CA_FILE=from-dotenv.crt\n');
    const env: NodeJS.ProcessEnv = { SMSGATE_CA_CA_FILE: 'already-set.crt' };
    await loadDotEnv(env, dir);
    expect(env).toEqual({ ASG_CA_URL: 'https://127.0.0.1:9/api/v1', ASG_CA_TIMEOUT: '7s', SMSGATE_CA_CA_FILE: 'already-set.crt' });
  });

  it('a missing file is fine; an unreadable one is exit code 1', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dotenv-'));
    const env: NodeJS.ProcessEnv = {};
    await loadDotEnv(env, dir);
    expect(env).toEqual({});
    mkdirSync(join(dir, '.env'));
    const stderr = collect();
    expect(await runCli(['--version'], { stdout: collect(), stderr, env, cwd: dir })).toBe(1);
    expect(stderr.text()).toMatch(/cannot load .*\.env: EISDIR/);
  });
});

describe('global options', () => {
  it.each([
    [['-t', '10s', 'webhooks', '10.0.0.1'], '10s'],
    [['--timeout', '10s', 'wh', '10.0.0.1'], '10s'],
    [['--timeout=1m', 'p', '10.0.0.1'], '1m'],
    [['-t=2s', 'private', '10.0.0.1'], '2s'],
    [['webhooks', '-t', '10s', '10.0.0.1'], undefined],
  ])('%j', (argv, timeout) => {
    const parsed = parseGlobalOptions(argv);
    expect(parsed.timeout).toBe(timeout);
    expect(parsed.rest[0]).toMatch(/^(webhooks|wh|p|private)$/);
  });

  it('--version and -v print the version like the Go client', async () => {
    for (const flag of ['--version', '-v']) {
      const stdout = collect();
      expect(await runCli([flag], { stdout, stderr: collect(), env: {} })).toBe(0);
      expect(stdout.text()).toMatch(/^smsgate-ca version \d+\.\d+\.\d+\n$/);
    }
  });

  it('an unknown option names itself and the help to read', async () => {
    const cases: Array<[string[], string]> = [
      [['serve', '--x'], 'smsgate-ca serve: unknown option --x (see smsgate-ca serve --help)\n'],
      [['--x', 'serve'], 'smsgate-ca: unknown option --x (see smsgate-ca --help)\n'],
      [['webhooks', '--url'], 'smsgate-ca webhooks: option --url needs a value (see smsgate-ca webhooks --help)\n'],
      [['-t', '5s', 'serve'], 'smsgate-ca serve: --timeout applies to webhooks and private only, not to serve\n'],
    ];
    for (const [argv, message] of cases) {
      const stderr = collect();
      expect(await runCli(argv, { stdout: collect(), stderr, env: {} })).toBe(1);
      expect(stderr.text()).toBe(message);
    }
  });
});

function collect(): Writable & { text(): string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk.toString('utf8'));
      done();
    },
  });
  return Object.assign(stream, { text: () => chunks.join('') });
}
