import { describe, expect, it } from 'vitest';
import { buildKubernetesConfig } from '../../../src/config/kubernetes-config.js';
import { ConfigError } from '../../../src/config/config-error.js';
import { serveCommand } from '../../../src/cli/serve-command.js';
import { formatHelp, parseFlags } from '../../../src/cli/flags.js';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildServeConfig, describeConfig } from '../../../src/config/serve-config.js';

describe('cluster-mode configuration', () => {
  it('is off by default', () => {
    expect(buildKubernetesConfig({})).toMatchObject({ enabled: false, controller: false, store: 'sqlite' });
  });

  it('--kubeconfig turns on the controller and the Kubernetes store', () => {
    expect(buildKubernetesConfig({ kubeconfig: '/k' })).toMatchObject({ enabled: true, controller: true, store: 'kubernetes', kubeconfigPath: '/k' });
    expect(buildKubernetesConfig({ kubeconfig: '/k', store: 'sqlite' }).store).toBe('sqlite');
  });

  it('accepts exactly the flags the Helm chart passes', () => {
    const argv = ['--controller', '--leader-elect', '--leader-election-namespace', 'ops', '--leader-election-id', 'smsgate-ca-leader', '--ca-secret', 'smsgate-ca-ca', '--cluster-resource-namespace', 'ops', '--store', 'kubernetes', '--cert-manager', '--trust-configmap', 'cert-manager/smsgate-ca-root'];
    const { flags } = parseFlags(serveCommand, argv, { POD_NAMESPACE: 'ops', POD_NAME: 'smsgate-ca-7d9f' });
    const config = buildKubernetesConfig(flags);
    expect(config).toMatchObject({
      enabled: true,
      kubeconfigPath: undefined,
      namespace: 'ops',
      podName: 'smsgate-ca-7d9f',
      store: 'kubernetes',
      controller: true,
      certManager: true,
      caSecret: 'smsgate-ca-ca',
      clusterResourceNamespace: 'ops',
      leaderElection: { enabled: true, namespace: 'ops', id: 'smsgate-ca-leader', leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000 },
      trustConfigMap: { namespace: 'cert-manager', name: 'smsgate-ca-root' },
    });
  });

  it('refuses inconsistent settings with the setting named', () => {
    const refusal = (settings: Parameters<typeof buildKubernetesConfig>[0]) => {
      try {
        buildKubernetesConfig(settings);
      } catch (error) {
        if (error instanceof ConfigError) return error.message;
        throw error;
      }
      throw new Error('accepted');
    };
    expect(refusal({ store: 'etcd' })).toContain('etcd');
    expect(refusal({ 'cert-manager': true })).toContain('cert-manager needs the controller');
    expect(refusal({ controller: true, 'ca-secret': 'Bad_Name' })).toContain('Bad_Name');
    expect(refusal({ controller: true, 'trust-configmap': 'only-name' })).toContain('NAMESPACE/NAME');
    expect(refusal({ controller: true, 'leader-election-retry-period': '20s' })).toContain('retry-period');
    expect(refusal({ controller: true, 'max-retry-duration': '500ms' })).toContain('max-retry-duration must be at least 1s');
    expect(refusal({ controller: true, 'max-retry-duration': 'soon' })).toContain('soon');
  });

  it('--max-retry-duration (default 1h, as cert-manager) and --secret-owner-references (default off)', () => {
    expect(buildKubernetesConfig({ controller: true })).toMatchObject({ maxRetryDurationMs: 3_600_000, secretOwnerReferences: false });
    const { flags } = parseFlags(serveCommand, ['--controller', '--max-retry-duration', '15m', '--secret-owner-references'], {});
    expect(buildKubernetesConfig(flags)).toMatchObject({ maxRetryDurationMs: 900_000, secretOwnerReferences: true });
  });

  it('the Kubernetes API client limit (cert-manager\'s 20/50 by default), record retention and the nonce Secret', () => {
    expect(buildKubernetesConfig({ kubeconfig: '/k' })).toMatchObject({ kubeApiQps: 20, kubeApiBurst: 50, recordRetentionMs: 30 * 86_400_000, acmeNonceSecret: 'smsgate-ca-acme-nonce' });
    expect(buildKubernetesConfig({ kubeconfig: '/k', 'kube-api-qps': '2.5', 'kube-api-burst': '5', 'record-retention': '0', 'acme-nonce-secret': 'ca-nonce' })).toMatchObject({
      kubeApiQps: 2.5,
      kubeApiBurst: 5,
      recordRetentionMs: 0,
      acmeNonceSecret: 'ca-nonce',
    });
    const refused = (settings: Parameters<typeof buildKubernetesConfig>[0]) => expect(() => buildKubernetesConfig({ kubeconfig: '/k', ...settings })).toThrow(ConfigError);
    for (const qps of ['0', '-1', 'fast', '1e3', '100001']) refused({ 'kube-api-qps': qps });
    for (const burst of ['0', '2.5', 'many']) refused({ 'kube-api-burst': burst });
    refused({ 'record-retention': '30d' });
    refused({ 'acme-nonce-secret': 'Nonce_Key' });
  });

  describe('--watch-namespace (repeatable; a comma list in the environment and the config file)', () => {
    const watched = (argv: readonly string[], env: NodeJS.ProcessEnv = {}) => buildKubernetesConfig(parseFlags(serveCommand, ['--controller', ...argv], env).flags).watchNamespaces;

    it('is empty by default: every namespace', () => {
      expect(watched([])).toEqual([]);
      expect(describeConfig(buildServeConfig(parseFlags(serveCommand, ['--controller'], {}).flags)).kubernetes).toMatchObject({ watchNamespaces: 'all' });
    });

    it('takes the flag repeated, a comma list, or both; each name once, in the order given', () => {
      expect(watched(['--watch-namespace', 'team-a', '--watch-namespace=team-b'])).toEqual(['team-a', 'team-b']);
      expect(watched(['--watch-namespace', 'team-a, team-b,team-c'])).toEqual(['team-a', 'team-b', 'team-c']);
      expect(watched(['--watch-namespace', 'team-b,team-a', '--watch-namespace', 'team-b'])).toEqual(['team-b', 'team-a']);
      const config = buildServeConfig(parseFlags(serveCommand, ['--controller', '--watch-namespace', 'team-a', '--watch-namespace', 'ops'], {}).flags);
      expect(describeConfig(config).kubernetes).toMatchObject({ watchNamespaces: 'team-a, ops' });
    });

    it('reads SMSGATE_CA_WATCH_NAMESPACE, and flags win over it', () => {
      expect(watched([], { SMSGATE_CA_WATCH_NAMESPACE: 'a,b' })).toEqual(['a', 'b']);
      expect(watched(['--watch-namespace', 'c'], { SMSGATE_CA_WATCH_NAMESPACE: 'a,b' })).toEqual(['c']);
    });

    it('reads the config file as a YAML list or a comma string', () => {
      const dir = mkdtempSync(join(tmpdir(), 'watch-namespace-'));
      writeFileSync(join(dir, 'list.yaml'), 'watch-namespace: [team-a, team-b]\n');
      writeFileSync(join(dir, 'text.yaml'), 'watch-namespace: "team-c,team-d"\n');
      expect(watched(['--config', join(dir, 'list.yaml')])).toEqual(['team-a', 'team-b']);
      expect(watched(['--config', join(dir, 'text.yaml')])).toEqual(['team-c', 'team-d']);
      expect(watched(['--config', join(dir, 'list.yaml')], { SMSGATE_CA_WATCH_NAMESPACE: 'env-ns' })).toEqual(['env-ns']);
    });

    it('refuses a name that is not an RFC 1123 label, naming it, and needs the controller', () => {
      for (const bad of ['Team-A', 'team_a', '-team', 'team-', 'a.b', 'x'.repeat(64)]) {
        expect(() => watched(['--watch-namespace', `ok,${bad}`])).toThrow(new RegExp(`watch-namespace "${bad.replace('.', '\\.')}" is not a namespace name`));
      }
      expect(watched(['--watch-namespace', 'x'.repeat(63)])).toEqual(['x'.repeat(63)]);
      expect(() => buildKubernetesConfig({ 'watch-namespace': 'team-a' })).toThrow('watch-namespace needs the controller');
    });

    it('shows in --help as repeatable', () => {
      expect(formatHelp(serveCommand)).toMatch(/--watch-namespace NS +.*\(repeatable, or a comma list; env SMSGATE_CA_WATCH_NAMESPACE\)/);
    });
  });
});
