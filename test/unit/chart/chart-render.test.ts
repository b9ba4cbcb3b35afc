import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CHART_DIR, helmTemplate, helmTemplateRaw, runHelm, withValuesFiles } from '../../support/helm.js';
import { ALL_FEATURES, NAMESPACE, byKind, containerOf, deploymentOf, only, type Pod } from './chart-fixtures.js';

const DEFAULT_KINDS = {
  CustomResourceDefinition: 7,
  ServiceAccount: 1,
  ClusterRole: 5,
  ClusterRoleBinding: 2,
  Role: 4,
  RoleBinding: 4,
  // The REST/ACME Service and the metrics Service.
  Service: 2,
  Deployment: 1,
  PodDisruptionBudget: 1,
  Pod: 1,
};

const OPTIONAL_KINDS = {
  Ingress: 1,
  ServiceMonitor: 1,
  PrometheusRule: 1,
  NetworkPolicy: 1,
  Bundle: 1,
  Certificate: 1,
  PersistentVolumeClaim: 1,
};

function countKinds(kinds: readonly string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const kind of kinds) counts[kind] = (counts[kind] ?? 0) + 1;
  return counts;
}

describe('helm lint', () => {
  it('passes --strict with the default values', () => {
    const result = runHelm(['lint', '--strict', CHART_DIR]);
    expect(result.stderr + result.stdout).toContain('0 chart(s) failed');
    expect(result.status).toBe(0);
  });

  it('passes --strict with every optional feature on', () => {
    const result = withValuesFiles([ALL_FEATURES], (valueArgs) => runHelm(['lint', '--strict', CHART_DIR, ...valueArgs]));
    expect(result.stderr + result.stdout).toContain('0 chart(s) failed');
    expect(result.status).toBe(0);
  });

  it('fails --strict on a value the schema refuses', () => {
    const result = runHelm(['lint', '--strict', CHART_DIR, '--set', 'replicaCount=two']);
    expect(result.status).not.toBe(0);
    expect(result.stderr + result.stdout).toContain('replicaCount');
  });
});

describe('helm template', () => {
  it('renders the default objects, each parseable, in the release namespace', () => {
    const manifests = helmTemplate();
    expect(countKinds(manifests.map((manifest) => manifest.kind))).toEqual(DEFAULT_KINDS);
    for (const manifest of manifests) {
      expect(manifest.apiVersion, manifest.kind).toMatch(/^[a-z0-9.-]*\/?v[0-9]+(alpha[0-9]+|beta[0-9]+)?$/);
      expect(manifest.metadata.name.length, manifest.metadata.name).toBeLessThanOrEqual(63);
      expect(manifest.metadata.labels?.['app.kubernetes.io/instance'], `${manifest.kind} labels`).toBe('smsgate-ca');
      const clusterScoped = ['CustomResourceDefinition', 'ClusterRole', 'ClusterRoleBinding'].includes(manifest.kind);
      expect(manifest.metadata.namespace, `${manifest.kind} ${manifest.metadata.name}`).toBe(clusterScoped ? undefined : NAMESPACE);
    }
  });

  it('offers approvers a ClusterRole, bound to nobody: patch on certificaterequests/status sets Approved or Denied', () => {
    const manifests = helmTemplate({});
    const approver = byKind(manifests, 'ClusterRole').find((role) => role.metadata.name === 'smsgate-ca-approver') as unknown as { rules: Array<{ resources: string[]; verbs: string[] }> };
    expect(approver.rules).toEqual([
      expect.objectContaining({ resources: ['certificaterequests'], verbs: ['get', 'list', 'watch'] }),
      expect.objectContaining({ resources: ['certificaterequests/status'], verbs: ['patch'] }),
    ]);
    const bindings = [...byKind(manifests, 'ClusterRoleBinding'), ...byKind(manifests, 'RoleBinding')] as unknown as Array<{ roleRef: { name: string } }>;
    expect(bindings.map((binding) => binding.roleRef.name)).not.toContain('smsgate-ca-approver');
  });

  it('renders every optional object when every feature is on', () => {
    const manifests = helmTemplate({ values: [ALL_FEATURES] });
    const counts = countKinds(manifests.map((manifest) => manifest.kind));
    expect(counts).toMatchObject(OPTIONAL_KINDS);
    expect(counts).toMatchObject({ Role: 5, RoleBinding: 5, ClusterRole: 5, ClusterRoleBinding: 2 });
  });

  it('uses every template file with every feature on', () => {
    const output = helmTemplateRaw({ values: [ALL_FEATURES] });
    expect(output.status).toBe(0);
    const sources = new Set([...output.stdout.matchAll(/^# Source: smsgate-ca\/(templates\/\S+)$/gm)].map((match) => match[1]));
    const templates = [
      ...readdirSync(join(CHART_DIR, 'templates')).map((name) => `templates/${name}`),
      ...readdirSync(join(CHART_DIR, 'templates/tests')).map((name) => `templates/tests/${name}`),
    ].filter((name) => name.endsWith('.yaml'));
    expect(templates.length).toBeGreaterThan(10);
    for (const template of templates) expect(sources, template).toContain(template);
  });

  it('switches optional objects off again by default', () => {
    const kinds = helmTemplate().map((manifest) => manifest.kind);
    for (const kind of Object.keys(OPTIONAL_KINDS)) expect(kinds).not.toContain(kind);
  });

  it('defaults to the locally built image smsgate-ca:<appVersion>, with no registry', () => {
    expect(containerOf(helmTemplate()).image).toBe('smsgate-ca:0.1.0');
    expect((containerOf(helmTemplate()) as { imagePullPolicy?: string }).imagePullPolicy).toBe('IfNotPresent');
    expect(containerOf(helmTemplate({ set: ['image.tag=1.2.3'] })).image).toBe('smsgate-ca:1.2.3');
  });

  it('puts the registry before the repository, global.imageRegistry before image.registry', () => {
    expect(containerOf(helmTemplate({ set: ['image.registry=ghcr.io', 'image.repository=owner/smsgate-ca'] })).image).toBe('ghcr.io/owner/smsgate-ca:0.1.0');
    expect(containerOf(helmTemplate({ set: ['image.registry=registry.example.internal:5000'] })).image).toBe('registry.example.internal:5000/smsgate-ca:0.1.0');
    expect(containerOf(helmTemplate({ set: ['global.imageRegistry=mirror.example.internal', 'image.registry=ghcr.io'] })).image).toBe('mirror.example.internal/smsgate-ca:0.1.0');
  });

  it('uses the digest instead of the tag when one is set', () => {
    expect(containerOf(helmTemplate({ values: [ALL_FEATURES] })).image).toBe(`smsgate-ca@${ALL_FEATURES.image.digest}`);
    const both = helmTemplate({ values: [{ image: { registry: 'ghcr.io', repository: 'owner/smsgate-ca', tag: '9.9.9', digest: ALL_FEATURES.image.digest } }] });
    expect(containerOf(both).image).toBe(`ghcr.io/owner/smsgate-ca@${ALL_FEATURES.image.digest}`);
  });

  it('runs the helm test Pod with the same image', () => {
    const values = { image: { registry: 'ghcr.io', repository: 'owner/smsgate-ca' } };
    const testPod = only(helmTemplate({ values: [values] }), 'Pod') as Pod;
    expect(testPod.spec.containers[0]?.image).toBe('ghcr.io/owner/smsgate-ca:0.1.0');
  });

  it('passes the serve flags the operator expects', () => {
    expect(containerOf(helmTemplate()).args).toEqual([
      'serve',
      '--listen=0.0.0.0:8443',
      '--data-dir=/data',
      '--store=kubernetes',
      '--record-retention=720h',
      '--acme-nonce-secret=smsgate-ca-acme-nonce',
      '--kube-api-qps=20',
      '--kube-api-burst=50',
      '--ca-secret=smsgate-ca-ca',
      '--key-algorithm=ecdsa-p256',
      '--allowed-cidrs=10.0.0.0/8,172.16.0.0/12,192.168.0.0/16',
      '--rate-limit=1/1m',
      '--rest-approval=auto',
      '--log-level=info',
      '--crl-validity=24h',
      '--metrics-listen=0.0.0.0:9090',
      '--controller',
      `--cluster-resource-namespace=${NAMESPACE}`,
      '--max-retry-duration=1h',
      '--cert-manager',
      '--leader-elect',
      `--leader-election-namespace=${NAMESPACE}`,
      '--leader-election-id=smsgate-ca-leader',
    ]);
    const args = containerOf(helmTemplate({ values: [ALL_FEATURES] })).args ?? [];
    expect(args).toEqual(
      expect.arrayContaining([
        '--ca-secret=lab-ca',
        '--trusted-proxies=10.0.0.0/8,192.168.0.1',
        '--tls-cert=/etc/smsgate-ca/tls/tls.crt',
        '--tls-key=/etc/smsgate-ca/tls/tls.key',
        '--cluster-resource-namespace=smsgate-ca-issuers',
        '--trust-configmap=cert-manager/smsgate-ca-root-ca',
        '--leader-election-namespace=kube-system',
        '--leader-election-id=smsgate-ca-lock',
      ]),
    );
    expect(args.at(-1)).toBe('--acme-eab-required');
  });

  it('drops the controller and leader-election flags when those are off', () => {
    const args = containerOf(helmTemplate({ set: ['controller.enabled=false'] })).args ?? [];
    expect(args.filter((arg) => /controller|leader|cert-manager|cluster-resource/.test(arg))).toEqual([]);
    const noElection = containerOf(helmTemplate({ set: ['leaderElection.enabled=false'] })).args ?? [];
    expect(noElection).toContain('--controller');
    expect(noElection.filter((arg) => arg.includes('leader'))).toEqual([]);
    expect(byKind(helmTemplate({ set: ['leaderElection.enabled=false'] }), 'Role').map((role) => role.metadata.name)).toEqual(['smsgate-ca-ca', 'smsgate-ca-state', 'smsgate-ca-audit']);
  });

  it('passes the CRL values: --crl-url only when set, --crl-validity always', () => {
    const defaults = containerOf(helmTemplate()).args ?? [];
    expect(defaults.filter((arg) => arg.startsWith('--crl-'))).toEqual(['--crl-validity=24h']);
    const url = 'http://ca.example.internal:8080/crl?format=der';
    const set = containerOf(helmTemplate({ values: [{ config: { crl: { url, validity: '6h' } } }] })).args ?? [];
    expect(set.filter((arg) => arg.startsWith('--crl-'))).toEqual([`--crl-url=${url}`, '--crl-validity=6h']);
  });

  it('config.crl.port adds the plain-HTTP CRL listener: flag, container port and Service port 80', () => {
    const defaults = helmTemplate();
    expect((containerOf(defaults).args ?? []).some((arg) => arg.startsWith('--crl-listen'))).toBe(false);
    const defaultService = only(defaults, 'Service', 'smsgate-ca') as unknown as { spec: { ports: Array<{ name: string }> } };
    expect(defaultService.spec.ports.map((port) => port.name)).not.toContain('crl');

    const withPort = helmTemplate({ values: [{ config: { crl: { port: 8080 } } }] });
    const container = containerOf(withPort) as unknown as { args: string[]; ports: Array<{ name: string; containerPort: number }> };
    expect(container.args).toContain('--crl-listen=0.0.0.0:8080');
    expect(container.ports).toContainEqual(expect.objectContaining({ name: 'crl', containerPort: 8080 }));
    const service = only(withPort, 'Service', 'smsgate-ca') as unknown as { spec: { ports: Array<{ name: string; port: number; targetPort: unknown }> } };
    expect(service.spec.ports).toContainEqual(expect.objectContaining({ name: 'crl', port: 80, targetPort: 'crl' }));
  });

  it('metrics on by default: --metrics-listen, a container port, a ClusterIP Service of its own, and the ServiceMonitor scrapes it over HTTP', () => {
    type ServiceManifest = { metadata: { labels: Record<string, string> }; spec: { type: string; selector: object; ports: Array<{ name: string; port: number; targetPort: unknown }> } };
    const enabled = helmTemplate({ values: [{ metrics: { serviceMonitor: { enabled: true } }, service: { type: 'LoadBalancer' } }] });
    const container = containerOf(enabled) as unknown as { args: string[]; ports: Array<{ name: string; containerPort: number }> };
    expect(container.args).toContain('--metrics-listen=0.0.0.0:9090');
    expect(container.ports).toContainEqual(expect.objectContaining({ name: 'metrics', containerPort: 9090 }));
    // The public Service (here a LoadBalancer) carries no metrics port; the metrics Service stays inside the cluster.
    const publicService = only(enabled, 'Service', 'smsgate-ca') as unknown as ServiceManifest;
    expect(publicService.spec.type).toBe('LoadBalancer');
    expect(publicService.spec.ports.map((port) => port.name)).toEqual(['https']);
    const service = only(enabled, 'Service', 'smsgate-ca-metrics') as unknown as ServiceManifest;
    expect(service.spec.type).toBe('ClusterIP');
    expect(service.spec.ports).toEqual([expect.objectContaining({ name: 'metrics', port: 9090, targetPort: 'metrics' })]);
    const monitor = only(enabled, 'ServiceMonitor') as unknown as { spec: { selector: { matchLabels: Record<string, string> }; endpoints: Array<{ port: string; path: string; scheme: string; tlsConfig?: object }> } };
    expect(monitor.spec.endpoints).toEqual([expect.objectContaining({ port: 'metrics', path: '/metrics', scheme: 'http' })]);
    expect(monitor.spec.endpoints[0]?.tlsConfig).toBeUndefined();
    expect(service.metadata.labels).toMatchObject(monitor.spec.selector.matchLabels);
    expect(publicService).not.toMatchObject({ metadata: { labels: monitor.spec.selector.matchLabels } });

    const disabled = helmTemplate({ values: [{ metrics: { enabled: false } }] });
    expect((containerOf(disabled).args ?? []).some((arg) => arg.startsWith('--metrics-listen'))).toBe(false);
    expect(byKind(disabled, 'Service').map((manifest) => manifest.metadata.name)).toEqual(['smsgate-ca']);
    expect(() => helmTemplate({ values: [{ metrics: { enabled: false, serviceMonitor: { enabled: true } } }] })).toThrow(/metrics.serviceMonitor.enabled needs metrics.enabled/);
    const policy = only(helmTemplate({ values: [{ metrics: { enabled: true }, networkPolicy: { enabled: true } }] }), 'NetworkPolicy') as unknown as { spec: { ingress: Array<{ ports: Array<{ port: number }> }> } };
    expect(policy.spec.ingress.flatMap((rule) => rule.ports.map((port) => port.port))).toEqual([8443, 9090]);
  });

  it('serves plain HTTP with --insecure-http and HTTP probes', () => {
    const manifests = helmTemplate({ set: ['config.tls.mode=insecureHttp'] });
    const container = containerOf(manifests);
    expect(container.args).toContain('--insecure-http');
    expect(container.livenessProbe?.httpGet).toEqual({ path: '/healthz', port: 'http', scheme: 'HTTP' });
    expect(container.ports?.[0]).toEqual({ name: 'http', containerPort: 8443, protocol: 'TCP' });
    const testPod = only(manifests, 'Pod') as Pod;
    expect(testPod.spec.containers[0]?.env).toEqual(expect.arrayContaining([{ name: 'BASE_URL', value: 'http://smsgate-ca.smsgate-ca.svc:443' }]));
    expect(testPod.spec.volumes).toBeUndefined();
  });

  it('mounts a TLS Secret in secret mode and asks cert-manager for one in certManager mode', () => {
    const secretMode = helmTemplate({ set: ['config.tls.mode=secret', 'config.tls.secretName=ca-serving'] });
    const volumes = deploymentOf(secretMode).spec.template.spec.volumes ?? [];
    expect(volumes.find((volume) => volume.name === 'tls')?.secret?.secretName).toBe('ca-serving');
    expect(byKind(secretMode, 'Certificate')).toEqual([]);

    const certificate = only(helmTemplate({ values: [ALL_FEATURES] }), 'Certificate') as { spec?: Record<string, unknown> };
    expect(certificate.spec).toMatchObject({
      secretName: 'smsgate-ca-tls',
      issuerRef: { name: 'cluster-ca', kind: 'ClusterIssuer', group: 'cert-manager.io' },
      dnsNames: [
        'smsgate-ca',
        'smsgate-ca.smsgate-ca',
        'smsgate-ca.smsgate-ca.svc',
        'smsgate-ca.smsgate-ca.svc.cluster.local',
        'ca.example.internal',
      ],
    });
  });

  it('uses a Recreate rollout and a single pod for the SQLite store', () => {
    const manifests = helmTemplate({ set: ['store.type=sqlite', 'persistence.enabled=true'] });
    const deployment = deploymentOf(manifests) as unknown as { spec: { strategy?: { type: string } } };
    expect(deployment.spec.strategy).toEqual({ type: 'Recreate' });
    expect(containerOf(manifests).args).toContain('--store=sqlite');
    const data = deploymentOf(manifests).spec.template.spec.volumes?.find((volume) => volume.name === 'data');
    expect(data?.persistentVolumeClaim?.claimName).toBe('smsgate-ca-data');
    const refused = helmTemplateRaw({ set: ['store.type=sqlite', 'replicaCount=2'] });
    expect(refused.status).not.toBe(0);
    expect(refused.stderr).toContain('replicaCount must be 1');
  });

  it('names a trust-manager Bundle whose source is the published trust ConfigMap', () => {
    const bundle = only(helmTemplate({ values: [ALL_FEATURES] }), 'Bundle') as { apiVersion: string; metadata: { namespace?: string }; spec?: unknown };
    expect(bundle.apiVersion).toBe('trust.cert-manager.io/v1alpha1');
    expect(bundle.metadata.namespace).toBeUndefined();
    expect(bundle.spec).toEqual({
      sources: [{ configMap: { name: 'smsgate-ca-root-ca', key: 'ca.crt' } }],
      target: { configMap: { key: 'smsgate-ca-root.pem' }, namespaceSelector: { matchLabels: { 'trust.example.com/inject': 'true' } } },
    });
  });

  it('fills in the pod selector of topology spread constraints', () => {
    const spec = deploymentOf(helmTemplate({ values: [ALL_FEATURES] })).spec.template.spec;
    expect(spec.topologySpreadConstraints?.[0]).toEqual({
      maxSkew: 1,
      topologyKey: 'kubernetes.io/hostname',
      whenUnsatisfiable: 'ScheduleAnyway',
      labelSelector: {
        matchLabels: { 'app.kubernetes.io/name': 'smsgate-ca', 'app.kubernetes.io/instance': 'smsgate-ca', 'app.kubernetes.io/component': 'server' },
      },
    });
  });

  it('requires Kubernetes 1.29 (CRD validation rules with transition rules are GA there)', () => {
    expect(helmTemplateRaw({ extraArgs: ['--kube-version', '1.29.0'] }).status).toBe(0);
    const old = helmTemplateRaw({ extraArgs: ['--kube-version', '1.28.5'] });
    expect(old.status).not.toBe(0);
    expect(old.stderr).toContain('requires kubeVersion');
  });

  it('keeps maxUnavailable 0 when asked (a PDB that blocks voluntary evictions)', () => {
    const pdb = only(helmTemplate({ set: ['podDisruptionBudget.maxUnavailable=0'] }), 'PodDisruptionBudget') as { spec?: object };
    expect(pdb.spec).toMatchObject({ maxUnavailable: 0 });
    const byDefault = only(helmTemplate(), 'PodDisruptionBudget') as { spec?: object };
    expect(byDefault.spec).toMatchObject({ maxUnavailable: 1 });
  });

  it('honours fullnameOverride and a release name that already contains the chart name', () => {
    expect(deploymentOf(helmTemplate({ set: ['fullnameOverride=ca'] })).metadata.name).toBe('ca');
    expect(deploymentOf(helmTemplate({ releaseName: 'lab-smsgate-ca' })).metadata.name).toBe('lab-smsgate-ca');
    expect(deploymentOf(helmTemplate({ releaseName: 'lab' })).metadata.name).toBe('lab-smsgate-ca');
  });
});
