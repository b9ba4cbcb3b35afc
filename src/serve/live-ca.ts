import {
  ForbiddenKeys,
  CaError,
  CrlSigner,
  intermediateByKeyIdentifier,
  intermediatesOf,
  LEAF_BACKDATE_MS,
  LEAF_MAX_VALIDITY_MS,
  LeafSigner,
  SHORTEST_LEAF_MS,
  signingCaOutlook,
  type CaLifecyclePolicy,
  type CaMaterial,
  type Clock,
  type IssuedCertificate,
  type LeafRequest,
  type SignedCrl,
  type SigningCaOutlook,
} from '../ca/index.js';
import { CrlPublisher } from '../issuance/crl-publisher.js';
import { RevocationIssuers } from '../issuance/revocation-issuers.js';
import type { CertificateSigner } from '../issuance/signer.js';
import type { LoadedCa } from '../keystore/ca-directory.js';
import type { CertificateLedger, CrlNumberSequence, RevocationList } from '../store/interfaces.js';
import type { Logger } from '../telemetry/logger.js';

export interface LiveCaOptions {
  readonly policy: CaLifecyclePolicy;
  /** How often the CA is read again: also when a request refused for want of a CA may be retried. */
  readonly checkIntervalMs: number;
  /** The base URL leaves name as their CRL Distribution Point (each names its issuer's: URL/<key id>). */
  readonly crlUrl: string | undefined;
  readonly crlValidityMs: number;
  readonly ledger: RevocationList & Pick<CertificateLedger, 'findCertificate'>;
  readonly crlNumbers: CrlNumberSequence;
  readonly clock: Clock;
  readonly logger: Logger;
}

/** One CA as loaded, with what signs for it. */
interface Signing {
  readonly loaded: LoadedCa;
  readonly leaves: LeafSigner;
  /** By issuer key identifier: the active intermediate's CRL and every former one's. */
  readonly crls: ReadonlyMap<string, CrlPublisher>;
  /** The root's, the active intermediate's and every former intermediate's key. */
  readonly caKeys: ForbiddenKeys;
}

const NO_CA_KEYS = ForbiddenKeys.of([]);

export type CaChangeListener = (loaded: LoadedCa) => void;

/**
 * The operator's CA as it is now, for everything that signs or publishes with it: it is replaced
 * whole when a rollover (here or elsewhere) or a restored CA is found, so a request always meets
 * one consistent intermediate. Without a CA (a refused bootstrap) it refuses every signature with
 * ca_unavailable and says why.
 */
export class LiveCa implements CertificateSigner {
  private signing: Signing | undefined;
  private readonly listeners: CaChangeListener[] = [];
  private readonly issuers: RevocationIssuers;

  constructor(
    private readonly options: LiveCaOptions,
    loaded: LoadedCa | undefined,
    /** Why there is no CA, while there is none. */
    private missing = 'the CA has not been loaded',
  ) {
    this.issuers = new RevocationIssuers(options.ledger);
    if (loaded) this.signing = this.signingFor(loaded);
  }

  /** The CA as loaded now; undefined while there is none. */
  get loaded(): LoadedCa | undefined {
    return this.signing?.loaded;
  }

  /** The active intermediate, or undefined. */
  get material(): CaMaterial | undefined {
    return this.signing?.loaded.material;
  }

  /** Why nothing can be signed, while there is no CA. */
  get missingReason(): string | undefined {
    return this.signing ? undefined : this.missing;
  }

  outlook(): SigningCaOutlook | undefined {
    const loaded = this.signing?.loaded;
    if (!loaded) return undefined;
    return signingCaOutlook(loaded.material, loaded.hierarchy.rootNotAfter, this.options.clock.now(), this.options.policy);
  }

  onChange(listener: CaChangeListener): void {
    this.listeners.push(listener);
  }

  /** Switches to `loaded` (a rollover, a reload); listeners hear of it. */
  replace(loaded: LoadedCa): void {
    this.signing = this.signingFor(loaded);
    for (const listener of this.listeners) listener(loaded);
  }

  /** No CA from now on, for this reason. */
  clear(reason: string): void {
    this.signing = undefined;
    this.missing = reason;
  }

  /** The CA's own keys, refused at every intake; none while there is no CA (nothing is signed then). */
  get caKeys(): ForbiddenKeys {
    return this.signing?.caKeys ?? NO_CA_KEYS;
  }

  issue(request: LeafRequest): IssuedCertificate {
    return this.usable(request.notAfter).leaves.issue(request);
  }

  ensureAvailable(request: { readonly notAfter?: Date }): void {
    this.usable(request.notAfter);
  }

  /** A revocation was recorded: every CRL is signed again on its next fetch. */
  invalidateCrls(): void {
    for (const publisher of this.signing?.crls.values() ?? []) publisher.invalidate();
  }

  /** The active intermediate's CRL; undefined without a CA. */
  async currentCrl(): Promise<SignedCrl | undefined> {
    const signing = this.signing;
    return signing?.crls.get(signing.loaded.material.keyIdentifier)?.current();
  }

  /** The CRL of the intermediate with this key identifier, active or former; undefined when none is published. */
  async crlOf(keyIdentifier: string): Promise<SignedCrl | undefined> {
    return this.signing?.crls.get(keyIdentifier.toLowerCase())?.current();
  }

  private usable(notAfter: Date | undefined): Signing {
    const signing = this.signing;
    if (!signing) throw this.unavailable(this.missing);
    const refusal = refusalFor(signing.loaded.material, this.options.clock.now(), this.options.policy, notAfter);
    if (refusal) throw this.unavailable(this.outlook()?.message ?? refusal);
    return signing;
  }

  private unavailable(message: string): CaError {
    return new CaError('ca_unavailable', `no usable signing CA: ${message}`, undefined, Math.max(1, Math.round(this.options.checkIntervalMs / 1000)));
  }

  private signingFor(loaded: LoadedCa): Signing {
    const { clock, crlUrl, policy } = this.options;
    const active = loaded.material;
    const leaves = new LeafSigner(active, { clock, shortLeavesNearExpiry: policy.shortLeavesNearExpiry, ...(crlUrl ? { crlDistributionPointUrl: crlUrlOf(crlUrl, active.keyIdentifier) } : {}) });
    const several = loaded.hierarchy.former.length > 0;
    const crls = new Map(intermediatesOf(loaded.hierarchy).map((material) => [material.keyIdentifier, this.publisherFor(loaded, material, several)]));
    const formerKeys = loaded.hierarchy.former.map((material) => ({ label: `a former intermediate CA key (key id ${material.keyIdentifier})`, key: material.signerKey }));
    return { loaded, leaves, crls, caKeys: leaves.caKeys.with(formerKeys) };
  }

  private publisherFor(loaded: LoadedCa, material: CaMaterial, several: boolean): CrlPublisher {
    const { clock, logger, ledger, crlNumbers, crlValidityMs } = this.options;
    const active = loaded.material.keyIdentifier;
    // A revocation whose issuer the ledger cannot name goes to the active intermediate's CRL.
    const covers = async (revocation: { readonly serialNumber: string }): Promise<boolean> => {
      const issuer = await this.issuers.issuerOf(revocation.serialNumber);
      const known = issuer !== undefined && intermediateByKeyIdentifier(loaded.hierarchy, issuer) !== undefined;
      return known ? issuer === material.keyIdentifier : material.keyIdentifier === active;
    };
    return new CrlPublisher({
      signer: new CrlSigner(material, { clock, validityMs: crlValidityMs }),
      revocations: ledger,
      numbers: crlNumbers,
      clock,
      logger: logger.child({ crlIssuer: material.keyIdentifier }),
      ...(several ? { covers } : {}),
    });
  }
}

/**
 * Why a certificate ending at `notAfter` (default: a full-length one starting now) cannot be signed
 * by `ca` now; undefined when it can (possibly shortened, under the short-leaves policy).
 */
export function refusalFor(ca: Pick<CaMaterial, 'notBefore' | 'notAfter'>, now: Date, policy: CaLifecyclePolicy, notAfter?: Date): string | undefined {
  if (now < ca.notBefore) return `the signing CA is not valid before ${ca.notBefore.toISOString()}`;
  if (now >= ca.notAfter) return `the signing CA expired ${ca.notAfter.toISOString()}`;
  const wanted = notAfter ?? new Date(now.getTime() - LEAF_BACKDATE_MS + LEAF_MAX_VALIDITY_MS);
  if (wanted <= ca.notAfter) return undefined;
  if (policy.shortLeavesNearExpiry && ca.notAfter.getTime() - now.getTime() >= SHORTEST_LEAF_MS) return undefined;
  return `the signing CA ends ${ca.notAfter.toISOString()}, before a certificate from now would`;
}

/** The CRL Distribution Point of one intermediate's leaves: the base URL's path + /<key id>. */
export function crlUrlOf(base: string, keyIdentifier: string): string {
  const url = new URL(base);
  url.pathname = `${url.pathname.replace(/\/+$/, '')}/${keyIdentifier}`;
  return url.toString();
}
