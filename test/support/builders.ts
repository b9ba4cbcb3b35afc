import type { CertificateRequest, CertificateRequestSpec, IssuerKind, SecretCertificateRequestSpec } from '../../src/custom-resources/crd-types.js';
import { GROUP_VERSION } from '../../src/custom-resources/crd-types.js';

/** One change to a CertificateRequest under construction. */
export type RequestOption = (cr: CertificateRequest) => CertificateRequest;

/**
 * A smsgate-ca.sms-gate.app CertificateRequest for tests: `certificateRequest('web', withIps('10.0.0.5'))`
 * is `web` in `default`, asking for 10.0.0.5 in the Secret `web-tls`. Options apply in order.
 */
export function certificateRequest(name: string, ...options: RequestOption[]): CertificateRequest {
  const base: CertificateRequest = {
    apiVersion: GROUP_VERSION,
    kind: 'CertificateRequest',
    metadata: { name, namespace: 'default' },
    spec: { ipAddresses: [], secretName: `${name}-tls` },
  };
  return options.reduce((cr, option) => option(cr), base);
}

function withSpec(change: Partial<SecretCertificateRequestSpec>): RequestOption {
  return (cr) => ({ ...cr, spec: { ...cr.spec, ...change } as CertificateRequestSpec });
}

export const withIps = (...ipAddresses: string[]): RequestOption => withSpec({ ipAddresses });
export const withSecretName = (secretName: string): RequestOption => withSpec({ secretName });
export const withDuration = (duration: string, renewBefore?: string): RequestOption => withSpec({ duration, ...(renewBefore ? { renewBefore } : {}) });
export const withRotation = (rotationPolicy: 'Always' | 'Never'): RequestOption => withSpec({ privateKey: { rotationPolicy } });
export const withSecretLabels = (labels: Record<string, string>): RequestOption => withSpec({ secretTemplate: { labels } });
export const withIssuer = (name: string, kind: IssuerKind = 'IPIssuer'): RequestOption => withSpec({ issuerRef: { name, kind } });

/** The CSR flow: spec.request alone, the certificate goes to status. */
export const withCsr = (request: string): RequestOption => (cr) => ({ ...cr, spec: { request } });

/** Metadata the API server would have set: uid and generation. */
export const stored = (uid: string, generation = 1): RequestOption => (cr) => ({ ...cr, metadata: { ...cr.metadata, uid, generation } });

/** The object as a manifest for `kubectl apply -f -`. */
export function manifest(object: object): string {
  return JSON.stringify(object);
}
