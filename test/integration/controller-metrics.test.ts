import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerControllerMetrics } from '../../src/telemetry/controller-metrics.js';
import { certificateRequest, manifest, withIps, withIssuer, withSecretName } from '../support/builders.js';
import { eventually, startHarness, type ControllerHarness } from '../support/controller-harness.js';
import type { JsonObject } from '../support/fake-apiserver/index.js';

/**
 * The alerting series, scraped in Prometheus' text format from the registry /metrics serves: one
 * expiration, renewal and ready series per CertificateRequest, labelled as cert-manager labels its
 * own, matching the object's status; gone with the object; and reconcile counts and durations.
 */
let h: ControllerHarness;
const registry = new Registry();
const CR = 'certificaterequests.smsgate-ca.sms-gate.app';

beforeAll(async () => {
  h = await startHarness();
  const operator = h.operator({ metrics: registerControllerMetrics(registry) });
  await operator.start();
  await operator.synced();
});

afterAll(async () => {
  await h?.close();
});

/** `name{labels} value` lines of one metric, as label maps with the value. */
async function series(metric: string): Promise<Array<{ labels: Record<string, string>; value: number }>> {
  const text = await registry.metrics();
  return text
    .split('\n')
    .filter((line) => line.startsWith(`${metric}{`) || line.startsWith(`${metric} `))
    .map((line) => {
      const match = /^[^{ ]+(?:\{(.*)\})? (\S+)$/.exec(line)!;
      const labels = Object.fromEntries([...(match[1] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((pair) => [pair[1]!, pair[2]!]));
      return { labels, value: Number(match[2]) };
    });
}

async function statusOf(name: string): Promise<Record<string, string>> {
  return ((await h.getJson(`${CR}/${name}`))['status'] ?? {}) as Record<string, string>;
}

describe('alerting metrics', () => {
  it('per certificate: expiration and renewal timestamps equal to its status, Ready one-hot, labelled namespace/name/issuer', async () => {
    await h.apply(JSON.stringify({ apiVersion: 'smsgate-ca.sms-gate.app/v1alpha1', kind: 'IPIssuer', metadata: { name: 'lab', namespace: 'default' }, spec: {} }));
    await h.apply(manifest(certificateRequest('alpha', withIps('10.30.0.1'), withSecretName('alpha-tls'))));
    await h.apply(manifest(certificateRequest('beta', withIps('10.30.0.2'), withSecretName('beta-tls'), withIssuer('lab'))));
    await h.kubectlOk('wait', '--for=condition=Ready', '--timeout=30s', `${CR}/alpha`, `${CR}/beta`);
    const alpha = await statusOf('alpha');
    const expiry = await series('smsgate_ca_certificate_expiration_timestamp_seconds');
    expect(expiry).toContainEqual({ labels: { namespace: 'default', name: 'alpha', issuer_name: '', issuer_kind: '', issuer_group: 'smsgate-ca.sms-gate.app' }, value: Math.floor(Date.parse(alpha['notAfter']!) / 1000) });
    expect(expiry.find((item) => item.labels['name'] === 'beta')?.labels).toMatchObject({ issuer_name: 'lab', issuer_kind: 'IPIssuer' });
    const renewal = await series('smsgate_ca_certificate_renewal_timestamp_seconds');
    expect(renewal.find((item) => item.labels['name'] === 'alpha')?.value).toBe(Math.floor(Date.parse(alpha['renewalTime']!) / 1000));
    const ready = (await series('smsgate_ca_certificate_ready_status')).filter((item) => item.labels['name'] === 'alpha');
    expect(Object.fromEntries(ready.map((item) => [item.labels['condition'], item.value]))).toEqual({ True: 1, False: 0, Unknown: 0 });
  });

  it('a refused request shows Ready False and no expiry; a deleted one leaves no series', async () => {
    await h.apply(manifest(certificateRequest('public', withIps('8.8.8.8'), withSecretName('public-tls'))));
    await eventually(async () => ((await statusOf('public'))['conditions'] as unknown as JsonObject[] | undefined)?.some((c) => c['reason'] === 'PolicyViolation') || undefined, 'public refused');
    const ready = (await series('smsgate_ca_certificate_ready_status')).filter((item) => item.labels['name'] === 'public');
    expect(Object.fromEntries(ready.map((item) => [item.labels['condition'], item.value]))).toEqual({ True: 0, False: 1, Unknown: 0 });
    expect((await series('smsgate_ca_certificate_expiration_timestamp_seconds')).some((item) => item.labels['name'] === 'public')).toBe(false);
    await h.kubectlOk('delete', `${CR}/alpha`, '--wait=true');
    await eventually(async () => ((await series('smsgate_ca_certificate_ready_status')).some((item) => item.labels['name'] === 'alpha') ? undefined : true), 'alpha gone from the series');
  });

  it('reconcile counts by controller and result, and durations', async () => {
    const total = await series('smsgate_ca_controller_reconcile_total');
    const successes = total.find((item) => item.labels['controller'] === 'certificaterequests' && item.labels['result'] === 'success')?.value ?? 0;
    expect(successes).toBeGreaterThanOrEqual(3);
    const count = (await series('smsgate_ca_controller_reconcile_time_seconds_count')).find((item) => item.labels['controller'] === 'certificaterequests')?.value ?? 0;
    const all = total.filter((item) => item.labels['controller'] === 'certificaterequests').reduce((sum, item) => sum + item.value, 0);
    expect(count).toBe(all);
    expect((await registry.metrics()).includes('# TYPE smsgate_ca_controller_reconcile_errors_total counter')).toBe(true);
  });
});
