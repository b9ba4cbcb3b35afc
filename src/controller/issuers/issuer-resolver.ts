import { createHash } from 'node:crypto';
import { isCaError, loadCaMaterial, type CaMaterial, type Clock, type Ipv4RangeSet } from '../../ca/index.js';
import { secretValue, type Secret } from '../../kube/core-types.js';
import { IP_CLUSTER_ISSUER_KIND, type AnyIssuer } from '../../custom-resources/crd-types.js';
import type { Informer } from '../../kube/informer.js';
import { objectKey } from '../../kube/kube-object.js';
import type { ResourceClient } from '../../kube/resource-client.js';
import { issuerReadiness, type IssuerCaState } from './issuer-readiness.js';
import type { CertificateIssuer, IssuerFactory, IssuerResolution, SigningCa } from './signing-ca.js';

export interface IssuerResolverOptions {
  /** The operator's own CA: what signs when no issuer is named or the issuer names no CA. */
  readonly defaultCa: { readonly material: CaMaterial; readonly issuer: CertificateIssuer };
  readonly issuerFactory: IssuerFactory;
  readonly ipIssuers: Pick<Informer<AnyIssuer>, 'get'>;
  readonly ipClusterIssuers: Pick<Informer<AnyIssuer>, 'get'>;
  readonly secrets: Pick<ResourceClient<Secret>, 'get'>;
  /** Where IPClusterIssuers' CA Secrets live. */
  readonly clusterResourceNamespace: string;
  /** The operator's configured ranges; a CA from a Secret is narrowed to them and its name constraints. */
  readonly configuredRanges: Ipv4RangeSet;
  readonly clock: Clock;
  /** How long a CA Secret read is reused. Default 30 s. */
  readonly secretTtlMs?: number;
}

interface CachedSecret {
  readonly at: number;
  readonly secret: Secret | undefined;
}

/**
 * Turns an issuerRef into something that signs. Issuance services are built once per distinct CA
 * and range set and reused; CA Secrets are re-read at most every `secretTtlMs`.
 */
export class IssuerResolver {
  private readonly signers = new Map<string, SigningCa>();
  private readonly secretCache = new Map<string, CachedSecret>();
  readonly defaultCa: SigningCa;

  constructor(private readonly options: IssuerResolverOptions) {
    this.defaultCa = { id: 'operator', issuer: options.defaultCa.issuer, material: options.defaultCa.material, allowedRanges: options.defaultCa.material.allowedRanges };
  }

  async resolve(ref: { readonly kind: string; readonly name: string } | undefined, namespace: string | undefined): Promise<IssuerResolution> {
    if (!ref) return { ok: true, ca: this.defaultCa };
    const issuer = this.lookup(ref.kind, ref.name, namespace);
    const where = ref.kind === IP_CLUSTER_ISSUER_KIND ? ref.name : `${namespace ?? ''}/${ref.name}`;
    if (!issuer) return { ok: false, reason: 'IssuerNotFound', message: `${ref.kind} ${where} not found` };
    const { state, material } = await this.caStateOf(issuer);
    const readiness = issuerReadiness(issuer.spec, state);
    if (!readiness.ready) return { ok: false, reason: 'IssuerNotReady', message: `${ref.kind} ${where} is not ready: ${readiness.message}` };
    const base = material ?? this.options.defaultCa.material;
    const id = `${ref.kind}:${where}:${fingerprint(base.signerCertificateDer)}:${readiness.allowedRanges.toString()}`;
    let signing = this.signers.get(id);
    if (!signing) {
      const sameAsDefault = !material && readiness.allowedRanges.toString() === this.defaultCa.allowedRanges.toString();
      signing = { id, issuer: sameAsDefault ? this.defaultCa.issuer : this.options.issuerFactory(base, readiness.allowedRanges), material: base, allowedRanges: readiness.allowedRanges };
      this.signers.set(id, signing);
    }
    return { ok: true, ca: signing };
  }

  lookup(kind: string, name: string, namespace: string | undefined): AnyIssuer | undefined {
    if (kind === IP_CLUSTER_ISSUER_KIND) return this.options.ipClusterIssuers.get(name);
    if (kind === 'IPIssuer' && namespace) return this.options.ipIssuers.get(objectKey(namespace, name));
    return undefined;
  }

  /** The CA an issuer names (or the operator's), loaded and checked. */
  async caStateOf(issuer: AnyIssuer, fresh = false): Promise<{ state: IssuerCaState; material?: CaMaterial }> {
    const secretName = issuer.spec?.ca?.secretName;
    if (!secretName) return { state: { kind: 'operator', allowedRanges: this.defaultCa.allowedRanges } };
    const namespace = issuer.kind === IP_CLUSTER_ISSUER_KIND ? this.options.clusterResourceNamespace : (issuer.metadata.namespace ?? '');
    const secret = await this.readSecret(namespace, secretName, fresh);
    if (!secret) return { state: { kind: 'missing', secretName, namespace } };
    return this.loadFrom(secret, secretName);
  }

  private loadFrom(secret: Secret, secretName: string): { state: IssuerCaState; material?: CaMaterial } {
    const chainPem = secretValue(secret, 'ca.crt');
    try {
      const material = loadCaMaterial({
        certificatePem: secretValue(secret, 'tls.crt') ?? '',
        privateKeyPem: secretValue(secret, 'tls.key') ?? '',
        ...(chainPem ? { chainPem } : {}),
        allowedRanges: this.options.configuredRanges,
        clock: this.options.clock,
      });
      return { state: { kind: 'secret', secretName, allowedRanges: material.allowedRanges }, material };
    } catch (error) {
      if (!isCaError(error)) throw error;
      return { state: { kind: 'invalid', secretName, message: error.message } };
    }
  }

  private async readSecret(namespace: string, name: string, fresh: boolean): Promise<Secret | undefined> {
    const key = objectKey(namespace, name);
    const cached = this.secretCache.get(key);
    const now = Date.now();
    if (!fresh && cached && now - cached.at < (this.options.secretTtlMs ?? 30_000)) return cached.secret;
    const secret = await this.options.secrets.get(namespace, name);
    this.secretCache.set(key, { at: now, secret });
    return secret;
  }
}

function fingerprint(der: Uint8Array): string {
  return createHash('sha256').update(der).digest('hex').slice(0, 16);
}
