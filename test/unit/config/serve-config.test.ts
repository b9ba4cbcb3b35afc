import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/config/config-error.js';
import { formatDuration, parseDuration } from '../../../src/config/duration.js';
import { parseListenAddress } from '../../../src/config/listen-address.js';
import { parseRateLimit } from '../../../src/config/rate-limit-setting.js';
import { buildServeConfig, describeConfig, SERVE_SETTINGS } from '../../../src/config/serve-config.js';

describe('parseDuration', () => {
  it.each([
    ['500ms', 500],
    ['30s', 30_000],
    ['1m', 60_000],
    ['1h', 3_600_000],
    ['1h30m', 5_400_000],
    ['1.5s', 1500],
    ['0', 0],
  ])('%s is %i ms', (text, ms) => expect(parseDuration(text, 'x')).toBe(ms));

  it.each(['', '10', 'm', '1d', '1m junk', '-1s', '1 m'])('refuses %j', (text) => {
    expect(() => parseDuration(text, 'x')).toThrow(ConfigError);
  });

  it('formats back to the largest whole unit', () => {
    expect([60_000, 3_600_000, 1000, 1500, 0].map(formatDuration)).toEqual(['1m', '1h', '1s', '1500ms', '0s']);
  });
});

describe('parseRateLimit', () => {
  it('reads N/PERIOD', () => {
    expect(parseRateLimit('1/1m')).toEqual({ max: 1, periodMs: 60_000 });
    expect(parseRateLimit('10/30s')).toEqual({ max: 10, periodMs: 30_000 });
  });

  it('0, off and 0/1m disable limiting', () => {
    expect(parseRateLimit('0')).toBeUndefined();
    expect(parseRateLimit('off')).toBeUndefined();
    expect(parseRateLimit('0/1m')).toBeUndefined();
  });

  it.each(['1', '1/', '/1m', 'x/1m', '1/1x', '1/0', '-1/1m'])('refuses %j', (text) => {
    expect(() => parseRateLimit(text)).toThrow(ConfigError);
  });
});

describe('parseListenAddress', () => {
  it.each([
    ['0.0.0.0:8443', { host: '0.0.0.0', port: 8443 }],
    ['127.0.0.1:0', { host: '127.0.0.1', port: 0 }],
    [':8443', { host: '0.0.0.0', port: 8443 }],
    ['[::1]:8443', { host: '::1', port: 8443 }],
    ['localhost:8080', { host: 'localhost', port: 8080 }],
  ])('%s', (text, expected) => expect(parseListenAddress(text)).toEqual(expected));

  it.each(['8443', '127.0.0.1', '127.0.0.1:65536', '127.0.0.1:-1', '[zz]:1', 'a b:1', '1.2.3.4:80:90'])('refuses %j', (text) => {
    expect(() => parseListenAddress(text)).toThrow(ConfigError);
  });
});

describe('buildServeConfig', () => {
  it('applies the embedded defaults (npm start)', () => {
    const config = buildServeConfig({});
    expect(config.dataDir).toBe('./data');
    expect(config.listen).toEqual({ host: '0.0.0.0', port: 8443 });
    expect(config.allowedRanges).toBeUndefined(); // the ranges the CA was created for
    expect(config.rateLimit).toEqual({ max: 1, periodMs: 60_000 });
    expect(config.tls).toEqual({ mode: 'generated' });
    expect(config.keyAlgorithm).toBe('ecdsa-p256');
    expect(config.signDelayMs).toBe(0);
    expect(Object.isFrozen(config)).toBe(true);
    expect(SERVE_SETTINGS.rateLimit.default).toBe('1/1m');
  });

  it('takes every setting', () => {
    const config = buildServeConfig({
      'data-dir': '/srv/ca',
      listen: '127.0.0.1:0',
      'allowed-cidrs': '10.1.0.0/16,127.0.0.0/8',
      'rate-limit': '0',
      'trusted-proxies': '10.0.0.1, 192.168.0.0/24',
      'tls-cert': 'c.pem',
      'tls-key': 'k.pem',
      'log-level': 'debug',
      'key-algorithm': 'rsa-2048',
      'sign-delay': '2s',
    });
    expect(config.rateLimit).toBeUndefined();
    expect(config.tls).toEqual({ mode: 'files', certificateFile: 'c.pem', keyFile: 'k.pem' });
    expect(describeConfig(config)).toMatchObject({
      rateLimit: 'off',
      trustedProxies: ['10.0.0.1/32', '192.168.0.0/24'],
      allowedCidrs: ['10.1.0.0/16', '127.0.0.0/8'],
      signDelay: '2s',
    });
  });

  it('metrics-listen: off by default (no metrics listener), HOST:PORT when given', () => {
    expect(buildServeConfig({}).metricsListen).toBeUndefined();
    expect(buildServeConfig({ 'metrics-listen': '0.0.0.0:9090' }).metricsListen).toEqual({ host: '0.0.0.0', port: 9090 });
    expect(describeConfig(buildServeConfig({ 'metrics-listen': '127.0.0.1:9090' }))).toMatchObject({ metricsListen: '127.0.0.1:9090' });
    expect(() => buildServeConfig({ 'metrics-listen': 'http://0.0.0.0:9090' })).toThrow(/listen address/);
  });

  it('rest-approval: auto by default (every valid request is signed), requester and manual with trusted requesters', () => {
    expect(buildServeConfig({}).restApproval).toBe('auto');
    expect(buildServeConfig({}).restTrustedRequesters).toEqual([]);
    const config = buildServeConfig({ 'rest-approval': 'requester', 'rest-trusted-requesters': '10.0.0.7, 192.168.5.0/24' });
    expect(config.restApproval).toBe('requester');
    expect(describeConfig(config)).toMatchObject({ restApproval: 'requester', restTrustedRequesters: ['10.0.0.7/32', '192.168.5.0/24'] });
    expect(buildServeConfig({ 'rest-approval': 'manual' }).restApproval).toBe('manual');
  });

  it('rest-approval requester|manual with the ledger in the cluster: with the controller (it signs what is Approved), not without', () => {
    expect(buildServeConfig({ 'rest-approval': 'manual', kubeconfig: '/k' }).kubernetes).toMatchObject({ store: 'kubernetes', controller: true });
    expect(buildServeConfig({ 'rest-approval': 'requester', store: 'kubernetes', controller: true }).restApproval).toBe('requester');
    expect(buildServeConfig({ 'rest-approval': 'manual', store: 'sqlite', 'ca-secret': 'ca' }).kubernetes).toMatchObject({ store: 'sqlite', controller: false });
    expect(() => buildServeConfig({ 'rest-approval': 'manual', store: 'kubernetes' })).toThrow(/--rest-approval manual with --store kubernetes needs the controller/);
    expect(() => buildServeConfig({ 'rest-approval': 'requester', 'ca-secret': 'ca' })).toThrow(/needs the controller/);
    expect(buildServeConfig({ store: 'kubernetes' }).restApproval).toBe('auto');
  });

  it('admin-client-ca: off by default, a file path with TLS (generated or files), refused with --insecure-http', () => {
    expect(buildServeConfig({}).adminClientCaFile).toBeUndefined();
    expect(describeConfig(buildServeConfig({})).adminClientCa).toBe('off');
    expect(buildServeConfig({ 'admin-client-ca': '/etc/admin-ca.pem' }).adminClientCaFile).toBe('/etc/admin-ca.pem');
    expect(buildServeConfig({ 'admin-client-ca': 'a.pem', 'tls-cert': 'c', 'tls-key': 'k' }).tls.mode).toBe('files');
    expect(() => buildServeConfig({ 'admin-client-ca': 'a.pem', 'insecure-http': true })).toThrow(/admin-client-ca needs this server to terminate TLS/);
  });

  it('insecure-http is its own TLS mode', () => {
    expect(buildServeConfig({ 'insecure-http': true }).tls).toEqual({ mode: 'insecure-http' });
  });

  it.each([
    [{ 'tls-cert': 'c.pem' }, /together/],
    [{ 'tls-key': 'k.pem' }, /together/],
    [{ 'insecure-http': true, 'tls-cert': 'c', 'tls-key': 'k' }, /cannot be combined/],
    [{ 'allowed-cidrs': '8.8.8.0/24' }, /allowed-cidrs: .*never certifies public/],
    [{ 'trusted-proxies': '10.0.0.0/33' }, /trusted-proxies/],
    [{ 'log-level': 'loud' }, /log-level/],
    [{ 'key-algorithm': 'dsa' }, /key-algorithm/],
    [{ 'rate-limit': 'lots' }, /rate limit/],
    [{ 'sign-delay': 'soon' }, /sign-delay/],
    [{ 'rest-approval': 'anyone' }, /rest-approval must be one of auto, requester, manual/],
    [{ 'rest-trusted-requesters': '10.0.0.0/40' }, /rest-trusted-requesters/],
  ])('refuses %j with a message naming the setting', (settings, message) => {
    expect(() => buildServeConfig(settings)).toThrow(message);
  });
});
