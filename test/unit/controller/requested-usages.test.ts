import { describe, expect, it } from 'vitest';
import { CERTIFICATE_USAGES } from '../../../src/custom-resources/crd-types.js';
import { planUsages } from '../../../src/controller/requested-usages.js';

describe('planUsages: cert-manager usage names to the leaf extKeyUsage', () => {
  it.each([
    ['no usages', undefined, ['serverAuth']],
    ['an empty list', [], ['serverAuth']],
    ["cert-manager's default (digital signature, key encipherment)", ['digital signature', 'key encipherment'], ['serverAuth']],
    ['server auth', ['digital signature', 'key encipherment', 'server auth'], ['serverAuth']],
    ['client auth', ['digital signature', 'key encipherment', 'client auth'], ['clientAuth']],
    ['both, client first', ['client auth', 'server auth'], ['serverAuth', 'clientAuth']],
    ['signing, an alias of digital signature', ['signing', 'client auth'], ['clientAuth']],
  ] as const)('%s → %j', (_label, usages, expected) => {
    expect(planUsages(usages)).toEqual({ ok: true, extendedKeyUsages: expected });
  });

  it.each([
    [['digital signature', 'cert sign'], ['cert sign']],
    [['server auth', 'code signing'], ['code signing']],
    [['email protection', 's/mime', 'email protection'], ['email protection', 's/mime']],
    [['key agreement', 'crl sign', 'any', 'ocsp signing', 'timestamping'], ['key agreement', 'crl sign', 'any', 'ocsp signing', 'timestamping']],
    [['constructor', 'toString'], ['constructor', 'toString']],
  ])('refuses %j, naming %j', (usages, refused) => {
    const plan = planUsages(usages);
    expect(plan.ok).toBe(false);
    if (plan.ok) return;
    expect(plan.refused).toEqual(refused);
    for (const usage of refused) expect(plan.message).toContain(`"${usage}"`);
    expect(plan.message).toContain('not issued by this CA');
  });

  it('accepts exactly the names of the CRD enum', () => {
    for (const usage of CERTIFICATE_USAGES) expect(planUsages([usage]).ok, usage).toBe(true);
  });
});
