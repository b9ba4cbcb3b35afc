import { Writable } from 'node:stream';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Operator } from '../../src/controller/operator.js';
import type { CertManagerCertificateRequest } from '../../src/custom-resources/cert-manager-types.js';
import { API_GROUP } from '../../src/custom-resources/crd-types.js';
import { CERT_MANAGER_CERTIFICATE_REQUESTS } from '../../src/custom-resources/resource-types.js';
import { ResourceClient } from '../../src/kube/resource-client.js';
import { createLogger } from '../../src/telemetry/logger.js';
import { basicConstraintsExtension, buildCsr, freshKey, keyUsageExtension, seq, serverAuthExtension } from '../support/csr-factory.js';
import { eventually, installCrds, startHarness, type ControllerHarness } from '../support/controller-harness.js';
import { CERT_MANAGER_FIXTURES } from '../unit/crds/cert-manager-crds.js';

/**
 * `--cert-manager` (the chart's default) in a cluster without cert-manager: the controller says so
 * once, does not list or watch a resource that is not there, and starts reconciling cert-manager's
 * CertificateRequests when cert-manager's real CRDs are installed later.
 */

interface LogLine {
  readonly level: string;
  readonly msg: string;
}

const DISCOVERY = '/apis/cert-manager.io/v1';
const RECHECKS_BEFORE_INSTALL = 5;

let h: ControllerHarness;
let operator: Operator;
const lines: LogLine[] = [];

function capturingLogger() {
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) lines.push(JSON.parse(line) as LogLine);
      done();
    },
  });
  return createLogger({ level: 'debug', destination: sink });
}

const aboutCertManager = () => lines.filter((line) => /cert-manager/i.test(line.msg));
const certManagerRequests = (method: string) => h.fake.requests.find((entry) => entry.method === method && entry.path.startsWith('/apis/cert-manager.io/v1/') && entry.path.includes('certificaterequests'));

beforeAll(async () => {
  h = await startHarness();
  operator = h.operator({ certManager: true, certManagerRecheckMs: 100, logger: capturingLogger() });
  await operator.start();
  await operator.synced();
});

afterAll(async () => {
  await h?.close();
});

describe('cert-manager enabled but not installed', () => {
  it('says so in one info line, lists nothing, and keeps asking discovery quietly', async () => {
    await eventually(() => h.fake.requests.find((entry) => entry.path === DISCOVERY).length >= RECHECKS_BEFORE_INSTALL, `${RECHECKS_BEFORE_INSTALL} discovery checks`);
    expect(h.fake.requests.find((entry) => entry.path === DISCOVERY).every((entry) => entry.status === 404)).toBe(true);
    expect(aboutCertManager()).toEqual([{ ...aboutCertManager()[0], level: 'info', msg: expect.stringContaining("cert-manager's CertificateRequest CRD is not installed") }]);
    expect(lines.filter((line) => line.level === 'warn' || line.level === 'error')).toEqual([]);
    expect(certManagerRequests('GET')).toEqual([]);
  });

  it('reconciles cert-manager CertificateRequests once its CRDs are installed, with one more info line', async () => {
    const files = ['cert-manager.io_certificaterequests.yaml', 'cert-manager.io_issuers.yaml', 'cert-manager.io_clusterissuers.yaml', 'cert-manager.io_certificates.yaml'];
    await installCrds(h.fake, files.map((file) => join(CERT_MANAGER_FIXTURES, file)));
    await h.apply(JSON.stringify({ apiVersion: `${API_GROUP}/v1alpha1`, kind: 'IPIssuer', metadata: { name: 'late', namespace: 'default' }, spec: {} }));
    await h.kubectlOk('wait', '--for=condition=Ready', '--timeout=30s', `ipissuers.${API_GROUP}/late`);

    const csr = buildCsr({ key: freshKey('p256'), subject: seq(), ips: ['10.7.7.7'], extensions: [keyUsageExtension(), serverAuthExtension(), basicConstraintsExtension(false)] }).pem;
    const requests = new ResourceClient<CertManagerCertificateRequest>(h.api, CERT_MANAGER_CERTIFICATE_REQUESTS);
    await requests.create({
      metadata: { name: 'after-install', namespace: 'default' },
      spec: { request: Buffer.from(csr).toString('base64'), issuerRef: { name: 'late', kind: 'IPIssuer', group: API_GROUP }, usages: ['digital signature', 'key encipherment', 'server auth'] },
    });
    const now = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
    const approved = { status: { conditions: [{ type: 'Approved', status: 'True', reason: 'cert-manager.io', message: 'approved by test', lastTransitionTime: now }] } };
    await h.kubectlOk('patch', 'certificaterequests.cert-manager.io', 'after-install', '--subresource=status', '--type=merge', '-p', JSON.stringify(approved));
    await h.kubectlOk('wait', '--for=condition=Ready', '--timeout=30s', 'certificaterequests.cert-manager.io/after-install');

    const issued = (await requests.get('default', 'after-install'))!;
    expect(issued.status?.conditions?.find((condition) => condition.type === 'Ready')).toMatchObject({ status: 'True', reason: 'Issued' });
    expect(Buffer.from(issued.status!.certificate!, 'base64').toString('utf8')).toContain('-----BEGIN CERTIFICATE-----');
    expect(aboutCertManager().map((line) => [line.level, line.msg])).toEqual([
      ['info', expect.stringContaining("cert-manager's CertificateRequest CRD is not installed")],
      ['info', 'cert-manager CertificateRequest CRD appeared: reconciling its CertificateRequests'],
    ]);
    expect(lines.filter((line) => line.level === 'warn' || line.level === 'error')).toEqual([]);
  });
});
