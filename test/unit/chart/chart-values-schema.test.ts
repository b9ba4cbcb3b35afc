import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isMap, isPair, isScalar, parseDocument, type Pair } from 'yaml';
import { CHART_DIR, helmTemplateRaw } from '../../support/helm.js';

interface JsonSchema {
  type?: string | string[];
  $ref?: string;
  properties?: Record<string, JsonSchema>;
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  oneOf?: JsonSchema[];
  definitions?: Record<string, JsonSchema>;
}

const schema = JSON.parse(readFileSync(join(CHART_DIR, 'values.schema.json'), 'utf8')) as JsonSchema;
const valuesText = readFileSync(join(CHART_DIR, 'values.yaml'), 'utf8');
const values = parseDocument(valuesText).toJS() as Record<string, unknown>;

// Objects passed straight into Kubernetes fields; the Kubernetes API validates them, not the chart.
const FREE_FORM = new Set(['global', 'podSecurityContext', 'containerSecurityContext', 'affinity']);

function resolve(node: JsonSchema): JsonSchema {
  if (!node.$ref) return node;
  const name = node.$ref.replace('#/definitions/', '');
  const target = schema.definitions?.[name];
  if (!target) throw new Error(`dangling $ref ${node.$ref}`);
  return resolve(target);
}

function* objectNodes(node: JsonSchema, path: string): Generator<[string, JsonSchema]> {
  const resolved = resolve(node);
  const types = [resolved.type].flat();
  if (types.includes('object')) yield [path, resolved];
  for (const [key, child] of Object.entries(resolved.properties ?? {})) yield* objectNodes(child, path ? `${path}.${key}` : key);
  if (resolved.items) yield* objectNodes(resolved.items, `${path}[]`);
}

function rejects(options: Parameters<typeof helmTemplateRaw>[0], ...expected: string[]): void {
  const result = helmTemplateRaw(options);
  expect(result.status, `helm accepted ${JSON.stringify(options)}`).not.toBe(0);
  for (const text of expected) expect(result.stderr).toContain(text);
}

describe('values.schema.json', () => {
  it('closes every object of ours with additionalProperties: false', () => {
    let closed = 0;
    for (const [path, node] of objectNodes(schema, '')) {
      if (FREE_FORM.has(path)) continue;
      if (node.properties) {
        expect(node.additionalProperties, path || '<root>').toBe(false);
        closed += 1;
      } else {
        // Maps (labels, annotations, resource lists) constrain their values; passthrough lists hold Kubernetes objects.
        expect(typeof node.additionalProperties === 'object' || path.endsWith('[]'), `${path} is open`).toBe(true);
      }
    }
    expect(closed).toBeGreaterThan(20);
  });

  it('describes exactly the keys values.yaml has, at every level', () => {
    const compare = (node: JsonSchema, value: unknown, path: string): void => {
      const resolved = resolve(node);
      if (!resolved.properties || typeof value !== 'object' || value === null || Array.isArray(value)) return;
      // An empty map stands for an optional object (e.g. a label selector) left unset.
      if (Object.keys(value).length === 0) return;
      const schemaKeys = Object.keys(resolved.properties);
      expect(Object.keys(value).sort(), path || '<root>').toEqual(schemaKeys.sort());
      for (const key of schemaKeys) compare(resolved.properties[key]!, (value as Record<string, unknown>)[key], `${path}.${key}`);
    };
    compare(schema, values, '');
  });

  it('accepts the chart defaults', () => {
    expect(helmTemplateRaw().status).toBe(0);
  });

  it('accepts registries with ports and paths, and keys a parent chart puts under global', () => {
    for (const values of [
      { image: { registry: 'registry.example.internal:5000', repository: 'team/smsgate-ca' } },
      { global: { imageRegistry: 'mirror.example.internal/ghcr', storageClass: 'fast' } },
    ]) {
      const result = helmTemplateRaw({ values: [values] });
      expect(result.stderr, JSON.stringify(values)).toBe('');
      expect(result.status).toBe(0);
    }
  });

  describe('rejects misspelt keys', () => {
    for (const [what, typo, key] of [
      ['at the top level', { replicaCont: 2 }, 'replicaCont'],
      ['under crds', { crds: { enable: false } }, 'enable'],
      ['under image', { image: { tags: '1.0.0' } }, 'tags'],
      ['in lower case where the chart uses camel case', { metrics: { servicemonitor: { enabled: true } } }, 'servicemonitor'],
      ['under config.tls', { config: { tls: { secret: 'x' } } }, 'secret'],
      ['under config.crl', { config: { crl: { validty: '1h' } } }, 'validty'],
      ['inside a probe', { livenessProbe: { path: '/healthz' } }, 'path'],
      ['inside an ingress host', { ingress: { hosts: [{ hostname: 'a', paths: [{ path: '/', pathType: 'Prefix' }] }] } }, 'hostname'],
      ['under resources', { resources: { limit: { memory: '1Gi' } } }, 'limit'],
      ['the session affinity timeout the Service no longer has', { service: { sessionAffinityTimeoutSeconds: 600 } }, 'sessionAffinityTimeoutSeconds'],
    ] as const) {
      it(what, () => rejects({ values: [typo] }, key));
    }
  });

  describe('rejects wrong types and values', () => {
    for (const [what, wrong, key] of [
      ['a replica count given as text', { replicaCount: 'two' }, 'replicaCount'],
      ['a boolean given as text', { crds: { enabled: 'yes' } }, 'enabled'],
      ['one CIDR string instead of a list', { config: { allowedCIDRs: '10.0.0.0/8' } }, 'allowedCIDRs'],
      ['an address without prefix length as allowed CIDR', { config: { allowedCIDRs: ['10.1.2.3'] } }, 'allowedCIDRs'],
      ['a port out of range', { service: { port: 70000 } }, 'port'],
      ['an unknown TLS mode', { config: { tls: { mode: 'acme' } } }, 'mode'],
      ['an unknown log level', { config: { logLevel: 'verbose' } }, 'logLevel'],
      ['a malformed rate limit', { config: { rateLimit: 'one per minute' } }, 'rateLimit'],
      ['a tag as digest', { image: { digest: 'latest' } }, 'digest'],
      ['a tag inside the repository', { image: { repository: 'smsgate-ca:1.0.0' } }, 'repository'],
      ['a registry inside the repository with a port (belongs in image.registry)', { image: { repository: 'localhost:5000/smsgate-ca' } }, 'repository'],
      ['a URL as registry', { image: { registry: 'https://ghcr.io' } }, 'registry'],
      ['a registry with a trailing slash', { global: { imageRegistry: 'mirror.example.internal/' } }, 'imageRegistry'],
      ['an unknown CA key algorithm', { ca: { keyAlgorithm: 'ed25519' } }, 'keyAlgorithm'],
      ['a privileged container port', { containerPort: 443 }, 'containerPort'],
      ['a PDB bound that is neither number nor percentage', { podDisruptionBudget: { minAvailable: 'half' } }, 'minAvailable'],
      ['an extra argument that is not a flag', { extraArgs: ['serve'] }, 'extraArgs'],
      ['an upper-case Secret name', { ca: { existingSecret: 'My-CA' } }, 'existingSecret'],
      ['an https CRL URL (CRLs are fetched over plain HTTP)', { config: { crl: { url: 'https://ca.example.internal/crl' } } }, 'url'],
      ['a CRL URL with credentials', { config: { crl: { url: 'http://user:secret@ca.example.internal/crl' } } }, 'url'],
      ['a CRL URL with a fragment', { config: { crl: { url: 'http://ca.example.internal/crl#latest' } } }, 'url'],
      ['a CRL URL without a host', { config: { crl: { url: 'http:///crl' } } }, 'url'],
      ['a CRL validity without unit', { config: { crl: { validity: '24' } } }, 'validity'],
      ['a CRL listener port out of range', { config: { crl: { port: 70000 } } }, 'port'],
      ['a CRL listener port as text', { config: { crl: { port: '8080' } } }, 'port'],
      ['a privileged metrics port', { metrics: { port: 80 } }, 'port'],
      ['a Kubernetes API qps of 0', { kubeApi: { qps: 0, burst: 50 } }, 'qps'],
      ['a fractional Kubernetes API burst', { kubeApi: { qps: 20, burst: 2.5 } }, 'burst'],
      ['a record retention without unit', { store: { type: 'kubernetes', recordRetention: '30' } }, 'recordRetention'],
      ['a record retention in days (Go durations have none)', { store: { type: 'kubernetes', recordRetention: '30d' } }, 'recordRetention'],
    ] as const) {
      it(what, () => rejects({ values: [wrong] }, key));
    }
  });

  describe('rejects combinations the schema cannot express', () => {
    it('the SQLite store with two replicas', () => rejects({ set: ['store.type=sqlite', 'replicaCount=2'] }, 'replicaCount must be 1'));
    it('an approval policy with the ledger in the cluster and no controller to sign what is approved', () =>
      rejects({ set: ['config.restApproval=manual', 'controller.enabled=false'] }, 'needs controller.enabled'));
    it('an approval policy that does not exist', () => rejects({ set: ['config.restApproval=anyone'] }, 'restApproval'));
    it('secret TLS mode without a Secret', () => rejects({ set: ['config.tls.mode=secret'] }, 'config.tls.secretName is required'));
    it('certManager TLS mode without an issuer', () => rejects({ set: ['config.tls.mode=certManager'] }, 'issuerRef.name is required'));
    it('both PDB bounds', () =>
      rejects({ set: ['podDisruptionBudget.minAvailable=1', 'podDisruptionBudget.maxUnavailable=1'] }, 'not both'));
    it('an existing ServiceAccount without a name', () =>
      rejects({ set: ['serviceAccount.create=false'] }, 'serviceAccount.name is required'));
  });
});

describe('values.yaml', () => {
  it('documents every top-level key with a comment (on the key itself or, for a section, on its first key)', () => {
    const document = parseDocument(valuesText);
    if (!isMap(document.contents)) throw new Error('values.yaml is not a map');
    const undocumented = document.contents.items
      .filter((pair) => !hasComment(pair))
      .map((pair) => (isScalar(pair.key) ? String(pair.key.value) : '?'));
    expect(undocumented).toEqual([]);
  });
});

function hasComment(pair: Pair): boolean {
  if (isScalar(pair.key) && pair.key.commentBefore) return true;
  if (!isMap(pair.value)) return false;
  // The yaml parser attaches a comment above a section's first key to the section's map.
  const first = pair.value.items[0];
  return Boolean(pair.value.commentBefore || (isPair(first) && isScalar(first.key) && first.key.commentBefore));
}
