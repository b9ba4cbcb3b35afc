import { describe, expect, it } from 'vitest';
import { acmeSettings } from '../../../src/acme/acme-settings.js';
import { Ipv4RangeSet } from '../../../src/ca/ip-ranges.js';
import { parseFlags } from '../../../src/cli/flags.js';
import { ACME_SETTINGS, buildAcmeConfig, describeAcmeConfig } from '../../../src/config/acme-config.js';
import { flagsOf } from '../../../src/config/settings-table.js';
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
      'acme-eab-required': true,
      'acme-http01-port': '5002',
      'acme-tls-alpn01-port': '5001',
      'acme-new-order-rate': '0',
      'acme-validation-delay': '2s',
      'acme-chaos-nonce-reject-percent': '10',
      'acme-terms-of-service': 'https://ca.internal/tos',
    });
    expect(config).toMatchObject({ eabRequired: true, http01Port: 5002, tlsAlpn01Port: 5001, newOrderRate: undefined, validationDelayMs: 2000, termsOfService: 'https://ca.internal/tos' });
    expect(describeAcmeConfig(config)).toMatchObject({ chaosValidationDelay: '2s', chaosNonceRejectPercent: 10, newOrderRate: 'off' });
    expect(describeAcmeConfig(buildAcmeConfig({ 'acme-disabled': true }))).toEqual({ enabled: false });
  });

  it.each([
    [{ 'acme-http01-port': '0' }, /acme-http01-port/],
    [{ 'acme-tls-alpn01-port': '70000' }, /acme-tls-alpn01-port/],
    [{ 'acme-max-identifiers': 'many' }, /acme-max-identifiers/],
    [{ 'acme-chaos-nonce-reject-percent': '101' }, /reject-percent/],
    [{ 'acme-validation-attempts': '0' }, /acme-validation-attempts/],
    [{ 'acme-website': 'ftp://x' }, /acme-website/],
    [{ 'acme-reuse-valid-authz': 'maybe' }, /acme-reuse-valid-authz must be true or false/],
  ])('refuses %j', (settings, message) => {
    expect(() => buildAcmeConfig(settings)).toThrow(ConfigError);
    expect(() => buildAcmeConfig(settings)).toThrow(message);
  });
});

describe('--acme-reuse-valid-authz (RFC 8555 §7.4 authorization reuse)', () => {
  const command = { name: 'serve', summary: '', usage: '', flags: flagsOf(ACME_SETTINGS), run: async () => 0 };
  const reuse = (argv: string[], env: NodeJS.ProcessEnv = {}) => buildAcmeConfig(parseFlags(command, argv, env).flags).reuseValidAuthz;

  it('is on by default, in the config and in the ACME settings', () => {
    expect(reuse([])).toBe(true);
    expect(describeAcmeConfig(buildAcmeConfig())).toMatchObject({ reuseValidAuthz: true });
    expect(acmeSettings(buildAcmeConfig(), Ipv4RangeSet.parse('10.0.0.0/8')).reuseValidAuthz).toBe(true);
  });

  it('is turned off by the flag or its environment variable', () => {
    expect(reuse(['--acme-reuse-valid-authz', 'false'])).toBe(false);
    expect(reuse(['--acme-reuse-valid-authz=off'])).toBe(false);
    expect(reuse([], { SMSGATE_CA_ACME_REUSE_VALID_AUTHZ: 'no' })).toBe(false);
    expect(reuse(['--acme-reuse-valid-authz', 'TRUE'], { SMSGATE_CA_ACME_REUSE_VALID_AUTHZ: 'false' })).toBe(true);
    expect(describeAcmeConfig(buildAcmeConfig({ 'acme-reuse-valid-authz': '0' }))).toMatchObject({ reuseValidAuthz: false });
  });
});
