import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Command } from '../../../src/cli/command.js';
import { UsageError } from '../../../src/cli/command.js';
import { formatHelp, parseFlags } from '../../../src/cli/flags.js';

const command: Command = {
  name: 'demo',
  summary: 'a demo command',
  usage: 'smsgate-ca demo [--out FILE] IP',
  flags: [
    { name: 'out', type: 'string', description: 'output file', default: 'server.crt' },
    { name: 'timeout', short: 't', type: 'string', description: 'how long to wait', env: 'DEMO_TIMEOUT' },
    { name: 'verbose', type: 'boolean', description: 'say more' },
    { name: 'secret', type: 'string', description: 'never from env', env: false },
  ],
  positionals: { min: 1, max: 1, names: 'IP' },
  run: async () => 0,
};

describe('parseFlags', () => {
  it('flags win over env, env over defaults', () => {
    const env = { SMSGATE_CA_OUT: 'env.crt', DEMO_TIMEOUT: '5s', SMSGATE_CA_VERBOSE: 'yes', SMSGATE_CA_SECRET: 'leak' };
    const fromEnv = parseFlags(command, ['10.0.0.1'], env);
    expect(fromEnv.flags).toEqual({ out: 'env.crt', timeout: '5s', verbose: true, secret: undefined });
    const fromFlags = parseFlags(command, ['--out=x.crt', '-t', '9s', '10.0.0.1'], env);
    expect(fromFlags.flags['out']).toBe('x.crt');
    expect(fromFlags.flags['timeout']).toBe('9s');
    expect(parseFlags(command, ['10.0.0.1'], {}).flags['out']).toBe('server.crt');
  });

  it('a --config file sits between the environment and the defaults', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'flags-')), 'settings.yaml');
    writeFileSync(file, 'out: file.crt\ntimeout: 7s\nverbose: true\n');
    const fromFile = parseFlags(command, ['--config', file, '10.0.0.1'], {});
    expect(fromFile.flags).toEqual({ out: 'file.crt', timeout: '7s', verbose: true, secret: undefined });
    const envWins = parseFlags(command, ['10.0.0.1'], { SMSGATE_CA_CONFIG: file, DEMO_TIMEOUT: '1s' });
    expect(envWins.flags['timeout']).toBe('1s');
    expect(envWins.flags['out']).toBe('file.crt');
    expect(parseFlags(command, ['--config', file, '--out', 'flag.crt', '10.0.0.1'], {}).flags['out']).toBe('flag.crt');
  });

  it('a --config file that is missing or has an unknown key is a usage error', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'flags-')), 'typo.yaml');
    writeFileSync(file, 'outt: x\n');
    expect(() => parseFlags(command, ['--config', file, '10.0.0.1'], {})).toThrow(/unknown setting "outt"/);
    expect(() => parseFlags(command, ['--config', `${file}.missing`, '10.0.0.1'], {})).toThrow(/cannot read the configuration file .*ENOENT/);
  });

  it('rejects unknown flags, missing and extra positionals, and bad booleans in env', () => {
    expect(() => parseFlags(command, ['--nope', '1.2.3.4'], {})).toThrow(UsageError);
    expect(() => parseFlags(command, [], {})).toThrow(/missing argument IP/);
    expect(() => parseFlags(command, ['a', 'b'], {})).toThrow(/unexpected argument "b"/);
    expect(() => parseFlags(command, ['a'], { SMSGATE_CA_VERBOSE: 'maybe' })).toThrow(/true or false/);
  });

  it('help lists every flag with its default and environment variable', () => {
    const help = formatHelp(command);
    expect(help).toMatch(/--out VALUE\s+output file \(default server\.crt; env SMSGATE_CA_OUT\)/);
    expect(help).toMatch(/-t, --timeout VALUE\s+how long to wait \(env DEMO_TIMEOUT\)/);
    expect(help).toMatch(/--secret VALUE\s+never from env\n/);
  });
});
