import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeApiServer } from '../support/fake-apiserver/index.js';
import type { FakeApiServer, JsonObject } from '../support/fake-apiserver/index.js';
import { isolatedToolEnv, kubeTools, runTool } from '../support/kube-tools.js';
import type { ToolResult } from '../support/kube-tools.js';

const WIDGET_CRD = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.test.example.com
spec:
  group: test.example.com
  scope: Namespaced
  names: { plural: widgets, singular: widget, kind: Widget, shortNames: [wd], categories: [gadgets] }
  versions:
    - name: v1
      served: true
      storage: true
      subresources: { status: {} }
      additionalPrinterColumns:
        - { name: Size, type: integer, jsonPath: .spec.size }
        - { name: Ready, type: string, jsonPath: '.status.conditions[?(@.type=="Ready")].status' }
      schema:
        openAPIV3Schema:
          type: object
          properties:
            spec:
              type: object
              properties:
                size: { type: integer, minimum: 1 }
                color: { type: string, default: blue }
            status:
              type: object
              properties:
                conditions:
                  type: array
                  items:
                    type: object
                    properties:
                      type: { type: string }
                      status: { type: string }
                      reason: { type: string }
                      lastTransitionTime: { type: string }
`;

function widget(name: string, size: number): string {
  return `apiVersion: test.example.com/v1\nkind: Widget\nmetadata:\n  name: ${name}\n  labels: { team: blue }\nspec:\n  size: ${size}\n`;
}

let server: FakeApiServer;
let home: string;
let env: NodeJS.ProcessEnv;

function kubectl(...args: string[]): Promise<ToolResult> {
  return runTool(kubeTools().kubectl, args, env);
}

async function kubectlOk(...args: string[]): Promise<string> {
  const result = await kubectl(...args);
  if (result.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed (${result.code}): ${result.stderr}`);
  return result.stdout;
}

async function manifest(name: string, text: string): Promise<string> {
  const path = join(home, name);
  await writeFile(path, text);
  return path;
}

async function getJson(...args: string[]): Promise<JsonObject> {
  return JSON.parse(await kubectlOk('get', ...args, '-o', 'json')) as JsonObject;
}

function widgetRef(name: string): { apiVersion: string; kind: string; namespace: string; name: string } {
  return { apiVersion: 'test.example.com/v1', kind: 'Widget', namespace: 'default', name };
}

/** Waits (without asserting on time) until kubectl has opened a watch on widgets. */
async function untilWatching(resource: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!server.requests.entries().some((e) => e.path.endsWith(`/${resource}`) && /(^|&)watch=(true|1)/.test(e.query))) {
    if (Date.now() > deadline) throw new Error(`kubectl never opened a watch on ${resource}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

beforeAll(async () => {
  server = await startFakeApiServer();
  home = await mkdtemp(join(tmpdir(), 'fake-apiserver-kubectl-'));
  env = isolatedToolEnv(server.kubeconfigPath, home);
});

afterAll(async () => {
  await server?.close();
  if (home !== undefined) await rm(home, { recursive: true, force: true });
});

describe('kubectl 1.35 against the fake API server', () => {
  it('reports the client and server versions', async () => {
    const out = JSON.parse(await kubectlOk('version', '-o', 'json')) as { clientVersion: { minor: string }; serverVersion: { gitVersion: string } };
    expect(out.clientVersion.minor).toBe('35');
    expect(out.serverVersion.gitVersion).toBe('v1.35.0');
  });

  it('lists api-resources from aggregated discovery', async () => {
    const out = await kubectlOk('api-resources');
    expect(out).toMatch(/^secrets\s+v1\s+true\s+Secret$/m);
    expect(out).toMatch(/^leases\s+coordination\.k8s\.io\/v1\s+true\s+Lease$/m);
    expect(out).toMatch(/^customresourcedefinitions\s+crd,crds\s+apiextensions\.k8s\.io\/v1\s+false\s+CustomResourceDefinition$/m);
    expect(server.requests.entries().some((e) => e.path === '/apis' && (e.accept ?? '').includes('as=APIGroupDiscoveryList'))).toBe(true);
  });

  it('applies a CRD, which becomes Established and is served, then a custom resource of it', async () => {
    expect(await kubectlOk('apply', '-f', await manifest('crd.yaml', WIDGET_CRD))).toContain('customresourcedefinition.apiextensions.k8s.io/widgets.test.example.com created');
    await server.settle();
    const crd = await getJson('crd', 'widgets.test.example.com');
    expect(crd['status']).toMatchObject({
      conditions: expect.arrayContaining([expect.objectContaining({ type: 'Established', status: 'True' }), expect.objectContaining({ type: 'NamesAccepted', status: 'True' })]),
      acceptedNames: { kind: 'Widget', plural: 'widgets' },
    });
    expect(await kubectlOk('apply', '-f', await manifest('w1.yaml', widget('demo', 2)))).toContain('widget.test.example.com/demo created');
    const demo = await getJson('widget', 'demo');
    expect(demo).toMatchObject({ apiVersion: 'test.example.com/v1', kind: 'Widget', spec: { size: 2, color: 'blue' }, metadata: { generation: 1, namespace: 'default' } });
    expect(await kubectlOk('get', 'crd')).toMatch(/^widgets\.test\.example\.com\s+\d{4}-\d\d-\d\dT/m);
  });

  it('prints custom resources through the CRD printer columns and resolves short names and categories', async () => {
    expect(await kubectlOk('get', 'wd')).toMatch(/^NAME\s+SIZE\s+READY\s*\ndemo\s+2\s*$/m);
    expect(await kubectlOk('get', 'gadgets', '-o', 'name')).toBe('widget.test.example.com/demo\n');
    expect((await kubectlOk('api-resources', '--api-group', 'test.example.com'))).toMatch(/^widgets\s+wd\s+test\.example\.com\/v1\s+true\s+Widget$/m);
  });

  it('rejects fields the schema does not declare (kubectl asks for strict field validation)', async () => {
    const bad = widget('strict', 1).replace('size: 1', 'size: 1\n  shape: round');
    const result = await kubectl('apply', '-f', await manifest('bad.yaml', bad));
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('unknown field "spec.shape"');
  });

  it('server-side applies and records the field manager', async () => {
    const out = await kubectlOk('apply', '--server-side', '-f', await manifest('w2.yaml', widget('ssa', 5)));
    expect(out).toContain('widget.test.example.com/ssa serverside-applied');
    const stored = server.objects.get(widgetRef('ssa'));
    expect(stored?.['spec']).toEqual({ size: 5, color: 'blue' });
    const managed = (stored?.['metadata'] as { managedFields: { manager: string; operation: string }[] }).managedFields;
    expect(managed).toEqual([expect.objectContaining({ manager: 'kubectl', operation: 'Apply' })]);
    expect(server.requests.entries().some((e) => e.method === 'PATCH' && e.contentType === 'application/apply-patch+yaml' && e.path.endsWith('/widgets/ssa'))).toBe(true);
    const again = await kubectlOk('apply', '--server-side', '-f', await manifest('w2b.yaml', widget('ssa', 6)));
    expect(again).toContain('serverside-applied');
    expect(server.objects.get(widgetRef('ssa'))?.['metadata']).toMatchObject({ generation: 2 });
  });

  it('patches with --type merge and --type json, bumping generation', async () => {
    await kubectlOk('patch', 'widget', 'demo', '--type', 'merge', '-p', '{"spec":{"size":3}}');
    expect(await getJson('widget', 'demo')).toMatchObject({ spec: { size: 3 }, metadata: { generation: 2 } });
    await kubectlOk('patch', 'widget', 'demo', '--type', 'json', '-p', '[{"op":"replace","path":"/spec/size","value":4},{"op":"add","path":"/metadata/labels/tier","value":"gold"}]');
    expect(await getJson('widget', 'demo')).toMatchObject({ spec: { size: 4 }, metadata: { generation: 3, labels: { team: 'blue', tier: 'gold' } } });
    const contentTypes = server.requests.entries().filter((e) => e.method === 'PATCH' && e.path.endsWith('/widgets/demo')).map((e) => e.contentType);
    expect(contentTypes).toEqual(expect.arrayContaining(['application/merge-patch+json', 'application/json-patch+json']));
  });

  it('refuses a strategic merge patch on a custom resource, as the real server does', async () => {
    const result = await kubectl('patch', 'widget', 'demo', '--type', 'strategic', '-p', '{"spec":{"size":9}}');
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/strategic merge patch|UnsupportedMediaType|unknown format/i);
  });

  it('waits for a condition that a test sets through the status subresource', async () => {
    const waiting = kubectl('wait', '--for=condition=Ready', 'widget/demo', '--timeout=60s');
    await untilWatching('widgets');
    const live = server.objects.get(widgetRef('demo'));
    server.objects.setStatus(widgetRef('demo'), { conditions: [{ type: 'Ready', status: 'True', reason: 'Test', lastTransitionTime: '2025-01-01T00:00:00Z' }] });
    const result = await waiting;
    expect(result.stderr).toBe('');
    expect(result.stdout).toContain('widget.test.example.com/demo condition met');
    const after = server.objects.get(widgetRef('demo'));
    expect(after?.['metadata']).toMatchObject({ generation: (live?.['metadata'] as { generation: number }).generation });
    expect(await kubectlOk('get', 'wd', 'demo', '--no-headers')).toMatch(/^demo\s+4\s+True\s+/);
  });

  it('creates a secret and finds it with a label selector', async () => {
    await kubectlOk('create', 'secret', 'generic', 'app-secret', '--from-literal=password=hunter2');
    await kubectlOk('create', 'secret', 'generic', 'other-secret', '--from-literal=x=y');
    await kubectlOk('label', 'secret', 'app-secret', 'app=smsgate', 'tier=backend');
    await kubectlOk('label', 'secret', 'other-secret', 'app=other');
    expect(await kubectlOk('get', 'secrets', '-l', 'app=smsgate', '-o', 'name')).toBe('secret/app-secret\n');
    expect(await kubectlOk('get', 'secrets', '-l', 'app in (smsgate,other),tier!=frontend', '-o', 'name')).toBe('secret/app-secret\nsecret/other-secret\n');
    expect(await kubectlOk('get', 'secrets', '-l', '!tier,app', '-o', 'name')).toBe('secret/other-secret\n');
    const secret = await getJson('secret', 'app-secret');
    expect(secret).toMatchObject({ type: 'Opaque', data: { password: Buffer.from('hunter2').toString('base64') } });
    expect(await kubectlOk('get', 'secrets', '-l', 'app=smsgate')).toMatch(/^NAME\s+TYPE\s+DATA\s+AGE\s*\napp-secret\s+Opaque\s+1\s+/);
  });

  it('applies and re-applies built-in objects client-side (strategic merge patch)', async () => {
    const deployment = (image: string): string => `apiVersion: apps/v1
kind: Deployment
metadata: { name: web, namespace: default }
spec:
  selector: { matchLabels: { app: web } }
  template:
    metadata: { labels: { app: web } }
    spec:
      containers:
        - { name: web, image: ${image} }
        - { name: sidecar, image: busybox }
`;
    await kubectlOk('apply', '-f', await manifest('d1.yaml', deployment('nginx:1')));
    await kubectlOk('apply', '-f', await manifest('d2.yaml', deployment('nginx:2')));
    const live = await getJson('deployment', 'web');
    expect(live).toMatchObject({ spec: { replicas: 1, template: { spec: { containers: [{ name: 'web', image: 'nginx:2' }, { name: 'sidecar', image: 'busybox' }] } } }, metadata: { generation: 2 } });
    const patchTypes = server.requests.entries().filter((e) => e.method === 'PATCH' && e.path.endsWith('/deployments/web')).map((e) => e.contentType);
    expect(patchTypes).toContain('application/strategic-merge-patch+json');
  });

  it('decodes the protobuf bodies of typed kubectl commands (create deployment/service/job, scale, auth)', async () => {
    await kubectlOk('create', 'deployment', 'proto', '--image=nginx:1.27', '--replicas=0', '--port=8080');
    await kubectlOk('create', 'service', 'clusterip', 'proto', '--tcp=80:8080');
    await kubectlOk('create', 'job', 'proto', '--image=busybox', '--', 'echo', 'hi');
    await kubectlOk('create', 'namespace', 'proto-ns');
    const protobufPosts = server.requests.find((e) => e.method === 'POST' && e.contentType === 'application/vnd.kubernetes.protobuf');
    expect(protobufPosts.map((e) => e.path)).toEqual(
      expect.arrayContaining(['/apis/apps/v1/namespaces/default/deployments', '/api/v1/namespaces/default/services', '/apis/batch/v1/namespaces/default/jobs', '/api/v1/namespaces']),
    );
    expect(await getJson('deployment', 'proto')).toMatchObject({
      metadata: { labels: { app: 'proto' } },
      spec: { replicas: 0, selector: { matchLabels: { app: 'proto' } }, template: { spec: { containers: [{ name: 'nginx', image: 'nginx:1.27', ports: [{ containerPort: 8080, protocol: 'TCP' }] }] } } },
    });
    expect(await getJson('service', 'proto')).toMatchObject({ spec: { type: 'ClusterIP', ports: [{ name: '80-8080', port: 80, targetPort: 8080, protocol: 'TCP' }], selector: { app: 'proto' } } });
    expect(await getJson('job', 'proto')).toMatchObject({ spec: { template: { spec: { restartPolicy: 'Never', containers: [{ command: ['echo', 'hi'] }] } } } });
    expect(await kubectlOk('get', 'namespace', 'proto-ns', '-o', 'jsonpath={.status.phase}')).toBe('Active');
    await kubectlOk('scale', 'deployment', 'proto', '--replicas=3');
    expect(await getJson('deployment', 'proto')).toMatchObject({ spec: { replicas: 3 }, metadata: { generation: 2 } });
    expect((await kubectlOk('auth', 'can-i', 'delete', 'secrets')).trim()).toBe('yes');
  });

  it('deletes a custom resource and waits for it to disappear', async () => {
    expect(await kubectlOk('delete', 'widget', 'demo')).toContain('widget.test.example.com "demo" deleted');
    expect(server.objects.get(widgetRef('demo'))).toBeUndefined();
    const missing = await kubectl('get', 'widget', 'demo');
    expect(missing.stderr).toContain('widgets.test.example.com "demo" not found');
  });

  it('deleting the CRD removes its resources from discovery and storage', async () => {
    await kubectlOk('delete', 'crd', 'widgets.test.example.com');
    await server.settle();
    expect(await kubectlOk('api-resources')).not.toContain('widgets');
    expect((await kubectl('get', 'widgets')).stderr).toContain(`the server doesn't have a resource type "widgets"`);
  });
});

describe('npm run fake-cluster (scripts/fake-cluster.mjs)', () => {
  it('starts the double, prints a kubeconfig path kubectl can use, and stops on SIGTERM', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'fake-cluster-script-'));
    const kubeconfig = join(dir, 'kubeconfig');
    const child = spawn(process.execPath, ['scripts/fake-cluster.mjs', '--kubeconfig', kubeconfig], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const printed = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (chunk: Buffer) => {
          out += chunk.toString();
          if (out.includes('\n')) resolve(out.trim());
        });
        child.once('exit', (code) => reject(new Error(`fake-cluster exited early (${String(code)})`)));
      });
      expect(printed).toBe(kubeconfig);
      const result = await runTool(kubeTools().kubectl, ['get', 'namespaces', '-o', 'name'], isolatedToolEnv(kubeconfig, dir));
      expect(result.stdout).toContain('namespace/kube-system');
    } finally {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('kubectl with legacy discovery only', () => {
  let legacy: FakeApiServer;
  let legacyHome: string;

  beforeAll(async () => {
    legacy = await startFakeApiServer({ aggregatedDiscovery: false });
    legacyHome = await mkdtemp(join(tmpdir(), 'fake-apiserver-legacy-'));
  });

  afterAll(async () => {
    await legacy?.close();
    if (legacyHome !== undefined) await rm(legacyHome, { recursive: true, force: true });
  });

  it('discovers through /api, /apis and the per-group resource lists', async () => {
    const result = await runTool(kubeTools().kubectl, ['api-resources', '--api-group', 'coordination.k8s.io'], isolatedToolEnv(legacy.kubeconfigPath, legacyHome));
    expect(result.stderr).toBe('');
    expect(result.stdout).toMatch(/^leases\s+coordination\.k8s\.io\/v1\s+true\s+Lease$/m);
    expect(legacy.requests.entries().some((e) => e.path === '/apis/coordination.k8s.io/v1')).toBe(true);
  });
});
