import { describe, expect, it } from 'vitest';
import { checkCertificateSpec } from '../../../src/controller/certificate-request/certificate-spec.js';
import { formatGoDuration, parseGoDuration } from '../../../src/shared/duration.js';
import type { SecretCertificateRequestSpec } from '../../../src/custom-resources/crd-types.js';

const base: SecretCertificateRequestSpec = { ipAddresses: ['10.42.0.7'], secretName: 'web-tls' };

function message(spec: Partial<SecretCertificateRequestSpec> & Record<string, unknown>): string {
  const result = checkCertificateSpec({ ...base, ...spec });
  if (result.ok) throw new Error('expected a refusal');
  return result.message;
}

describe('checkCertificateSpec', () => {
  it('applies the CRD defaults and normalises the IPs', () => {
    const result = checkCertificateSpec({ ...base, ipAddresses: ['192.168.1.1', '10.0.0.2', '10.0.0.2'] });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.desired).toMatchObject({
      type: 'webhook',
      ips: ['10.0.0.2', '192.168.1.1'],
      keyAlgorithm: 'ecdsa-p256',
      rotationPolicy: 'Always',
      durationMs: 8760 * 3_600_000,
      renewBeforeMs: undefined,
      issuerRef: undefined,
    });
  });

  it('maps key settings to algorithms', () => {
    const rsa = checkCertificateSpec({ ...base, privateKey: { algorithm: 'RSA', size: 3072, rotationPolicy: 'Never' } });
    expect(rsa.ok && rsa.desired).toMatchObject({ keyAlgorithm: 'rsa-3072', rotationPolicy: 'Never' });
    const p384 = checkCertificateSpec({ ...base, privateKey: { algorithm: 'ECDSA', size: 384 } });
    expect(p384.ok && p384.desired.keyAlgorithm).toBe('ecdsa-p384');
  });

  it('changes the spec hash with what the certificate depends on, not with renewBefore or the template', () => {
    const hash = (spec: Partial<SecretCertificateRequestSpec>) => {
      const result = checkCertificateSpec({ ...base, ...spec });
      return result.ok ? result.desired.specHash : '';
    };
    const original = hash({});
    expect(hash({ ipAddresses: ['10.42.0.8'] })).not.toBe(original);
    expect(hash({ type: 'private_server' })).not.toBe(original);
    expect(hash({ privateKey: { algorithm: 'RSA' } })).not.toBe(original);
    expect(hash({ duration: '720h' })).not.toBe(original);
    expect(hash({ issuerRef: { name: 'lab' } })).not.toBe(original);
    expect(hash({ renewBefore: '240h' })).toBe(original);
    expect(hash({ secretTemplate: { labels: { a: 'b' } } })).toBe(original);
  });

  it('names the offending value of a bad spec', () => {
    expect(message({ ipAddresses: ['10.0.0.01'] })).toContain('10.0.0.01');
    expect(message({ ipAddresses: ['fd00::1'] })).toContain('fd00::1');
    expect(message({ ipAddresses: [] })).toContain('at least one');
    expect(message({ duration: '9000h' })).toContain('9000h');
    expect(message({ duration: '1d' })).toContain('1d');
    expect(message({ duration: '720h', renewBefore: '720h' })).toContain('renewBefore');
    expect(message({ secretName: 'Not_Valid' })).toContain('Not_Valid');
    expect(message({ privateKey: { algorithm: 'RSA', size: 256 } })).toContain('256');
    expect(message({ type: 'server' } as never)).toContain('server');
    expect(message({ issuerRef: { name: 'x', kind: 'ClusterIssuer' } } as never)).toContain('ClusterIssuer');
  });
});

describe('Go durations', () => {
  it('parses what Kubernetes accepts and refuses the rest', () => {
    expect(parseGoDuration('8760h')).toBe(8760 * 3_600_000);
    expect(parseGoDuration('1h30m')).toBe(5_400_000);
    expect(parseGoDuration('2160h0m0s')).toBe(2160 * 3_600_000);
    expect(parseGoDuration('1.5s')).toBe(1500);
    expect(parseGoDuration('250ms')).toBe(250);
    expect(parseGoDuration('0')).toBe(0);
    for (const bad of ['', '1d', 'h', '10', '1h 30m', '-1h']) expect(parseGoDuration(bad), bad).toBeUndefined();
    expect(formatGoDuration(5_400_000)).toBe('1h30m0s');
  });
});
