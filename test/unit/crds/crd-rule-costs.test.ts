import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkSchemaRules, PER_CRD_COST_LIMIT, PER_RULE_COST_LIMIT } from '../../support/fake-apiserver/cel/crd-rule-checks.js';
import { startFakeApiServer } from '../../support/fake-apiserver/index.js';
import type { FakeApiServer, JsonObject } from '../../support/fake-apiserver/index.js';
import { isApiError } from '../../support/fake-apiserver/core/api-errors.js';
import { loadCrds } from './crd-documents.js';

/**
 * kube-apiserver refuses a CRD whose rules may cost more than 10^7 units each or 10^8 together
 * (static estimate × how many times the node can occur). Our rules must fit, with room to spare.
 */
describe('estimated cost of the CEL rules in crds/', () => {
  for (const [kind, crd] of loadCrds()) {
    it(`${kind}: every rule is under the per-rule limit and all are under the per-CRD limit`, () => {
      const report = checkSchemaRules(crd.spec.versions[0]!.schema.openAPIV3Schema as unknown as JsonObject, 'spec.versions[0].schema.openAPIV3Schema');
      expect(report.errors).toEqual([]);
      const rows = report.costs.map((c) => `${c.cost.toString().padStart(9)} = ${String(c.maxCost).padStart(6)} × ${String(c.cardinality).padStart(4)}  ${c.rule}`);
      console.log(`${kind} rule costs (cost = max per evaluation × cardinality):\n${rows.join('\n')}`);
      for (const cost of report.costs) expect(cost.cost, cost.rule).toBeLessThan(PER_RULE_COST_LIMIT / 100);
      expect(report.costs.reduce((sum, c) => sum + c.cost, 0)).toBeLessThan(PER_CRD_COST_LIMIT / 100);
    });
  }
});

describe('the cost limits in the API-server double', () => {
  let server: FakeApiServer;
  beforeAll(async () => {
    server = await startFakeApiServer();
  });
  afterAll(async () => {
    await server?.close();
  });

  const crd = (items: JsonObject, maxItems?: number): JsonObject => ({
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: 'widgets.example.test' },
    spec: {
      group: 'example.test',
      scope: 'Namespaced',
      names: { plural: 'widgets', singular: 'widget', kind: 'Widget', listKind: 'WidgetList' },
      versions: [
        {
          name: 'v1',
          served: true,
          storage: true,
          schema: {
            openAPIV3Schema: {
              type: 'object',
              properties: { spec: { type: 'object', properties: { names: { type: 'array', ...(maxItems === undefined ? {} : { maxItems }), items } } } },
            },
          },
        },
      ],
    },
  });
  const rule = { 'x-kubernetes-validations': [{ rule: "self.contains('x')", message: 'no x' }] };

  it('refuses a rule on unbounded strings in an unbounded list, as kube-apiserver does', () => {
    let error: unknown;
    try {
      server.objects.create(crd({ type: 'string', ...rule }));
    } catch (caught) {
      error = caught;
    }
    expect(isApiError(error) && error.code).toBe(422);
    const causes = isApiError(error) ? (error.details?.causes ?? []) : [];
    expect(causes).toContainEqual({
      reason: 'FieldValueForbidden',
      field: 'spec.versions[0].schema.openAPIV3Schema.properties[spec].properties[names].items.x-kubernetes-validations[0].rule',
      message: 'Forbidden: estimated rule cost exceeds budget by factor of more than 100x (try simplifying the rule, or adding maxItems, maxProperties, and maxLength where arrays, maps, and strings are declared)',
    });
  });

  it('accepts the same rule once maxLength and maxItems bound it', () => {
    expect(() => server.objects.create(crd({ type: 'string', maxLength: 64, ...rule }, 16))).not.toThrow();
  });
});
