import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeApiServer } from '../support/fake-apiserver/index.js';
import type { FakeApiServer, JsonObject } from '../support/fake-apiserver/index.js';
import { isolatedToolEnv, kubeTools, runTool } from '../support/kube-tools.js';

const CHART = {
  'Chart.yaml': 'apiVersion: v2\nname: tiny\nversion: 0.1.0\nappVersion: "1.0"\n',
  'values.yaml': 'message: hello\nreplicas: 1\n',
  'crds/gizmos.yaml': `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: gizmos.tiny.example.com
spec:
  group: tiny.example.com
  scope: Namespaced
  names: { plural: gizmos, singular: gizmo, kind: Gizmo }
  versions:
    - name: v1alpha1
      served: true
      storage: true
      subresources: { status: {} }
      schema:
        openAPIV3Schema:
          type: object
          properties:
            spec: { type: object, properties: { message: { type: string } } }
            status: { type: object, x-kubernetes-preserve-unknown-fields: true }
`,
  'templates/configmap.yaml': `apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ .Release.Name }}-config
  labels: { app.kubernetes.io/instance: {{ .Release.Name }} }
data:
  message: {{ .Values.message | quote }}
`,
  'templates/deployment.yaml': `apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ .Release.Name }}-web
spec:
  replicas: {{ .Values.replicas }}
  selector: { matchLabels: { app: {{ .Release.Name }}-web } }
  template:
    metadata: { labels: { app: {{ .Release.Name }}-web } }
    spec:
      containers:
        - name: web
          image: nginx:1.27
          env: [{ name: MESSAGE, valueFrom: { configMapKeyRef: { name: {{ .Release.Name }}-config, key: message } } }]
          ports: [{ containerPort: 8080 }]
`,
  'templates/gizmo.yaml': `apiVersion: tiny.example.com/v1alpha1
kind: Gizmo
metadata:
  name: {{ .Release.Name }}-gizmo
spec:
  message: {{ .Values.message | quote }}
`,
};

let server: FakeApiServer;
let home: string;
let chartDir: string;
let env: NodeJS.ProcessEnv;

async function helm(...args: string[]): Promise<string> {
  const result = await runTool(kubeTools().helm, args, env);
  if (result.code !== 0) throw new Error(`helm ${args.join(' ')} failed (${result.code}): ${result.stderr}`);
  return result.stdout;
}

function configMap(): JsonObject | undefined {
  return server.objects.get({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'apps', name: 'demo-config' });
}

function releaseSecrets(): JsonObject[] {
  return server.objects.list('v1', 'Secret', 'apps').filter((s) => s['type'] === 'helm.sh/release.v1');
}

beforeAll(async () => {
  server = await startFakeApiServer();
  home = await mkdtemp(join(tmpdir(), 'fake-apiserver-helm-'));
  env = isolatedToolEnv(server.kubeconfigPath, home);
  chartDir = join(home, 'tiny');
  for (const [file, content] of Object.entries(CHART)) {
    await mkdir(join(chartDir, file, '..'), { recursive: true });
    await writeFile(join(chartDir, file), content);
  }
});

afterAll(async () => {
  await server?.close();
  if (home !== undefined) await rm(home, { recursive: true, force: true });
});

describe('helm 4 against the fake API server', () => {
  it('installs a chart with a CRD, a ConfigMap, a Deployment and a custom resource', async () => {
    await helm('install', 'demo', chartDir, '--namespace', 'apps', '--create-namespace');
    expect(configMap()?.['data']).toEqual({ message: 'hello' });
    const deployment = server.objects.get({ apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'apps', name: 'demo-web' });
    expect(deployment?.['spec']).toMatchObject({ replicas: 1, template: { spec: { containers: [expect.objectContaining({ name: 'web', image: 'nginx:1.27' })] } } });
    expect(server.objects.get({ apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', name: 'gizmos.tiny.example.com' })).toBeDefined();
    expect(server.objects.get({ apiVersion: 'tiny.example.com/v1alpha1', kind: 'Gizmo', namespace: 'apps', name: 'demo-gizmo' })?.['spec']).toEqual({ message: 'hello' });
    const secrets = releaseSecrets();
    expect(secrets.map((s) => (s['metadata'] as JsonObject)['name'])).toEqual(['sh.helm.release.v1.demo.v1']);
    expect((secrets[0]?.['metadata'] as JsonObject)['labels']).toMatchObject({ owner: 'helm', name: 'demo', status: 'deployed', version: '1' });
    const applies = server.requests.find((e) => e.method === 'PATCH' && e.contentType === 'application/apply-patch+yaml');
    expect(applies.length).toBeGreaterThanOrEqual(3);
    expect(applies.every((e) => new URLSearchParams(e.query).get('fieldManager') === 'helm')).toBe(true);
  });

  it('lists the release', async () => {
    const releases = JSON.parse(await helm('list', '--namespace', 'apps', '-o', 'json')) as { name: string; status: string; revision: string }[];
    expect(releases).toEqual([expect.objectContaining({ name: 'demo', status: 'deployed', revision: '1' })]);
  });

  it('upgrades the release in place', async () => {
    const before = configMap();
    await helm('upgrade', 'demo', chartDir, '--namespace', 'apps', '--set', 'message=second', '--set', 'replicas=2');
    const after = configMap();
    expect(after?.['data']).toEqual({ message: 'second' });
    expect((after?.['metadata'] as JsonObject)['uid']).toBe((before?.['metadata'] as JsonObject)['uid']);
    expect(server.objects.get({ apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'apps', name: 'demo-web' })?.['metadata']).toMatchObject({ generation: 2 });
    const statuses = Object.fromEntries(releaseSecrets().map((s) => [(s['metadata'] as JsonObject)['name'], ((s['metadata'] as JsonObject)['labels'] as JsonObject)['status']]));
    expect(statuses).toEqual({ 'sh.helm.release.v1.demo.v1': 'superseded', 'sh.helm.release.v1.demo.v2': 'deployed' });
    const history = JSON.parse(await helm('history', 'demo', '--namespace', 'apps', '-o', 'json')) as { revision: number; status: string }[];
    expect(history.map((h) => [h.revision, h.status])).toEqual([[1, 'superseded'], [2, 'deployed']]);
  });

  it('uninstalls the release: templated objects and release records disappear, the CRD stays', async () => {
    await helm('uninstall', 'demo', '--namespace', 'apps');
    await server.settle();
    expect(configMap()).toBeUndefined();
    expect(server.objects.get({ apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'apps', name: 'demo-web' })).toBeUndefined();
    expect(server.objects.get({ apiVersion: 'tiny.example.com/v1alpha1', kind: 'Gizmo', namespace: 'apps', name: 'demo-gizmo' })).toBeUndefined();
    expect(releaseSecrets()).toEqual([]);
    expect(server.objects.get({ apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', name: 'gizmos.tiny.example.com' })).toBeDefined();
    expect(JSON.parse(await helm('list', '--namespace', 'apps', '-o', 'json'))).toEqual([]);
  });
});
