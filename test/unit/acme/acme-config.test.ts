import { describe, expect, it } from 'vitest';
import { defaultAcmeSettings } from '../../../src/acme/acme-settings.js';
import { Ipv4RangeSet } from '../../../src/ca/ip-ranges.js';
import { ACME_SERVE_FLAGS, acmeSettingsFrom } from '../../../src/cli/acme-flags.js';
import { parseFlags } from '../../../src/cli/flags.js';
import { buildAcmeConfig, describeAcmeConfig } from '../../../src/config/acme-config.js';
import { ConfigError } from '../../../src/config/config-error.js';

describe('buildAcmeConfig (--acme-* flags)', () => {
  it('has safe defaults: enabled, standard ports, limits on, knobs off', () => {
    const config = buildAcmeConfig();
    expect(config).toMatchObject({ enabled: true, eabRequired: false, http01Port: 80, tlsAlpn01Port: 443, validationAttempts: 3, validationDelayMs: 0, chaosNonceRejectPercent: 0 });
    expect(config.newAccountRate).toEqual({ max: 20, periodMs: 3_600_000 });
    expect(describeAcmeConfig(config)).not.toHaveProperty('chaosNonceRejectPercent');
  });

  it('reads every setting and names the hardening knobs when they are on', () => {
    const config = buildAcmeConfig({
      eabRequired: true,
      http01Port: '5002',
      tlsAlpn01Port: '5001',
      newOrderRate: '0',
      validationDelay: '2s',
      chaosNonceRejectPercent: '10',
      termsOfService: 'https://ca.internal/tos',
    });
    expect(config).toMatchObject({ eabRequired: true, http01Port: 5002, tlsAlpn01Port: 5001, newOrderRate: undefined, validationDelayMs: 2000, termsOfService: 'https://ca.internal/tos' });
    expect(describeAcmeConfig(config)).toMatchObject({ chaosValidationDelay: '2s', chaosNonceRejectPercent: 10, newOrderRate: 'off' });
    expect(describeAcmeConfig(buildAcmeConfig({ disabled: true }))).toEqual({ enabled: false });
  });

  it.each([
    [{ http01Port: '0' }, /acme-http01-port/],
    [{ tlsAlpn01Port: '70000' }, /acme-tls-alpn01-port/],
    [{ maxIdentifiers: 'many' }, /acme-max-identifiers/],
    [{ chaosNonceRejectPercent: '101' }, /reject-percent/],
    [{ validationAttempts: '0' }, /acme-validation-attempts/],
    [{ website: 'ftp://x' }, /acme-website/],
    [{ reuseValidAuthz: 'maybe' }, /acme-reuse-valid-authz must be true or false/],
  ])('refuses %j', (settings, message) => {
    expect(() => buildAcmeConfig(settings)).toThrow(ConfigError);
    expect(() => buildAcmeConfig(settings)).toThrow(message);
  });
});

describe('--acme-reuse-valid-authz (RFC 8555 §7.4 authorization reuse)', () => {
  const command = { name: 'serve', summary: '', usage: '', flags: ACME_SERVE_FLAGS, run: async () => 0 };
  const reuse = (argv: string[], env: NodeJS.ProcessEnv = {}) => buildAcmeConfig(acmeSettingsFrom(parseFlags(command, argv, env).flags)).reuseValidAuthz;

  it('is on by default, in the config and in the ACME settings', () => {
    expect(reuse([])).toBe(true);
    expect(describeAcmeConfig(buildAcmeConfig())).toMatchObject({ reuseValidAuthz: true });
    expect(defaultAcmeSettings(Ipv4RangeSet.parse('10.0.0.0/8')).reuseValidAuthorizations).toBe(true);
  });

  it('is turned off by the flag or its environment variable', () => {
    expect(reuse(['--acme-reuse-valid-authz', 'false'])).toBe(false);
    expect(reuse(['--acme-reuse-valid-authz=off'])).toBe(false);
    expect(reuse([], { SMSGATE_CA_ACME_REUSE_VALID_AUTHZ: 'no' })).toBe(false);
    expect(reuse(['--acme-reuse-valid-authz', 'TRUE'], { SMSGATE_CA_ACME_REUSE_VALID_AUTHZ: 'false' })).toBe(true);
    expect(describeAcmeConfig(buildAcmeConfig({ reuseValidAuthz: '0' }))).toMatchObject({ reuseValidAuthz: false });
  });
});
