import 'reflect-metadata'; // the API-server double's TLS material uses @peculiar/x509 (tsyringe needs the polyfill first)
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { Agent } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as acme from 'acme-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueWithHttp01 } from '../support/acme-client-flow.js';
import { startHttp01Responder, type Http01Responder } from '../support/acme-responders.js';
import { freePort } from '../support/acme-serve.js';
import { eventually } from '../support/eventually.js';
import { basicConstraintsExtension, buildCsr, freshKey, keyUsageExtension, seq, serverAuthExtension } from '../support/csr-factory.js';
import { describePermission, startFakeApiServer, type FakeApiServer, type JsonObject } from '../support/fake-apiserver/index.js';
import { runCliProcess } from '../support/cli.js';
import { REPO_ROOT } from '../support/helm.js';
import { httpCall, pollUntilDecided, postJson } from '../support/serve-process.js';
import { installChart, kubectlJson, kubectlOk, POD_NAME, RELEASE_NAMESPACE, startChartOperator, type ChartOperator } from './chart-operator.js';
import { rbacReport } from './rbac-report.js';

/**
 * The chart and the binary must agree, RBAC included: the chart installed into the API-server
 * double (with cert-manager's real CRDs beside it), the built `serve` run with the Deployment's args
 * and env **as the chart's ServiceAccount**, then a realistic workload — the CA Secret and trust
 * ConfigMap at start-up, leader election, a CertificateRequest → Secret (and its repair after
 * tampering), an IPIssuer with its own CA Secret, an IPClusterIssuer, a cert-manager
 * CertificateRequest, a REST request recorded as a CertificateRequest, Events. Every request the
 * operator made must have been allowed; the permissions it never used are reported.
 */
const CERT_MANAGER_CRDS = join(REPO_ROOT, 'test/fixtures/cert-manager');
const CONTROLLER = 'ClusterRole/smsgate-ca-controller';
const CA_ROLE = `Role/${RELEASE_NAMESPACE}/smsgate-ca-ca`;
const STATE_ROLE = `Role/${RELEASE_NAMESPACE}/smsgate-ca-state`;
const IN_RELEASE_NAMESPACE = `(namespace ${RELEASE_NAMESPACE})`;
/** The ACME client's address: its http-01 responder listens there (loopback, added to the allowed CIDRs). */
const ACME_IP = '127.0.0.17';

/**
 * Permissions of the chart this workload does not need, and why the chart grants them anyway. A
 * permission that is unused (or only duplicates another) and not listed here fails the test: the
 * chart then grants something nobody can justify.
 */
const KEPT_ANYWAY: Readonly<Record<string, string>> = {
  [`${CONTROLLER}: get smsgate-ca.sms-gate.app/ipissuers (all namespaces)`]: 'issuers are read through list+watch informers; get adds no access list does not give',
  [`${CONTROLLER}: get smsgate-ca.sms-gate.app/ipclusterissuers (all namespaces)`]: 'as for ipissuers',
  [`${CONTROLLER}: get cert-manager.io/certificaterequests (all namespaces)`]: 'as for ipissuers',
  [`${CONTROLLER}: patch core/events (all namespaces)`]: 'a repeat of the same Event within ten minutes bumps the first one\'s count (not provoked here)',
  [`Role/${RELEASE_NAMESPACE}/smsgate-ca-trust: patch core/configmaps [smsgate-ca-root-ca] (namespace ${RELEASE_NAMESPACE})`]: 'replaces another root in an existing trust ConfigMap (not provoked here)',
  [`${CA_ROLE}: create core/secrets (namespace ${RELEASE_NAMESPACE})`]: 'the CA Secret\'s own grant; duplicated while the controller may write Secrets cluster-wide',
  [`${CA_ROLE}: get core/secrets [smsgate-ca-ca] (namespace ${RELEASE_NAMESPACE})`]: 'as above',
  [`${CA_ROLE}: patch core/secrets [smsgate-ca-ca] (namespace ${RELEASE_NAMESPACE})`]: 'as above (CRL numbers are counted in an annotation of the CA Secret)',
  [`${CA_ROLE}: patch core/configmaps [smsgate-ca-ca-record] (namespace ${RELEASE_NAMESPACE})`]: 'records another root after --ca-bootstrap (not provoked here)',
  [`Role/${RELEASE_NAMESPACE}/smsgate-ca-trust: create core/configmaps (namespace ${RELEASE_NAMESPACE})`]: 'the trust ConfigMap\'s own grant; duplicated by the CA record\'s while both live in the release namespace',
  [`${CA_ROLE}: create core/configmaps (namespace ${RELEASE_NAMESPACE})`]: 'the CA record\'s own grant; duplicated by the trust ConfigMap\'s while both live in the release namespace',
  [`${STATE_ROLE}: delete smsgate-ca.sms-gate.app/acmeorders ${IN_RELEASE_NAMESPACE}`]: 'the leader\'s housekeeping deletes expired orders every 10 minutes (not provoked here; the store contract tests it on the double)',
  [`${STATE_ROLE}: delete smsgate-ca.sms-gate.app/acmeauthorizations ${IN_RELEASE_NAMESPACE}`]: 'as above, expired authorizations',
  [`${STATE_ROLE}: deletecollection smsgate-ca.sms-gate.app/acmereservations ${IN_RELEASE_NAMESPACE}`]: 'as above, lapsed nonce claims and full rate-limit windows',
  [`${STATE_ROLE}: delete smsgate-ca.sms-gate.app/acmereservations ${IN_RELEASE_NAMESPACE}`]: 'an ACME key change frees the old key\'s claim (not provoked here)',
  [`${STATE_ROLE}: delete smsgate-ca.sms-gate.app/certificaterequests ${IN_RELEASE_NAMESPACE}`]: 'store.recordRetention: the leader deletes records whose certificate expired 30 days ago (not provoked here)',
};
const APPS = 'apps';

interface Secret {
  type: string;
  data: Record<string, string>;
  metadata: { annotations?: Record<string, string> };
}
interface Condition {
  type: string;
  status: string;
  reason?: string;
}

let cluster: FakeApiServer;
let dataDir: string;
let operator: ChartOperator | undefined;
let caSecret: Secret;
let http01: Http01Responder;

const kubectl = (...args: string[]): Promise<string> => kubectlOk(cluster, args);
const getJson = <T>(...args: string[]): Promise<T> => kubectlJson<T>(cluster, ['get', ...args]);
const decode = (secret: Secret, key: string): string => Buffer.from(secret.data[key] ?? '', 'base64').toString();

async function apply(name: string, manifest: object): Promise<void> {
  const file = join(dataDir, `${name}.json`);
  await writeFile(file, JSON.stringify(manifest));
  await kubectl('apply', '-f', file);
}

async function waitReady(resource: string, namespace?: string): Promise<void> {
  await kubectl('wait', '--for=condition=Ready', resource, ...(namespace ? ['-n', namespace] : []), '--timeout=60s');
}

beforeAll(async () => {
  cluster = await startFakeApiServer();
  dataDir = await mkdtemp(join(tmpdir(), 'smsgate-ca-pod-'));
  await kubectl('apply', '-f', CERT_MANAGER_CRDS);
  await kubectl('create', 'namespace', APPS);
  http01 = await startHttp01Responder(ACME_IP, await freePort(ACME_IP));
});

afterAll(async () => {
  await operator?.stop();
  await http01?.close();
  await cluster?.close();
  await rm(dataDir, { recursive: true, force: true });
});

describe('the Deployment the chart installs runs the built binary as the chart\'s ServiceAccount', () => {
  it('starts with the rendered args, env and ServiceAccount: CA Secret, trust ConfigMap, Lease', async () => {
    await installChart(cluster, [
      'trust.configMap.enabled=true',
      // The ACME client below answers http-01 on loopback: its address and port.
      'config.allowedCIDRs={10.0.0.0/8,172.16.0.0/12,192.168.0.0/16,127.0.0.0/8}',
      `extraArgs={--acme-http01-port=${http01.port}}`,
    ]);
    operator = await startChartOperator(cluster, dataDir);
    expect(operator.user.username).toBe(`system:serviceaccount:${RELEASE_NAMESPACE}:smsgate-ca`);

    caSecret = await getJson<Secret>('secret', 'smsgate-ca-ca', '-n', RELEASE_NAMESPACE);
    expect(Object.keys(caSecret.data)).toEqual(expect.arrayContaining(['tls.crt', 'tls.key', 'ca.crt']));
    // The elected leader publishes it once it leads (after start-up, not before `listening`).
    await eventually(() => cluster.objects.get({ apiVersion: 'v1', kind: 'ConfigMap', namespace: RELEASE_NAMESPACE, name: 'smsgate-ca-root-ca' }), 'the trust ConfigMap');
    const trust = await getJson<{ data: Record<string, string> }>('configmap', 'smsgate-ca-root-ca', '-n', RELEASE_NAMESPACE);
    expect(trust.data['ca.crt']).toBe(decode(caSecret, 'ca.crt'));
    const leases = await getJson<{ items: Array<{ metadata: { name: string }; spec: { holderIdentity?: string } }> }>('lease', '-n', RELEASE_NAMESPACE);
    expect(leases.items.map((lease) => [lease.metadata.name, lease.spec.holderIdentity])).toEqual([['smsgate-ca-leader', expect.stringContaining(POD_NAME)]]);
  });

  it('issues a CertificateRequest into a Secret, and re-issues it after tampering', async () => {
    await apply('nas', { apiVersion: 'smsgate-ca.sms-gate.app/v1alpha1', kind: 'CertificateRequest', metadata: { name: 'nas', namespace: 'default' }, spec: { ipAddresses: ['10.42.0.7'], secretName: 'nas-tls' } });
    await waitReady('certificaterequests.smsgate-ca.sms-gate.app/nas', 'default');
    const tls = await getJson<Secret>('secret', 'nas-tls', '-n', 'default');
    expect(tls.type).toBe('kubernetes.io/tls');
    expect(decode(tls, 'ca.crt')).toBe(decode(caSecret, 'ca.crt'));

    const serial = (secret: Secret): string | undefined => secret.metadata.annotations?.['ca.sms-gate.app/serial-number'];
    const foreignKey = Buffer.from('-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n').toString('base64');
    await kubectl('patch', 'secret', 'nas-tls', '-n', 'default', '--type=merge', '-p', JSON.stringify({ data: { 'tls.key': foreignKey } }));
    await kubectl('wait', `--for=jsonpath={.metadata.annotations.ca\\.sms-gate\\.app/revision}=2`, 'secret/nas-tls', '-n', 'default', '--timeout=60s');
    const repaired = await getJson<Secret>('secret', 'nas-tls', '-n', 'default');
    expect(serial(repaired)).not.toBe(serial(tls));
    expect(new X509Certificate(decode(repaired, 'tls.crt')).checkPrivateKey(createPrivateKey(decode(repaired, 'tls.key')))).toBe(true);

    // New labels in the secretTemplate reach the Secret without a new certificate.
    await kubectl('patch', 'certificaterequests.smsgate-ca.sms-gate.app', 'nas', '-n', 'default', '--type=merge', '-p', JSON.stringify({ spec: { secretTemplate: { labels: { team: 'storage' } } } }));
    await kubectl('wait', '--for=jsonpath={.metadata.labels.team}=storage', 'secret/nas-tls', '-n', 'default', '--timeout=60s');
    expect(serial(await getJson<Secret>('secret', 'nas-tls', '-n', 'default'))).toBe(serial(repaired));
  });

  it('makes an IPIssuer with its own CA Secret and an IPClusterIssuer Ready, and signs through the IPIssuer', async () => {
    await apply('apps-ca', { apiVersion: 'v1', kind: 'Secret', type: 'kubernetes.io/tls', metadata: { name: 'apps-ca', namespace: APPS }, data: caSecret.data });
    await apply('apps-issuer', { apiVersion: 'smsgate-ca.sms-gate.app/v1alpha1', kind: 'IPIssuer', metadata: { name: 'apps-issuer', namespace: APPS }, spec: { ca: { secretName: 'apps-ca' }, allowedCIDRs: ['10.42.0.0/16'] } });
    await apply('lab', { apiVersion: 'smsgate-ca.sms-gate.app/v1alpha1', kind: 'IPClusterIssuer', metadata: { name: 'lab' }, spec: { allowedCIDRs: ['192.168.0.0/16'] } });
    await waitReady('ipissuer/apps-issuer', APPS);
    await waitReady('ipclusterissuer/lab');

    await apply('db', { apiVersion: 'smsgate-ca.sms-gate.app/v1alpha1', kind: 'CertificateRequest', metadata: { name: 'db', namespace: APPS }, spec: { ipAddresses: ['10.42.1.5'], secretName: 'db-tls', issuerRef: { name: 'apps-issuer', kind: 'IPIssuer' } } });
    await waitReady('certificaterequests.smsgate-ca.sms-gate.app/db', APPS);
    const db = await getJson<Secret>('secret', 'db-tls', '-n', APPS);
    expect(new X509Certificate(decode(db, 'tls.crt')).subjectAltName).toBe('IP Address:10.42.1.5');
  });

  it('signs an approved cert-manager CertificateRequest for the IPClusterIssuer', async () => {
    const csr = buildCsr({ key: freshKey('p256'), subject: seq(), ips: ['192.168.7.9'], extensions: [keyUsageExtension(), serverAuthExtension(), basicConstraintsExtension(false)] }).pem;
    await apply('web', {
      apiVersion: 'cert-manager.io/v1',
      kind: 'CertificateRequest',
      metadata: { name: 'web', namespace: APPS },
      spec: { request: Buffer.from(csr).toString('base64'), issuerRef: { name: 'lab', kind: 'IPClusterIssuer', group: 'smsgate-ca.sms-gate.app' }, usages: ['digital signature', 'key encipherment', 'server auth'] },
    });
    // What cert-manager's approver does (with the approve permission the chart binds to it).
    const approved = { status: { conditions: [{ type: 'Approved', status: 'True', reason: 'cert-manager.io', message: 'Certificate request has been approved by cert-manager.io', lastTransitionTime: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z') }] } };
    await kubectl('patch', 'certificaterequests.cert-manager.io', 'web', '-n', APPS, '--subresource=status', '--type=merge', '-p', JSON.stringify(approved));
    await waitReady('certificaterequests.cert-manager.io/web', APPS);
    const web = await getJson<{ status: { certificate: string; conditions: Condition[] } }>('certificaterequests.cert-manager.io', 'web', '-n', APPS);
    expect(web.status.conditions.find((condition) => condition.type === 'Ready')).toMatchObject({ status: 'True', reason: 'Issued' });
    expect(new X509Certificate(Buffer.from(web.status.certificate, 'base64').toString()).subjectAltName).toBe('IP Address:192.168.7.9');
  });

  it('records a REST request as a CertificateRequest in the release namespace, decides it, and lists it in the admin API', async () => {
    const rootPem = decode(caSecret, 'ca.crt');
    const posted = await postJson(`${operator!.url}/api/v1/csr`, { content: buildCsr({ key: freshKey('p256'), ips: ['172.16.3.4'] }).pem, type: 'private_server' }, rootPem);
    expect(posted.status, posted.text).toBe(202);
    const id = posted.json<{ request_id: string }>().request_id;
    const decided = await pollUntilDecided(operator!.url, id, rootPem);
    expect(decided.json<{ status: string }>().status).toBe('approved');
    const records = await getJson<{ items: unknown[] }>('certificaterequests.smsgate-ca.sms-gate.app', '-n', RELEASE_NAMESPACE, '-l', 'ca.sms-gate.app/source=rest');
    expect(records.items).toHaveLength(1);
    const crl = await httpCall(`${operator!.url}/crl`, { caPem: rootPem });
    expect(crl.status).toBe(200);

    // The admin API reads the records and the audit Events of the release namespace.
    const created = await runCliProcess(['admin', 'token', 'create', '--data-dir', dataDir, '--name', 'e2e']);
    expect(created.code, created.stderr).toBe(0);
    const headers = { Authorization: `Bearer ${created.stdout.trim()}` };
    const requests = await httpCall(`${operator!.url}/api/v1/admin/requests`, { caPem: rootPem, headers });
    expect(requests.status, requests.text).toBe(200);
    expect(requests.json<{ items: Array<{ request_id: string }> }>().items.map((item) => item.request_id)).toEqual([id]);
    const audit = await httpCall(`${operator!.url}/api/v1/admin/audit?request_id=${id}`, { caPem: rootPem, headers });
    expect(audit.status, audit.text).toBe(200);
    expect(audit.json<{ items: Array<{ event: string }> }>().items.map((item) => item.event)).toEqual(['approved', 'submitted']);
  });

  it('serves ACME from objects in the release namespace: account, orders, authorizations, rate-limit windows, nonce key', async () => {
    acme.axios.defaults.httpsAgent = new Agent({ ca: decode(caSecret, 'ca.crt') });
    const client = new acme.Client({ directoryUrl: `${operator!.url}/acme/directory`, accountKey: await acme.crypto.createPrivateEcdsaKey(), backoffMin: 10, backoffMax: 100, backoffAttempts: 100 });
    await client.createAccount({ termsOfServiceAgreed: true });
    await client.updateAccount({ contact: ['mailto:ops@example.internal'] });
    const issued = await issueWithHttp01(client, ACME_IP, http01);
    expect(new X509Certificate(issued.leafPem).subjectAltName).toBe(`IP Address:${ACME_IP}`);
    await client.createOrder({ identifiers: [{ type: 'ip', value: ACME_IP }] });

    const kinds = { ACMEAccount: 1, ACMEOrder: 2, ACMEAuthorization: 1 };
    for (const [kind, count] of Object.entries(kinds)) expect(cluster.objects.list('smsgate-ca.sms-gate.app/v1alpha1', kind, RELEASE_NAMESPACE), kind).toHaveLength(count);
    const windows = cluster.objects.list('smsgate-ca.sms-gate.app/v1alpha1', 'ACMEReservation', RELEASE_NAMESPACE).filter((object) => (object['spec'] as JsonObject)['type'] === 'RateLimit');
    expect(windows.map((object) => (object['spec'] as JsonObject)['limit']).sort()).toEqual(['new-account', 'new-order']);
    const nonceKey = await getJson<Secret>('secret', 'smsgate-ca-acme-nonce', '-n', RELEASE_NAMESPACE);
    expect(Buffer.from(nonceKey.data['key'] ?? '', 'base64')).toHaveLength(32);
  });

  it('recorded Events about what it did', async () => {
    const events = await getJson<{ items: Array<{ reportingComponent?: string; involvedObject: { name: string } }> }>('events', '-A');
    const ours = events.items.filter((event) => event.reportingComponent === 'smsgate-ca').map((event) => event.involvedObject.name);
    expect(ours).toEqual(expect.arrayContaining(['nas', 'db', 'web']));
  });

  it('was allowed every request by the chart\'s RBAC, and reports the permissions it never used', async () => {
    await operator!.stop();
    const report = rbacReport(cluster, operator!.user, KEPT_ANYWAY);
    // Kept after the run (the pod's data dir is removed) so the report can be read afterwards.
    const reportPath = join(await mkdtemp(join(tmpdir(), 'smsgate-ca-rbac-report-')), 'rbac-report.txt');
    await writeFile(reportPath, report.text);
    console.log(`${report.text}(written to ${reportPath})`);
    expect(report.refused.map((entry) => `${entry.status} ${entry.method} ${entry.path}`)).toEqual([]);
    const needed = report.needed.map(({ permission }) => describePermission(permission));
    // The verbs helm-rbac-mutation.test.ts takes away. No finalizers rule: by default Secrets carry
    // no owner reference, so admission never asks for it (the chart grants it only with
    // controller.secretOwnerReferences).
    expect(needed).toEqual(
      expect.arrayContaining([
        `${CONTROLLER}: create core/secrets (all namespaces)`,
        `${CONTROLLER}: patch smsgate-ca.sms-gate.app/certificaterequests/status (all namespaces)`,
      ]),
    );
    expect(needed.some((permission) => permission.includes('finalizers'))).toBe(false);
    const unjustified = [...report.unused, ...report.overlapping.map(({ permission }) => permission)].map(describePermission).filter((permission) => !(permission in KEPT_ANYWAY));
    expect(unjustified).toEqual([]);
  });
});
