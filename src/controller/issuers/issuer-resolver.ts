import { createHash } from 'node:crypto';
import { isCaError, loadCaMaterial, type CaMaterial, type Clock, type Ipv4RangeSet } from '../../ca/index.js';
import { secretValue, type Secret } from '../../kube/core-types.js';
import { IP_CLUSTER_ISSUER_KIND, type AnyIssuer } from '../../custom-resources/crd-types.js';
import type { Informer } from '../../kube/informer.js';
import { objectKey } from '../../kube/kube-object.js';
import type { ResourceClient } from '../../kube/resource-client.js';
import { issuerReadiness, type IssuerCaState } from './issuer-readiness.js';
import type { IssuerFactory, IssuerResolution, OperatorCa, SigningCa } from './signing-ca.js';

export interface IssuerResolverOptions {
  /** The operator's own CA: what signs when no issuer is named or the issuer names no CA. */
  readonly defaultCa: OperatorCa;
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

  constructor(private readonly options: IssuerResolverOptions) {}

  /**
   * The operator's CA as it signs now: its id names the active intermediate, so a rollover reaches
   * the cache keys; Secrets signed by a former intermediate stay acceptable until renewed.
   */
  operatorCa(): { readonly ok: true; readonly ca: SigningCa } | { readonly ok: false; readonly reason: 'CANotFound' | 'CANotUsable'; readonly message: string } {
    const view = this.options.defaultCa.current();
    if (!view.usable) return { ok: false, reason: view.reason, message: view.message };
    const { material, former } = view;
    return { ok: true, ca: { id: `operator:${fingerprint(material.signerCertificateDer)}`, issuer: this.options.defaultCa.issuer, material, former, allowedRanges: material.allowedRanges } };
  }

  async resolve(ref: { readonly kind: string; readonly name: string } | undefined, namespace: string | undefined): Promise<IssuerResolution> {
    if (!ref) {
      const operator = this.operatorCa();
      return operator.ok ? operator : { ok: false, reason: 'IssuerNotReady', message: `the operator's CA cannot sign: ${operator.message}` };
    }
    const issuer = this.lookup(ref.kind, ref.name, namespace);
    const where = ref.kind === IP_CLUSTER_ISSUER_KIND ? ref.name : `${namespace ?? ''}/${ref.name}`;
    if (!issuer) return { ok: false, reason: 'IssuerNotFound', message: `${ref.kind} ${where} not found` };
    const { state, material } = await this.caStateOf(issuer);
    const readiness = issuerReadiness(issuer.spec, state);
    if (!readiness.ready) return { ok: false, reason: 'IssuerNotReady', message: `${ref.kind} ${where} is not ready: ${readiness.message}` };
    return { ok: true, ca: material ? this.ownCa(ref.kind, where, material, readiness.allowedRanges) : this.narrowedOperatorCa(ref.kind, where, readiness.allowedRanges) };
  }

  private ownCa(kind: string, where: string, material: CaMaterial, allowedRanges: Ipv4RangeSet): SigningCa {
    const id = `${kind}:${where}:${fingerprint(material.signerCertificateDer)}:${allowedRanges.toString()}`;
    let signing = this.signers.get(id);
    if (!signing) {
      signing = { id, issuer: this.options.issuerFactory(material, allowedRanges), material, allowedRanges };
      this.signers.set(id, signing);
    }
    return signing;
  }

  /** An issuer without a CA of its own: the operator's CA (ready, or the issuer would not be), perhaps narrowed. */
  private narrowedOperatorCa(kind: string, where: string, allowedRanges: Ipv4RangeSet): SigningCa {
    const operator = this.operatorCa();
    if (!operator.ok) throw new Error(`the operator's CA became unusable: ${operator.message}`);
    const base = operator.ca;
    if (allowedRanges.toString() === base.allowedRanges.toString()) return base;
    const key = `${kind}:${where}:operator:${allowedRanges.toString()}`;
    let issuer = this.signers.get(key)?.issuer;
    if (!issuer) {
      issuer = this.options.issuerFactory(undefined, allowedRanges);
      this.signers.set(key, { ...base, issuer, allowedRanges });
    }
    return { ...base, id: `${key}:${base.id}`, issuer, allowedRanges };
  }

  lookup(kind: string, name: string, namespace: string | undefined): AnyIssuer | undefined {
    if (kind === IP_CLUSTER_ISSUER_KIND) return this.options.ipClusterIssuers.get(name);
    if (kind === 'IPIssuer' && namespace) return this.options.ipIssuers.get(objectKey(namespace, name));
    return undefined;
  }

  /** The CA an issuer names (or the operator's), loaded and checked. */
  async caStateOf(issuer: AnyIssuer, fresh = false): Promise<{ state: IssuerCaState; material?: CaMaterial }> {
    const secretName = issuer.spec?.ca?.secretName;
    if (!secretName) {
      const operator = this.operatorCa();
      return { state: operator.ok ? { kind: 'operator', allowedRanges: operator.ca.allowedRanges } : { kind: 'operator-unusable', reason: operator.reason, message: operator.message } };
    }
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
