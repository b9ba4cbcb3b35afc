import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { envNames, parseFlags } from '../../../src/cli/flags.js';
import { serveCommand } from '../../../src/cli/serve-command.js';
import { buildServeConfig, SERVE_TABLES, type ServeConfig } from '../../../src/config/serve-config.js';
import { flagsOf } from '../../../src/config/settings-table.js';
import { CHART_DIR, helmTemplate } from '../../support/helm.js';
import { ALL_FEATURES, containerOf } from './chart-fixtures.js';

/**
 * The chart's Deployment runs `smsgate-ca serve` with arguments made from its values: each must be
 * a flag of serve's settings tables with a value its parser accepts, and each value must reach the
 * setting it is documented for.
 */
const SERVE_FLAGS = SERVE_TABLES.flatMap(flagsOf);
const POD_ENV = { POD_NAMESPACE: 'smsgate-ca', POD_NAME: 'smsgate-ca-7d9f-x2' };

const VARIANTS: ReadonlyArray<readonly [string, readonly object[]]> = [
  ['the defaults', []],
  ['every optional feature', [ALL_FEATURES]],
  ['SQLite store, plain HTTP, a CRL listener', [{ store: { type: 'sqlite' }, persistence: { enabled: true }, config: { tls: { mode: 'insecureHttp' }, crl: { port: 8080, url: 'http://ca.example.internal/crl' } } }]],
  ['the controller off', [{ controller: { enabled: false }, certManager: { enabled: false } }]],
  ['TLS from a Secret, no leader election', [{ config: { tls: { mode: 'secret', secretName: 'ca-serving' } }, leaderElection: { enabled: false } }]],
  ['metrics on another port', [{ metrics: { port: 9102 } }]],
  ['no metrics listener', [{ metrics: { enabled: false } }]],
];

function serveArgs(values: readonly object[]): { args: string[]; env: Array<{ name: string; value?: string }> } {
  const container = containerOf(helmTemplate({ values }));
  const [command, ...args] = container.args ?? [];
  expect(command).toBe('serve');
  return { args, env: container.env ?? [] };
}

function configOf(values: readonly object[]): ServeConfig {
  return buildServeConfig(parseFlags(serveCommand, serveArgs(values).args, POD_ENV).flags);
}

describe("the chart's serve arguments, against serve's settings tables", () => {
  it.each(VARIANTS)('with %s: every argument is a known flag with a valid value', (_name, values) => {
    const { args, env } = serveArgs(values);
    const known = new Set(SERVE_FLAGS.map((flag) => flag.name));
    expect(args.filter((arg) => !known.has(/^--([^=]+)/.exec(arg)?.[1] ?? ''))).toEqual([]);
    expect(() => buildServeConfig(parseFlags(serveCommand, args, POD_ENV).flags)).not.toThrow();
    const settingEnv = new Set(SERVE_FLAGS.flatMap(envNames));
    expect(env.map((variable) => variable.name).filter((name) => name.startsWith('SMSGATE_CA_') && !settingEnv.has(name))).toEqual([]);
  });

  it('the pod environment the chart sets is what the namespace and pod-name knobs read', () => {
    const { env } = serveArgs([]);
    const names = env.map((variable) => variable.name);
    for (const flag of ['namespace', 'pod-name']) {
      expect(names).toEqual(expect.arrayContaining([...envNames(SERVE_FLAGS.find((candidate) => candidate.name === flag)!)]));
    }
  });

  it.each<[string, object, (config: ServeConfig) => unknown, unknown]>([
    ['containerPort', { containerPort: 9443 }, (config) => config.listen, { host: '0.0.0.0', port: 9443 }],
    ['config.allowedCIDRs', { config: { allowedCIDRs: ['10.1.0.0/16', '192.168.7.0/24'] } }, (config) => config.allowedRanges?.toStrings(), ['10.1.0.0/16', '192.168.7.0/24']],
    ['config.rateLimit', { config: { rateLimit: '5/1m' } }, (config) => config.rateLimit, { max: 5, periodMs: 60_000 }],
    ['config.rateLimit 0', { config: { rateLimit: '0' } }, (config) => config.rateLimit, undefined],
    ['config.logLevel', { config: { logLevel: 'debug' } }, (config) => config.logLevel, 'debug'],
    ['config.trustedProxies', { config: { trustedProxies: ['10.0.0.0/8'] } }, (config) => config.trustedProxies, [{ network: 0x0a000000, prefix: 8 }]],
    ['config.restApproval', { store: { type: 'sqlite' }, persistence: { enabled: true }, config: { restApproval: 'requester', restTrustedRequesters: ['10.9.0.0/16'] } }, (config) => [config.restApproval, config.restTrustedRequesters], ['requester', [{ network: 0x0a090000, prefix: 16 }]]],
    ['config.restApproval auto (the default)', {}, (config) => [config.restApproval, config.restTrustedRequesters], ['auto', []]],
    ['config.restApproval manual with the ledger in the cluster (the default store)', { config: { restApproval: 'manual' } }, (config) => [config.restApproval, config.kubernetes.store], ['manual', 'kubernetes']],
    ['ca.keyAlgorithm', { ca: { keyAlgorithm: 'rsa-3072' } }, (config) => config.keyAlgorithm, 'rsa-3072'],
    ['ca.existingSecret', { ca: { existingSecret: 'lab-ca' } }, (config) => config.kubernetes.caSecret, 'lab-ca'],
    ['config.crl', { config: { crl: { validity: '6h', port: 8080, url: 'http://ca.example.internal/crl' } } }, (config) => config.crl, { url: 'http://ca.example.internal/crl', validityMs: 6 * 3_600_000, listen: { host: '0.0.0.0', port: 8080 } }],
    ['config.tls.mode insecureHttp', { config: { tls: { mode: 'insecureHttp' } } }, (config) => config.tls, { mode: 'insecure-http' }],
    ['config.tls.mode secret', { config: { tls: { mode: 'secret', secretName: 'ca-serving' } } }, (config) => config.tls.mode, 'files'],
    ['store.type', { store: { type: 'sqlite' }, persistence: { enabled: true } }, (config) => config.kubernetes.store, 'sqlite'],
    ['controller.enabled false', { controller: { enabled: false }, certManager: { enabled: false } }, (config) => [config.kubernetes.controller, config.kubernetes.certManager], [false, false]],
    ['leaderElection', { leaderElection: { namespace: 'kube-system', id: 'lock' } }, (config) => config.kubernetes.leaderElection, expect.objectContaining({ enabled: true, namespace: 'kube-system', id: 'lock' })],
    ['trust.configMap', { trust: { configMap: { enabled: true, namespace: 'cert-manager', name: 'root' } } }, (config) => config.kubernetes.trustConfigMap, { namespace: 'cert-manager', name: 'root' }],
    ['the pod environment', {}, (config) => [config.kubernetes.namespace, config.kubernetes.podName], ['smsgate-ca', 'smsgate-ca-7d9f-x2']],
    ['metrics.enabled', { metrics: { enabled: true } }, (config) => config.metricsListen, { host: '0.0.0.0', port: 9090 }],
    ['kubeApi (defaults: cert-manager\'s 20/50)', {}, (config) => [config.kubernetes.kubeApiQps, config.kubernetes.kubeApiBurst], [20, 50]],
    ['kubeApi', { kubeApi: { qps: 7.5, burst: 15 } }, (config) => [config.kubernetes.kubeApiQps, config.kubernetes.kubeApiBurst], [7.5, 15]],
    ['store.recordRetention (default 30 days)', {}, (config) => config.kubernetes.recordRetentionMs, 720 * 3_600_000],
    ['store.recordRetention', { store: { type: 'kubernetes', recordRetention: '2160h' } }, (config) => config.kubernetes.recordRetentionMs, 2160 * 3_600_000],
    ['store.recordRetention 0', { store: { type: 'kubernetes', recordRetention: '0' } }, (config) => config.kubernetes.recordRetentionMs, 0],
    ['the ACME nonce Secret is named after the release', {}, (config) => config.kubernetes.acmeNonceSecret, 'smsgate-ca-acme-nonce'],
    ['metrics on (the default)', {}, (config) => config.metricsListen, { host: '0.0.0.0', port: 9090 }],
    ['metrics.enabled false', { metrics: { enabled: false } }, (config) => config.metricsListen, undefined],
    ['controller.maxRetryDuration (default 1h)', {}, (config) => config.kubernetes.maxRetryDurationMs, 3_600_000],
    ['controller.maxRetryDuration', { controller: { maxRetryDuration: '20m' } }, (config) => config.kubernetes.maxRetryDurationMs, 1_200_000],
    ['controller.secretOwnerReferences off (the default)', {}, (config) => config.kubernetes.secretOwnerReferences, false],
    ['controller.secretOwnerReferences', { controller: { secretOwnerReferences: true } }, (config) => config.kubernetes.secretOwnerReferences, true],
    ['controller.watchNamespaces empty (the default): every namespace', {}, (config) => config.kubernetes.watchNamespaces, []],
    ['controller.watchNamespaces', { controller: { watchNamespaces: ['team-a', 'team-b'] } }, (config) => config.kubernetes.watchNamespaces, ['team-a', 'team-b']],
  ])('%s reaches its setting', (_name, values, read, expected) => {
    expect(read(configOf([values]))).toEqual(expected);
  });

  it('every flag values.yaml names in its comments is a serve flag', () => {
    const text = readFileSync(join(CHART_DIR, 'values.yaml'), 'utf8');
    const named = [...new Set([...text.matchAll(/`(--[a-z0-9-]+)/g)].map((match) => match[1]!.slice(2)))];
    expect(named.length).toBeGreaterThan(10);
    expect(named.filter((name) => !SERVE_FLAGS.some((flag) => flag.name === name))).toEqual([]);
  });
});
