import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { registerControllerMetrics } from '../../../src/telemetry/controller-metrics.js';
import { helmTemplate, helmTemplateRaw } from '../../support/helm.js';
import { byKind, only } from './chart-fixtures.js';

/** `prometheus.rules.enabled`: a PrometheusRule whose alerts use only series the controller exports. */
interface Rule {
  readonly alert: string;
  readonly expr: string;
  readonly for: string;
  readonly labels: Record<string, string>;
  readonly annotations: Record<string, string>;
}

function rulesOf(values: object): Rule[] {
  const rule = only(helmTemplate({ values: [values] }), 'PrometheusRule') as unknown as { metadata: { labels: Record<string, string> }; spec: { groups: Array<{ name: string; rules: Rule[] }> } };
  return rule.spec.groups.flatMap((group) => group.rules);
}

/** Every series name the controller's metrics register (histograms as _bucket/_sum/_count). */
async function exportedNames(): Promise<Set<string>> {
  const registry = new Registry();
  registerControllerMetrics(registry);
  const names = new Set<string>();
  for (const metric of await registry.getMetricsAsJSON()) {
    names.add(metric.name);
    if (String(metric.type) === 'histogram') for (const suffix of ['_bucket', '_sum', '_count']) names.add(metric.name + suffix);
  }
  return names;
}

describe('helm template: prometheus.rules', () => {
  it('is off by default', () => {
    expect(byKind(helmTemplate(), 'PrometheusRule')).toEqual([]);
  });

  it('renders the four alerts, on series the controller exports, with the configured threshold, wait and severity', async () => {
    const rules = rulesOf({ prometheus: { rules: { enabled: true, expiresWithinDays: 14, notReadyFor: '30m', severity: 'critical', labels: { release: 'prometheus' } } } });
    expect(rules.map((rule) => rule.alert)).toEqual(['SmsgateCaCertificateExpiresSoon', 'SmsgateCaCertificateNotReady', 'SmsgateCaRenewalOverdue', 'SmsgateCaReconcileErrors']);
    const exported = await exportedNames();
    for (const rule of rules) {
      const used = rule.expr.match(/smsgate_ca_[a-z_]+/g) ?? [];
      expect(used.length, rule.alert).toBeGreaterThan(0);
      for (const name of used) expect(exported, `${rule.alert} uses ${name}`).toContain(name);
      expect(rule.labels['severity']).toBe('critical');
    }
    expect(rules[0]!.expr).toBe('(smsgate_ca_certificate_expiration_timestamp_seconds - time()) < 1209600');
    expect(rules[1]!.for).toBe('30m');
    // Prometheus' own template syntax reaches the rule unrendered by Helm.
    expect(rules[0]!.annotations['summary']).toBe('Certificate {{ $labels.namespace }}/{{ $labels.name }} expires in less than 14 days');
    const manifest = only(helmTemplate({ values: [{ prometheus: { rules: { enabled: true, labels: { release: 'prometheus' } } } }] }), 'PrometheusRule');
    expect(manifest.metadata.labels).toMatchObject({ release: 'prometheus' });
  });

  it('the schema refuses a threshold of 0 days and an unknown key', () => {
    expect(helmTemplateRaw({ values: [{ prometheus: { rules: { enabled: true, expiresWithinDays: 0 } } }] }).status).not.toBe(0);
    expect(helmTemplateRaw({ values: [{ prometheus: { rules: { enabled: true, expiresIn: 7 } } }] }).status).not.toBe(0);
  });
});
