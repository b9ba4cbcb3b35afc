import 'reflect-metadata'; // the API-server double's TLS material uses @peculiar/x509 (tsyringe needs the polyfill first)
import { X509Certificate } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basicConstraintsExtension, buildCsr, freshKey, keyUsageExtension, seq, serverAuthExtension } from '../support/csr-factory.js';
import { eventually } from '../support/eventually.js';
import { describePermission, startFakeApiServer, type FakeApiServer, type RequestAttributes } from '../support/fake-apiserver/index.js';
import { REPO_ROOT } from '../support/helm.js';
import { pollUntilDecided, postJson } from '../support/serve-process.js';
import { installChart, kubectlJson, kubectlOk, RELEASE_NAMESPACE, startChartOperator, type ChartOperator } from './chart-operator.js';
import { rbacReport } from './rbac-report.js';

/**
 * controller.watchNamespaces=[team-a], installed into the API-server double (real RBAC authorizer)
 * and run as the chart's ServiceAccount: requests in team-a are signed, through an IPIssuer of
 * team-a and the cluster-scoped IPClusterIssuer; REST records in the release namespace are still
 * decided; team-b is never touched — not one request of the operator went there, and nothing was
 * refused. The controller's rules the chart renders in this mode are each used or justified.
 */
const CERT_MANAGER_CRDS = join(REPO_ROOT, 'test/fixtures/cert-manager');
const GROUP = 'smsgate-ca.sms-gate.app';
const WATCHED = 'team-a';
const UNWATCHED = 'team-b';
/** The rules this mode renders (the other Roles are the same as without it: helm-deployment-runs checks them). */
const CONTROLLER_RULES = /^(ClusterRole\/smsgate-ca-controller|Role\/[a-z0-9-]+\/smsgate-ca-(controller|cluster-events)):/;
const KEPT_ANYWAY: Readonly<Record<string, string>> = Object.fromEntries(
  [WATCHED, RELEASE_NAMESPACE].flatMap((namespace) => {
    const role = `Role/${namespace}/smsgate-ca-controller`;
    const scope = `(namespace ${namespace})`;
    return [
      [`${role}: get ${GROUP}/ipissuers ${scope}`, 'issuers are read through list+watch informers; get adds no access list does not give'],
      [`${role}: get cert-manager.io/certificaterequests ${scope}`, 'as for ipissuers'],
      [`${role}: patch core/events ${scope}`, 'a repeat of the same Event within ten minutes bumps the first one\'s count (not provoked here)'],
      [`${role}: update core/secrets ${scope}`, 'a Secret repaired after tampering (not provoked here; helm-deployment-runs does)'],
      [`${role}: patch core/secrets ${scope}`, 'a Secret\'s labels brought back in line (not provoked here; helm-deployment-runs does)'],
    ];
  }).concat([
    [`Role/${WATCHED}/smsgate-ca-controller: get ${GROUP}/certificaterequests (namespace ${WATCHED})`, 'requests are read through list+watch informers (the store reads its records by name in the release namespace only)'],
    [`Role/${RELEASE_NAMESPACE}/smsgate-ca-controller: patch ${GROUP}/ipissuers/status (namespace ${RELEASE_NAMESPACE})`, 'the release namespace is watched like a listed one; no IPIssuer there in this run'],
    [`Role/${RELEASE_NAMESPACE}/smsgate-ca-controller: patch cert-manager.io/certificaterequests/status (namespace ${RELEASE_NAMESPACE})`, 'as above, no cert-manager request there'],
    [`Role/${RELEASE_NAMESPACE}/smsgate-ca-controller: create core/secrets (namespace ${RELEASE_NAMESPACE})`, 'as above, no request with a Secret there (the CA Secret\'s creation is also granted by its own Role)'],
    [`ClusterRole/smsgate-ca-controller: get ${GROUP}/ipclusterissuers (all namespaces)`, 'read through a list+watch informer'],
    [`Role/default/smsgate-ca-cluster-events: patch core/events (namespace default)`, 'a repeated Event bumps the first one\'s count (not provoked here)'],
  ]),
);

interface Condition {
  type: string;
  status: string;
  reason?: string;
}
interface Status {
  status?: { conditions?: Condition[]; certificate?: string };
}

let cluster: FakeApiServer;
let dataDir: string;
let operator: ChartOperator | undefined;

const kubectl = (...args: string[]): Promise<string> => kubectlOk(cluster, args);
const getJson = <T>(...args: string[]): Promise<T> => kubectlJson<T>(cluster, ['get', ...args]);

async function apply(manifest: { metadata: { name: string } }): Promise<void> {
  const file = join(dataDir, `${manifest.metadata.name}-${Math.random().toString(36).slice(2)}.json`);
  await writeFile(file, JSON.stringify(manifest));
  await kubectl('apply', '-f', file);
}

const ourRequest = (namespace: string, name: string, ip: string, issuerRef?: object) => ({
  apiVersion: `${GROUP}/v1alpha1`,
  kind: 'CertificateRequest',
  metadata: { name, namespace },
  spec: { ipAddresses: [ip], secretName: `${name}-tls`, ...(issuerRef ? { issuerRef } : {}) },
});

async function certManagerRequest(namespace: string, name: string, ip: string): Promise<void> {
  const csr = buildCsr({ key: freshKey('p256'), subject: seq(), ips: [ip], extensions: [keyUsageExtension(), serverAuthExtension(), basicConstraintsExtension(false)] }).pem;
  await apply({
    apiVersion: 'cert-manager.io/v1',
    kind: 'CertificateRequest',
    metadata: { name, namespace },
    spec: { request: Buffer.from(csr).toString('base64'), issuerRef: { name: 'lab', kind: 'IPClusterIssuer', group: GROUP }, usages: ['digital signature', 'key encipherment', 'server auth'] },
  } as never);
  const approved = { status: { conditions: [{ type: 'Approved', status: 'True', reason: 'cert-manager.io', message: 'approved', lastTransitionTime: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z') }] } };
  await kubectl('patch', 'certificaterequests.cert-manager.io', name, '-n', namespace, '--subresource=status', '--type=merge', '-p', JSON.stringify(approved));
}

/** Every authorization the operator's requests asked for (admission's included). */
function operatorRequests(): RequestAttributes[] {
  return cluster.requests.find((entry) => entry.user === operator!.user.username).flatMap((entry) => (entry.attributes ? [entry.attributes, ...entry.alsoAuthorized] : []));
}

beforeAll(async () => {
  cluster = await startFakeApiServer();
  dataDir = await mkdtemp(join(tmpdir(), 'smsgate-ca-watch-'));
  await kubectl('apply', '-f', CERT_MANAGER_CRDS);
  for (const namespace of [WATCHED, UNWATCHED]) await kubectl('create', 'namespace', namespace);
});

afterAll(async () => {
  await operator?.stop();
  await cluster?.close();
  await rm(dataDir, { recursive: true, force: true });
});

describe('the chart with controller.watchNamespaces=[team-a] on a cluster with RBAC', () => {
  it('starts as the chart\'s ServiceAccount with --watch-namespace=team-a', async () => {
    await installChart(cluster, [`controller.watchNamespaces={${WATCHED}}`]);
    operator = await startChartOperator(cluster, dataDir);
    expect(operator.output()).toMatch(/"watchNamespaces":\["team-a","smsgate-ca"\]/);
  });

  it('signs in team-a — through an IPIssuer of team-a and the cluster-scoped IPClusterIssuer — and never touches team-b', async () => {
    // team-b first: had the operator seen them, they would be done before team-a's.
    await apply(ourRequest(UNWATCHED, 'outside', '10.42.9.9'));
    await certManagerRequest(UNWATCHED, 'outside-cm', '192.168.9.9');
    await apply({ apiVersion: `${GROUP}/v1alpha1`, kind: 'IPClusterIssuer', metadata: { name: 'lab' }, spec: { allowedCIDRs: ['192.168.0.0/16'] } } as never);
    await apply({ apiVersion: `${GROUP}/v1alpha1`, kind: 'IPIssuer', metadata: { name: 'team-issuer', namespace: WATCHED }, spec: { allowedCIDRs: ['10.42.0.0/16'] } } as never);
    await apply(ourRequest(WATCHED, 'inside', '10.42.0.7', { kind: 'IPIssuer', name: 'team-issuer' }));
    await apply(ourRequest(WATCHED, 'inside-cluster', '192.168.0.7', { kind: 'IPClusterIssuer', name: 'lab' }));
    await certManagerRequest(WATCHED, 'inside-cm', '192.168.0.8');
    for (const resource of [`certificaterequests.${GROUP}/inside`, `certificaterequests.${GROUP}/inside-cluster`, 'certificaterequests.cert-manager.io/inside-cm']) {
      await kubectl('wait', '--for=condition=Ready', resource, '-n', WATCHED, '--timeout=60s');
    }
    const secret = await getJson<{ data: Record<string, string> }>('secret', 'inside-cluster-tls', '-n', WATCHED);
    expect(new X509Certificate(Buffer.from(secret.data['tls.crt']!, 'base64')).subjectAltName).toBe('IP Address:192.168.0.7');
    const certManager = await getJson<Status>('certificaterequests.cert-manager.io', 'inside-cm', '-n', WATCHED);
    expect(new X509Certificate(Buffer.from(certManager.status!.certificate!, 'base64').toString()).subjectAltName).toBe('IP Address:192.168.0.8');

    expect((await getJson<Status>(`certificaterequests.${GROUP}`, 'outside', '-n', UNWATCHED)).status).toBeUndefined();
    expect((await getJson<Status>('certificaterequests.cert-manager.io', 'outside-cm', '-n', UNWATCHED)).status?.conditions?.map((condition) => condition.type)).toEqual(['Approved']);
    expect((await getJson<{ items: unknown[] }>('secrets', '-n', UNWATCHED)).items).toEqual([]);
  });

  it('still decides REST requests recorded in the release namespace (always watched)', async () => {
    const ca = await getJson<{ data: Record<string, string> }>('secret', 'smsgate-ca-ca', '-n', RELEASE_NAMESPACE);
    const rootPem = Buffer.from(ca.data['ca.crt']!, 'base64').toString();
    const posted = await postJson(`${operator!.url}/api/v1/csr`, { content: buildCsr({ key: freshKey('p256'), ips: ['172.16.3.4'] }).pem, type: 'private_server' }, rootPem);
    expect(posted.status, posted.text).toBe(202);
    const decided = await pollUntilDecided(operator!.url, posted.json<{ request_id: string }>().request_id, rootPem);
    expect(decided.json<{ status: string }>().status).toBe('approved');
  });

  it('files Events about an IPClusterIssuer in default, the one namespace it may write them in besides the watched ones', async () => {
    await apply({ apiVersion: `${GROUP}/v1alpha1`, kind: 'IPClusterIssuer', metadata: { name: 'broken' }, spec: { ca: { secretName: 'no-such-secret' } } } as never);
    await eventually(async () => {
      const events = await getJson<{ items: Array<{ involvedObject: { name: string } }> }>('events', '-n', 'default');
      return events.items.some((event) => event.involvedObject.name === 'broken');
    }, 'an Event about the broken IPClusterIssuer in default');
  });

  it('sent nothing to team-b and no cluster-wide list or watch of a namespaced kind; nothing was refused; every rule of this mode is used or justified', async () => {
    await operator!.stop();
    const requests = operatorRequests();
    expect(requests.filter((request) => request.kind === 'resource' && request.namespace === UNWATCHED)).toEqual([]);
    const clusterWide = requests.filter((request) => request.kind === 'resource' && request.namespace === '' && ['list', 'watch'].includes(request.verb));
    expect([...new Set(clusterWide.map((request) => (request.kind === 'resource' ? `${request.verb} ${request.resource}.${request.group}` : '')))].sort()).toEqual([`list ipclusterissuers.${GROUP}`, `watch ipclusterissuers.${GROUP}`]);
    const watched = requests.filter((request) => request.kind === 'resource' && request.verb === 'watch' && request.namespace !== '');
    expect([...new Set(watched.map((request) => (request.kind === 'resource' ? request.namespace : '')))].sort()).toEqual([RELEASE_NAMESPACE, WATCHED].sort());

    const report = rbacReport(cluster, operator!.user, KEPT_ANYWAY);
    console.log(report.text);
    expect(report.refused.map((entry) => `${entry.status} ${entry.method} ${entry.path}`)).toEqual([]);
    const ofThisMode = [...report.unused, ...report.overlapping.map(({ permission }) => permission)].map(describePermission).filter((permission) => CONTROLLER_RULES.test(permission));
    expect(ofThisMode.filter((permission) => !(permission in KEPT_ANYWAY))).toEqual([]);
    const needed = report.needed.map(({ permission }) => describePermission(permission));
    expect(needed).toEqual(expect.arrayContaining([`Role/${WATCHED}/smsgate-ca-controller: create core/secrets (namespace ${WATCHED})`, `Role/default/smsgate-ca-cluster-events: create core/events (namespace default)`]));
  });
});
