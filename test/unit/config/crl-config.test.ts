import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseFlags } from '../../../src/cli/flags.js';
import { serveCommand } from '../../../src/cli/serve-command.js';
import { ConfigError } from '../../../src/config/config-error.js';
import { buildCrlConfig, describeCrlConfig, parseCrlUrl } from '../../../src/config/crl-config.js';
import { buildServeConfig, describeConfig } from '../../../src/config/serve-config.js';

describe('CRL settings', () => {
  it('default: no distribution point, 24h validity', () => {
    expect(buildCrlConfig({})).toEqual({ url: undefined, validityMs: 24 * 3_600_000 });
    expect(buildServeConfig({}).crl).toEqual({ url: undefined, validityMs: 24 * 3_600_000 });
    expect(describeConfig(buildServeConfig({}))).toMatchObject({ crl: { url: 'off', validity: '24h' } });
  });

  it.each([
    ['http://10.0.0.2:8080/crl', 'http://10.0.0.2:8080/crl'],
    ['http://crl.ca.internal/crl', 'http://crl.ca.internal/crl'],
    ['HTTP://CRL.CA.INTERNAL:80/ca.crl', 'http://crl.ca.internal/ca.crl'],
    ['http://10.0.0.2:8080', 'http://10.0.0.2:8080/'],
  ])('accepts %s as %s', (text, href) => {
    expect(parseCrlUrl(text)).toBe(href);
  });

  it.each([
    ['https://10.0.0.2/crl', /must be an http:\/\//],
    ['ldap://ldap.internal/cn=ca', /must be an http:\/\//],
    ['/crl', /not an absolute URL/],
    ['10.0.0.2:8080/crl', /not an absolute URL/],
    ['http://user:pw@10.0.0.2/crl', /credentials/],
    ['http://10.0.0.2/crl#x', /fragment/],
  ])('refuses %s', (text, message) => {
    expect(() => parseCrlUrl(text)).toThrow(ConfigError);
    expect(() => parseCrlUrl(text)).toThrow(message);
  });

  it.each([
    ['90m', 90 * 60_000],
    ['1m', 60_000],
    ['240h', 240 * 3_600_000],
  ])('reads crl-validity %s', (text, ms) => {
    expect(buildCrlConfig({ 'crl-validity': text }).validityMs).toBe(ms);
  });

  it.each(['59s', '241h', '0', 'soon'])('refuses crl-validity %s', (text) => {
    expect(() => buildCrlConfig({ 'crl-validity': text })).toThrow(ConfigError);
  });

  it('reaches the serve config from flags, the environment and the config file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'smsgate-ca-crl-config-'));
    try {
      const file = join(dir, 'smsgate-ca.yaml');
      writeFileSync(file, 'crl-url: http://10.0.0.2:8080/crl\ncrl-validity: 12h\n');
      const fromFile = parseFlags(serveCommand, ['--config', file], {}).flags;
      expect([fromFile['crl-url'], fromFile['crl-validity']]).toEqual(['http://10.0.0.2:8080/crl', '12h']);
      const fromEnv = parseFlags(serveCommand, [], { SMSGATE_CA_CRL_URL: 'http://crl.ca.internal/crl' }).flags;
      expect(fromEnv['crl-url']).toBe('http://crl.ca.internal/crl');
      const fromFlag = parseFlags(serveCommand, ['--config', file, '--crl-validity', '2h'], {}).flags;
      expect(fromFlag['crl-validity']).toBe('2h');
      expect(buildServeConfig({ 'crl-url': fromFile['crl-url'] as string, 'crl-validity': fromFlag['crl-validity'] as string }).crl).toEqual({
        url: 'http://10.0.0.2:8080/crl',
        validityMs: 2 * 3_600_000,
      });
      expect(parseFlags(serveCommand, [], {}).flags['crl-validity']).toBe('24h');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('crl-listen', () => {
  it('is off by default and parses HOST:PORT when given', () => {
    expect(buildCrlConfig({}).listen).toBeUndefined();
    expect(buildCrlConfig({ 'crl-listen': '0.0.0.0:8080' }).listen).toEqual({ host: '0.0.0.0', port: 8080 });
    expect(describeCrlConfig(buildCrlConfig({ 'crl-listen': '127.0.0.1:0' })).listen).toBe('127.0.0.1:0');
  });

  it('refuses a malformed address', () => {
    expect(() => buildCrlConfig({ 'crl-listen': 'http://x:80' })).toThrowError(ConfigError);
  });
});
