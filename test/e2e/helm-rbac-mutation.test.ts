import 'reflect-metadata'; // the API-server double's TLS material uses @peculiar/x509 (tsyringe needs the polyfill first)
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startFakeApiServer, type FakeApiServer } from '../support/fake-apiserver/index.js';
import { installChart, kubectlJson, kubectlOk, startChartOperator, type ChartOperator } from './chart-operator.js';
import { refusedRequests } from './rbac-report.js';

/**
 * The Helm end-to-end test must fail when the chart lacks a verb the operator needs. Here one verb
 * is taken out of the installed chart's ClusterRole, the operator is run exactly as in that test
 * (the Deployment's args, env and ServiceAccount) and a CertificateRequest is applied: the
 * ServiceAccount's request is refused with 403 — which the end-to-end test's "no refused request"
 * check reports — and the CertificateRequest does not become Ready, retries included.
 */
interface Rule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
}
interface ClusterRole {
  metadata: Record<string, unknown>;
  rules: Rule[];
}
interface Condition {
  type: string;
  status: string;
}

const CONTROLLER_ROLE = 'smsgate-ca-controller';
const RETRIES_SEEN = 2;

let cluster: FakeApiServer | undefined;
let operator: ChartOperator | undefined;
let dataDir: string | undefined;

afterEach(async () => {
  await operator?.stop();
  await cluster?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
  operator = cluster = dataDir = undefined;
});

/** Rewrites the installed ClusterRole without `verb` on `group`/`resource` (other resources of the rule keep it). */
async function removeVerb(api: FakeApiServer, folder: string, group: string, resource: string, verb: string): Promise<void> {
  const role = await kubectlJson<ClusterRole>(api, ['get', 'clusterrole', CONTROLLER_ROLE]);
  const rules = role.rules.flatMap((rule) => {
    if (!rule.apiGroups.includes(group) || !rule.resources.includes(resource) || !rule.verbs.includes(verb)) return [rule];
    const untouched = rule.resources.filter((other) => other !== resource);
    const narrowed = { ...rule, resources: [resource], verbs: rule.verbs.filter((other) => other !== verb) };
    return [...(untouched.length > 0 ? [{ ...rule, resources: untouched }] : []), ...(narrowed.verbs.length > 0 ? [narrowed] : [])];
  });
  expect(rules).not.toEqual(role.rules);
  const file = join(folder, 'clusterrole.json');
  await writeFile(file, JSON.stringify({ ...role, rules }));
  await kubectlOk(api, ['replace', '-f', file]);
}

/** Waits (a bounded number of polls) until the ServiceAccount has been refused `count` times. */
async function refusals(api: FakeApiServer, username: string, count: number): Promise<string[]> {
  for (let poll = 0; poll < 600; poll += 1) {
    const refused = refusedRequests(api, username).map((entry) => `${entry.status} ${entry.method} ${entry.path}`);
    if (refused.length >= count) return refused;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`${username} was refused fewer than ${count} times`);
}

describe('the Helm e2e fails without a verb the operator needs', () => {
  const mutations = [
    { group: '', resource: 'secrets', verb: 'create', refused: '403 POST /api/v1/namespaces/default/secrets' },
    { group: 'smsgate-ca.sms-gate.app', resource: 'certificaterequests/status', verb: 'patch', refused: '403 PATCH /apis/smsgate-ca.sms-gate.app/v1alpha1/namespaces/default/certificaterequests/nas/status' },
  ];
  for (const { group, resource, verb, refused } of mutations) {
    it(`without ${verb} on ${group === '' ? 'core' : group}/${resource}: the ServiceAccount gets 403 and the CertificateRequest is not Ready`, async () => {
      cluster = await startFakeApiServer();
      dataDir = await mkdtemp(join(tmpdir(), 'smsgate-ca-mutation-'));
      await installChart(cluster);
      await removeVerb(cluster, dataDir, group, resource, verb);
      operator = await startChartOperator(cluster, dataDir);

      const manifest = join(dataDir, 'nas.yaml');
      await writeFile(manifest, 'apiVersion: smsgate-ca.sms-gate.app/v1alpha1\nkind: CertificateRequest\nmetadata: {name: nas, namespace: default}\nspec: {ipAddresses: [10.42.0.7], secretName: nas-tls}\n');
      await kubectlOk(cluster, ['apply', '-f', manifest]);

      const seen = await refusals(cluster, operator.user.username, RETRIES_SEEN);
      expect(seen).toContain(refused);
      const request = await kubectlJson<{ status?: { conditions?: Condition[] } }>(cluster, ['get', 'certificaterequests.smsgate-ca.sms-gate.app', 'nas', '-n', 'default']);
      expect(request.status?.conditions?.find((condition) => condition.type === 'Ready')?.status).not.toBe('True');
      expect(operator.output()).toContain('forbidden');
      console.log(`without ${verb} on ${resource}:\n  ${seen.join('\n  ')}\n  Ready: ${JSON.stringify(request.status?.conditions ?? 'no status')}`);
    });
  }
});
