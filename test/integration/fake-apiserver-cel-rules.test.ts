import 'reflect-metadata'; // the API-server double's TLS material uses @peculiar/x509 (tsyringe needs the polyfill first)
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { startFakeApiServer, type FakeApiServer } from '../support/fake-apiserver/index.js';
import { CRDS_DIR, kubectlAsync, type CommandResult } from '../support/helm.js';
import { loadCrds, walkSchema } from '../unit/crds/crd-documents.js';
import { accountObject, orderObject } from '../../src/store/kubernetes/acme/acme-objects.js';

/**
 * Every CEL rule in crds/, through kubectl 1.35: one `kubectl apply` (or status patch) that breaks
 * the rule is refused with the rule's message at the rule's field, and one that keeps it is
 * accepted. The rules are read from the CRDs, so a new rule without a case here fails the test.
 */
type Step = { readonly apply: object } | { readonly statusPatch: { readonly name: string; readonly patch: object } };

interface RuleCase {
  readonly setup?: readonly Step[];
  readonly keep: Step;
  readonly breaks: Step;
  /** The field kube-apiserver reports. */
  readonly field: string;
}

const CSR = '-----BEGIN CERTIFICATE REQUEST-----\nMIIB\n-----END CERTIFICATE REQUEST-----\n';
const request = (name: string, spec: object): Step => ({ apply: { apiVersion: 'smsgate-ca.sms-gate.app/v1alpha1', kind: 'CertificateRequest', metadata: { name, namespace: 'default' }, spec } });
const withIps = (extra: object = {}): object => ({ ipAddresses: ['10.42.0.7'], secretName: 'web-tls', ...extra });
const issuer = (name: string, allowedCIDRs: string[]): Step => ({ apply: { apiVersion: 'smsgate-ca.sms-gate.app/v1alpha1', kind: 'IPClusterIssuer', metadata: { name }, spec: { allowedCIDRs } } });
const status = (name: string, patch: object): Step => ({ statusPatch: { name, patch: { status: patch } } });
const revoked = { serialNumber: '02ab', revokedAt: '2026-06-01T10:00:00Z', revocationReason: 1 };
const approved = { type: 'Approved', status: 'True', reason: 'KubectlApproved', message: 'checked' };
const denied = { type: 'Denied', status: 'True', reason: 'KubectlDenied', message: 'not ours' };

/** ACME records as the store writes them (no status subresource: applied whole). */
const GROUP_VERSION = 'smsgate-ca.sms-gate.app/v1alpha1';
const T0 = new Date('2030-01-01T00:00:00Z');
const account = (id: string, createdAt = T0): Step => ({
  apply: { apiVersion: GROUP_VERSION, kind: 'ACMEAccount', ...accountObject({ id, thumbprint: 'A'.repeat(43), jwk: { kty: 'EC' }, contact: [], status: 'valid', termsOfServiceAgreed: true, createdAt }, 'default') },
});
const order = (id: string, status: object): Step => {
  const object = orderObject({ id, accountId: 'AAECAwQFBgcICQoL', ips: ['10.42.0.7'], authorizationIds: ['BBECAwQFBgcICQoL'], expires: new Date('2030-01-08T00:00:00Z'), createdAt: T0 }, 'default');
  return { apply: { apiVersion: GROUP_VERSION, kind: 'ACMEOrder', ...object, status } };
};
const certificateLink = (serialNumber: string) => ({ id: 'CCECAwQFBgcICQoL', serialNumber, notAfter: '2030-04-01T00:00:00Z' });
const keyClaim = (name: string, spec: object): Step => ({ apply: { apiVersion: GROUP_VERSION, kind: 'ACMEReservation', metadata: { name, namespace: 'default' }, spec, status: {} } });

const CASES: Readonly<Record<string, RuleCase>> = {
  'spec: self == oldSelf': { setup: [account('AAECAwQFBgcICQoL')], keep: account('AAECAwQFBgcICQoL'), breaks: account('AAECAwQFBgcICQoL', new Date('2031-01-01T00:00:00Z')), field: 'spec' },
  "status: has(self.certificate) == (self.status == 'valid')": {
    keep: order('AQECAwQFBgcICQoL', { status: 'pending' }),
    breaks: order('AgECAwQFBgcICQoL', { status: 'valid' }),
    field: 'status',
  },
  "status: oldSelf.status != 'valid' || (self.status == 'valid' && has(self.certificate) && self.certificate.serialNumber == oldSelf.certificate.serialNumber)": {
    setup: [order('AwECAwQFBgcICQoL', { status: 'valid', certificate: certificateLink('0a') })],
    keep: order('AwECAwQFBgcICQoL', { status: 'valid', certificate: { ...certificateLink('0a'), revokedAt: '2030-02-01T00:00:00Z', revocationReason: 1 } }),
    breaks: order('AwECAwQFBgcICQoL', { status: 'valid', certificate: certificateLink('0b') }),
    field: 'status',
  },
  "spec: has(self.account) == (self.type == 'AccountKey')": {
    keep: keyClaim('key-aa', { type: 'AccountKey', account: 'AAECAwQFBgcICQoL' }),
    breaks: keyClaim('key-bb', { type: 'AccountKey' }),
    field: 'spec',
  },
  'spec: has(self.ipAddresses) != has(self.request)': { keep: request('one-of', withIps()), breaks: request('one-of-2', withIps({ request: CSR, secretName: undefined })), field: 'spec' },
  'spec: has(self.request) || has(self.secretName)': { keep: request('secret', withIps()), breaks: request('secret-2', { ipAddresses: ['10.42.0.7'] }), field: 'spec' },
  "spec: !has(self.request) || (!has(self.secretName) && !has(self.privateKey) && !has(self.secretTemplate))": {
    keep: request('csr-only', { request: CSR }),
    breaks: request('csr-only-2', { request: CSR, privateKey: { algorithm: 'RSA' } }),
    field: 'spec',
  },
  "spec: !has(self.renewBefore) || duration(self.renewBefore) < duration(has(self.duration) ? self.duration : '8760h')": {
    keep: request('renew', withIps({ duration: '720h', renewBefore: '240h' })),
    breaks: request('renew-2', withIps({ duration: '720h', renewBefore: '720h' })),
    field: 'spec',
  },
  'spec: has(self.request) == has(oldSelf.request)': {
    setup: [request('switch', { request: CSR })],
    keep: request('switch', { request: CSR }),
    breaks: request('switch', withIps()),
    field: 'spec',
  },
  "spec.privateKey: !has(self.size) || ((has(self.algorithm) ? self.algorithm : 'ECDSA') == 'RSA' ? self.size in [2048, 3072, 4096] : self.size in [256, 384])": {
    keep: request('key', withIps({ privateKey: { algorithm: 'RSA', size: 3072 } })),
    breaks: request('key-2', withIps({ privateKey: { algorithm: 'RSA', size: 384 } })),
    field: 'spec.privateKey',
  },
  "spec.duration: duration(self) <= duration('8760h')": { keep: request('long', withIps({ duration: '8760h' })), breaks: request('long-2', withIps({ duration: '8761h' })), field: 'spec.duration' },
  "spec.duration: duration(self) > duration('0s')": { keep: request('short', withIps({ duration: '1h' })), breaks: request('short-2', withIps({ duration: '0s' })), field: 'spec.duration' },
  "spec.renewBefore: duration(self) > duration('0s')": { keep: request('early', withIps({ renewBefore: '1s' })), breaks: request('early-2', withIps({ renewBefore: '0h' })), field: 'spec.renewBefore' },
  "spec.request: self.startsWith('-----BEGIN CERTIFICATE REQUEST-----')": { keep: request('pem', { request: CSR }), breaks: request('pem-2', { request: 'MIIB' }), field: 'spec.request' },
  'spec.request: self == oldSelf': {
    setup: [request('frozen', { request: CSR })],
    keep: request('frozen', { request: CSR }),
    breaks: request('frozen', { request: CSR.replace('MIIB', 'MIIC') }),
    field: 'spec.request',
  },
  'status: has(self.revokedAt) == has(self.revocationReason)': {
    setup: [request('pair', { request: CSR }), request('pair-2', { request: CSR })],
    keep: status('pair', revoked),
    breaks: status('pair-2', { revokedAt: revoked.revokedAt }),
    field: 'status',
  },
  'status: !has(oldSelf.revokedAt) || (has(self.revokedAt) && self.revokedAt == oldSelf.revokedAt && self.revocationReason == oldSelf.revocationReason)': {
    setup: [request('final', { request: CSR }), status('final', revoked)],
    keep: status('final', { certificate: 'x' }),
    breaks: status('final', { revocationReason: 4 }),
    field: 'status',
  },
  "status: !has(self.conditions) || self.conditions.all(c, !(c.type in ['Approved', 'Denied']) || c.status == 'True')": {
    setup: [request('approval-true', { request: CSR }), request('approval-true-2', { request: CSR })],
    keep: status('approval-true', { conditions: [approved] }),
    breaks: status('approval-true-2', { conditions: [{ ...approved, status: 'False' }] }),
    field: 'status',
  },
  "status: !has(self.conditions) || !(self.conditions.exists(c, c.type == 'Approved') && self.conditions.exists(c, c.type == 'Denied'))": {
    setup: [request('approval-one', { request: CSR }), request('approval-one-2', { request: CSR })],
    keep: status('approval-one', { conditions: [denied] }),
    breaks: status('approval-one-2', { conditions: [approved, denied] }),
    field: 'status',
  },
  "status: !has(oldSelf.conditions) || oldSelf.conditions.all(o, !(o.type in ['Approved', 'Denied']) || (has(self.conditions) && self.conditions.exists(c, c == o)))": {
    setup: [request('approval-final', { request: CSR }), status('approval-final', { conditions: [approved] })],
    keep: status('approval-final', { conditions: [approved, { type: 'Ready', status: 'True', reason: 'Issued', message: 'issued' }] }),
    breaks: status('approval-final', { conditions: [denied] }),
    field: 'status',
  },
  'spec.allowedCIDRs[]: cidr(self) == cidr(self).masked()': { keep: issuer('lan', ['10.42.0.0/16']), breaks: issuer('lan-2', ['10.42.0.1/16']), field: 'spec.allowedCIDRs[0]' },
};

/** Every rule in crds/ as `path: rule`, with the message it must produce. */
function rulesInCrds(): Map<string, string> {
  const rules = new Map<string, string>();
  for (const crd of loadCrds().values()) {
    for (const version of crd.spec.versions) {
      for (const [path, node] of walkSchema(version.schema.openAPIV3Schema)) {
        for (const rule of node['x-kubernetes-validations'] ?? []) rules.set(`${path.join('.').replace(/\.\[\]/g, '[]')}: ${rule.rule}`, rule.message ?? rule.rule);
      }
    }
  }
  return rules;
}

let cluster: FakeApiServer;
let dir: string;
let files = 0;

beforeAll(async () => {
  cluster = await startFakeApiServer();
  dir = await mkdtemp(join(tmpdir(), 'cel-rules-'));
  const crds = await kubectlAsync(['apply', '-f', CRDS_DIR], cluster.kubeconfigPath);
  expect(crds.status, crds.stderr).toBe(0);
  await cluster.settle();
});

afterAll(async () => {
  await cluster?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function run(step: Step): Promise<CommandResult> {
  if ('apply' in step) {
    files += 1;
    const file = join(dir, `step-${files}.yaml`);
    await writeFile(file, stringify(step.apply));
    return kubectlAsync(['apply', '-f', file], cluster.kubeconfigPath);
  }
  const { name, patch } = step.statusPatch;
  return kubectlAsync(['patch', 'certificaterequests.smsgate-ca.sms-gate.app', name, '-n', 'default', '--subresource=status', '--type=merge', '-p', JSON.stringify(patch)], cluster.kubeconfigPath);
}

describe('every CEL rule in crds/, through kubectl apply', () => {
  const rules = rulesInCrds();

  it('has a case for every rule and no case without a rule', () => {
    expect([...rules.keys()].sort()).toEqual(Object.keys(CASES).sort());
  });

  for (const [key, message] of rules) {
    const ruleCase = CASES[key];
    it(`${key}`, async () => {
      expect(ruleCase, `no case for ${key}`).toBeDefined();
      for (const step of ruleCase!.setup ?? []) {
        const setup = await run(step);
        expect(setup.status, setup.stderr).toBe(0);
      }
      const kept = await run(ruleCase!.keep);
      expect(kept.status, kept.stderr).toBe(0);
      const broken = await run(ruleCase!.breaks);
      expect(broken.status).not.toBe(0);
      expect(broken.stderr).toMatch(/is invalid: /);
      expect(broken.stderr).toContain(`${ruleCase!.field}: Invalid value: `);
      expect(broken.stderr).toContain(message);
    });
  }
});
