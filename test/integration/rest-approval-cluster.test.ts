import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildClientCsr } from '../../src/ca/index.js';
import { runCliProcess, type RunResult } from '../support/cli.js';
import { CRD_DIR } from '../support/controller-harness.js';
import { startFakeApiServer, type FakeApiServer, type JsonObject } from '../support/fake-apiserver/index.js';
import { isolatedToolEnv, kubeTools, runTool, type ToolResult } from '../support/kube-tools.js';
import { verifyServerChain } from '../support/openssl.js';
import { httpCall, pollUntilDecided, postJson, startServeProcess, type CsrStatusBody, type ServeProcess } from '../support/serve-process.js';

/**
 * --rest-approval manual in cluster mode (`serve --kubeconfig`, the Kubernetes store): a REST
 * request is a CertificateRequest that waits for an approver; the real kubectl sets its Approved or
 * Denied condition on the status subresource, as for cert-manager's requests, and the REST GET
 * answers with the certificate or the denial. The admin API decides the same way.
 */
const RESOURCE = 'certificaterequest.smsgate-ca.sms-gate.app';
let fake: FakeApiServer;
let home: string;
let env: NodeJS.ProcessEnv;
let server: ServeProcess;
let dataDir: string;
let tokenFile: string;

function kubectlRun(args: readonly string[], input?: string): Promise<ToolResult> {
  return runTool(kubeTools().kubectl, args, env, input);
}

async function kubectl(args: readonly string[], input?: string): Promise<string> {
  const result = await kubectlRun(args, input);
  if (result.code !== 0) throw new Error(`kubectl ${args.join(' ')}: ${result.stderr}`);
  return result.stdout;
}

async function record(name: string): Promise<JsonObject> {
  return JSON.parse(await kubectl(['get', `${RESOURCE}/${name}`, '-n', 'default', '-o', 'json'])) as JsonObject;
}

function conditionsOf(object: JsonObject): Array<Record<string, string>> {
  return ((object['status'] as JsonObject | undefined)?.['conditions'] as Array<Record<string, string>> | undefined) ?? [];
}

function recordNameOf(requestId: string): string {
  return requestId.replace(/^REQ_/, 'req-').toLowerCase();
}

function rootPem(): string {
  const secret = fake.objects.get({ apiVersion: 'v1', kind: 'Secret', namespace: 'default', name: 'smsgate-ca' })!;
  return Buffer.from(String((secret['data'] as Record<string, string>)['ca.crt']), 'base64').toString('utf8');
}

async function submit(ip: string): Promise<string> {
  const submitted = await postJson(`${server.url}/api/v1/csr`, { type: 'private_server', content: buildClientCsr(ip).csrPem });
  expect(submitted.status).toBe(202);
  return submitted.json<CsrStatusBody>().request_id;
}

async function statusOf(id: string): Promise<CsrStatusBody> {
  return (await httpCall(`${server.url}/api/v1/csr/${id}`)).json<CsrStatusBody>();
}

function admin(args: readonly string[]): Promise<RunResult> {
  return runCliProcess(['admin', ...args, '--url', `${server.url}/api/v1`, '--token-file', tokenFile]);
}

/** A status patch of one approval condition with `kubectl patch --subresource status`, as an approver writes it. */
function setCondition(name: string, type: 'Approved' | 'Denied', reason: string, message: string): Promise<ToolResult> {
  const patch = { status: { conditions: [{ type, status: 'True', reason, message, lastTransitionTime: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z') }] } };
  return kubectlRun(['patch', `${RESOURCE}/${name}`, '-n', 'default', '--subresource', 'status', '--type', 'merge', '-p', JSON.stringify(patch)]);
}

interface AuditItem {
  event: string;
  actor?: string;
  detail?: string;
  serial_number?: string;
}

async function auditOf(id: string, token: string): Promise<AuditItem[]> {
  const answer = await httpCall(`${server.url}/api/v1/admin/audit?request_id=${id}`, { headers: { Authorization: `Bearer ${token}` } });
  expect(answer.status, answer.text).toBe(200);
  return answer.json<{ items: AuditItem[] }>().items.reverse();
}

beforeAll(async () => {
  fake = await startFakeApiServer();
  home = await mkdtemp(join(tmpdir(), 'smsgate-ca-approval-kube-'));
  env = isolatedToolEnv(fake.kubeconfigPath, home);
  await kubectl(['apply', '-f', CRD_DIR]);
  await kubectl(['wait', '--for=condition=Established', '--timeout=30s', 'crd/certificaterequests.smsgate-ca.sms-gate.app']);
  dataDir = join(home, 'data');
  server = await startServeProcess(dataDir, [
    '--kubeconfig', fake.kubeconfigPath,
    '--ca-secret', 'smsgate-ca',
    '--namespace', 'default',
    '--pod-name', 'smsgate-ca-0',
    '--insecure-http',
    '--rate-limit', '0',
    '--acme-disabled',
    '--rest-approval', 'manual',
  ]);
  const created = await runCliProcess(['admin', 'token', 'create', '--data-dir', dataDir, '--name', 'alice']);
  expect(created.code, created.stderr).toBe(0);
  tokenFile = join(home, 'alice.token');
  await writeFile(tokenFile, created.stdout, { mode: 0o600 });
}, 120_000);

afterAll(async () => {
  await server?.stop();
  await fake?.close();
  await rm(home, { recursive: true, force: true });
});

describe('--rest-approval manual in cluster mode (the Kubernetes store)', () => {
  it('keeps REST requests pending with no Approved condition; kubectl sets Approved and the GET returns the certificate', async () => {
    const approvedId = await submit('127.0.0.31');
    const waitingId = await submit('127.0.0.32');
    const name = recordNameOf(approvedId);
    const waiting = await record(name);
    expect((waiting['metadata'] as JsonObject)['labels']).toMatchObject({ 'ca.sms-gate.app/source': 'rest', 'ca.sms-gate.app/approval-required': 'true' });
    expect(conditionsOf(waiting)).toEqual([]);
    expect(await statusOf(approvedId)).toMatchObject({ status: 'pending' });

    const patched = await setCondition(name, 'Approved', 'KubectlApproved', 'checked the device by hand');
    expect(patched.code, patched.stderr).toBe(0);
    const decided = (await pollUntilDecided(server.url, approvedId, '')).json<CsrStatusBody>();
    expect(decided.status).toBe('approved');
    const verified = await verifyServerChain(home, decided.certificate!, rootPem(), '127.0.0.31');
    expect(verified.code, verified.stderr + verified.stdout).toBe(0);

    // The approver's condition is kept beside Ready; the request submitted before it was not signed.
    const signed = await record(name);
    expect(conditionsOf(signed)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ type: 'Approved', status: 'True', reason: 'KubectlApproved', message: 'checked the device by hand' }),
        expect.objectContaining({ type: 'Ready', status: 'True', reason: 'Issued' }),
      ]),
    );
    expect(await statusOf(waitingId)).toMatchObject({ status: 'pending' });
    expect(conditionsOf(await record(recordNameOf(waitingId)))).toEqual([]);

    const token = (await readFile(tokenFile, 'utf8')).trim();
    const events = (await auditOf(approvedId, token)).map((entry) => entry.event);
    expect(events).toEqual(['submitted', 'approved', 'issued']);
    const [, approvedEntry] = await auditOf(approvedId, token);
    expect(approvedEntry!.detail).toBe('Approved condition set on the request (reason KubectlApproved): checked the device by hand');
  });

  it('kubectl apply --server-side of a Denied condition: the GET shows denied with the condition message', async () => {
    const id = await submit('127.0.0.33');
    const name = recordNameOf(id);
    const applied = {
      apiVersion: 'smsgate-ca.sms-gate.app/v1alpha1',
      kind: 'CertificateRequest',
      metadata: { name, namespace: 'default' },
      status: { conditions: [{ type: 'Denied', status: 'True', reason: 'KubectlDenied', message: 'not a device of this network', lastTransitionTime: '2026-01-01T00:00:00Z' }] },
    };
    const result = await kubectlRun(['apply', '--server-side', '--subresource=status', '--field-manager=approver', '-f', '-'], JSON.stringify(applied));
    expect(result.code, result.stderr).toBe(0);
    const decided = (await pollUntilDecided(server.url, id, '')).json<CsrStatusBody>();
    expect(decided).toMatchObject({ status: 'denied', reason: 'not a device of this network' });
    expect(decided.certificate).toBeUndefined();
    expect(conditionsOf(await record(name))).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ type: 'Denied', status: 'True', reason: 'KubectlDenied' }),
        expect.objectContaining({ type: 'Ready', status: 'False', reason: 'Denied', message: 'not a device of this network' }),
      ]),
    );
  });

  it('the admin API in cluster mode: lists waiting records, approves and denies by writing the same conditions', async () => {
    const approveId = await submit('127.0.0.34');
    const denyId = await submit('127.0.0.35');
    const listed = await admin(['list', '--pending', '--ip', '127.0.0.34', '--json']);
    expect(listed.code, listed.stderr).toBe(0);
    expect(JSON.parse(listed.stdout)).toEqual([expect.objectContaining({ request_id: approveId, awaiting_approval: true, status: 'pending' })]);

    const approved = await admin(['approve', approveId]);
    expect(approved.code, approved.stderr).toBe(0);
    expect(approved.stdout).toMatch(new RegExp(`^approved ${approveId}: certificate [0-9a-f]+ issued`));
    const decided = await statusOf(approveId);
    expect(decided.status).toBe('approved');
    expect((await verifyServerChain(home, decided.certificate!, rootPem(), '127.0.0.34')).code).toBe(0);
    const approvedRecord = await record(recordNameOf(approveId));
    expect(conditionsOf(approvedRecord)).toEqual(expect.arrayContaining([expect.objectContaining({ type: 'Approved', status: 'True', reason: 'ApprovedByAdministrator' })]));
    expect((approvedRecord['metadata'] as JsonObject)['annotations']).toMatchObject({ 'ca.sms-gate.app/decided-by': expect.stringMatching(/^alice \([0-9a-f]+\)$/) });

    const denied = await admin(['deny', denyId, '--reason', 'unknown device']);
    expect(denied.code, denied.stderr).toBe(0);
    expect(await statusOf(denyId)).toMatchObject({ status: 'denied', reason: 'unknown device' });
    expect(conditionsOf(await record(recordNameOf(denyId)))).toEqual(expect.arrayContaining([expect.objectContaining({ type: 'Denied', status: 'True', reason: 'DeniedByAdministrator', message: 'unknown device' })]));
    // A decided request cannot be decided again: 409, exit 2.
    expect((await admin(['approve', denyId])).code).toBe(2);

    const token = (await readFile(tokenFile, 'utf8')).trim();
    const approvedAudit = await auditOf(approveId, token);
    expect(approvedAudit.map((entry) => entry.event)).toEqual(['submitted', 'approved', 'issued']);
    expect(approvedAudit[1]!.actor).toMatch(/^alice \(/);
    const deniedAudit = await auditOf(denyId, token);
    expect(deniedAudit.map((entry) => entry.event)).toEqual(['submitted', 'denied']);
    expect(deniedAudit[1]).toMatchObject({ detail: 'unknown device', actor: expect.stringMatching(/^alice \(/) });

    const certificates = await admin(['list', 'certificates', '--ip', '127.0.0.34', '--json']);
    expect(certificates.code, certificates.stderr).toBe(0);
    expect(JSON.parse(certificates.stdout)).toEqual([expect.objectContaining({ door: 'rest', request_id: approveId, state: 'valid' })]);
  });
});

describe('the CRD keeps approval conditions final and exclusive (CEL rules, as cert-manager\'s webhook does)', () => {
  it('refuses Denied on an Approved record, a removed Approved condition, and status False', async () => {
    const id = await submit('127.0.0.36');
    const name = recordNameOf(id);
    expect((await setCondition(name, 'Approved', 'KubectlApproved', 'ok')).code).toBe(0);
    expect((await pollUntilDecided(server.url, id, '')).json<CsrStatusBody>().status).toBe('approved');
    const denied = await setCondition(name, 'Denied', 'KubectlDenied', 'changed my mind');
    expect(denied.code).not.toBe(0);
    expect(denied.stderr).toContain('an Approved or Denied condition is final');
    const otherId = await submit('127.0.0.37');
    const other = recordNameOf(otherId);
    const falseStatus = await kubectlRun(['patch', `${RESOURCE}/${other}`, '-n', 'default', '--subresource', 'status', '--type', 'merge', '-p', JSON.stringify({ status: { conditions: [{ type: 'Approved', status: 'False', reason: 'No', message: 'no' }] } })]);
    expect(falseStatus.code).not.toBe(0);
    expect(falseStatus.stderr).toContain('the Approved and Denied conditions may only have status True');
    const both = await kubectlRun(['patch', `${RESOURCE}/${other}`, '-n', 'default', '--subresource', 'status', '--type', 'merge', '-p', JSON.stringify({ status: { conditions: [{ type: 'Approved', status: 'True', reason: 'A', message: 'a' }, { type: 'Denied', status: 'True', reason: 'D', message: 'd' }] } })]);
    expect(both.code).not.toBe(0);
    expect(both.stderr).toContain('a request cannot be both Approved and Denied');
    expect(await statusOf(otherId)).toMatchObject({ status: 'pending' });
  });
});
