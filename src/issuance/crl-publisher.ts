import type { Clock, CrlContents, SignedCrl } from '../ca/index.js';
import type { CrlNumberSequence, RevocationList } from '../store/interfaces.js';
import type { CertificateRevocation } from '../store/records.js';
import type { Logger } from '../telemetry/logger.js';

/** What the publisher needs from the core's CrlSigner (structural, so tests can pass a fake). */
export interface CrlSigning {
  readonly validityMs: number;
  sign(contents: CrlContents): SignedCrl;
}

export interface CrlPublisherOptions {
  readonly signer: CrlSigning;
  readonly revocations: RevocationList;
  readonly numbers: CrlNumberSequence;
  readonly clock: Clock;
  readonly logger: Logger;
  /**
   * Whether a revocation is of a certificate this CRL's issuer signed; absent: every one is (a CA
   * with one intermediate). With several intermediates each lists only its own leaves.
   */
  readonly covers?: (revocation: CertificateRevocation) => Promise<boolean>;
}

interface Built {
  readonly crl: SignedCrl;
  /** The revision of the ledger the CRL was built from (see invalidate()). */
  readonly revision: number;
}

/**
 * The signing CA's current CRL, signed on demand and cached. It is signed again when a revocation
 * was recorded since (invalidate()), and once half of its validity has passed, so a relying party
 * fetching it always gets one with at least half its lifetime left. Concurrent requests share one
 * signing.
 */
export class CrlPublisher {
  private revision = 0;
  private cached: Built | undefined;
  private pending: { readonly revision: number; readonly promise: Promise<SignedCrl> } | undefined;

  constructor(private readonly options: CrlPublisherOptions) {}

  /** The ledger changed: the next current() signs a new CRL. */
  invalidate(): void {
    this.revision++;
  }

  async current(): Promise<SignedCrl> {
    const { cached } = this;
    if (cached && cached.revision === this.revision && !this.halfSpent(cached.crl)) return cached.crl;
    if (this.pending?.revision === this.revision) return this.pending.promise;
    const revision = this.revision;
    const promise = this.build(revision).finally(() => {
      if (this.pending?.promise === promise) this.pending = undefined;
    });
    this.pending = { revision, promise };
    return promise;
  }

  private async build(revision: number): Promise<SignedCrl> {
    const { signer, revocations, numbers, clock, logger } = this.options;
    // An entry stays until one CRL issued after the certificate expired carried it (RFC 5280 §3.3).
    const listed = await revocations.listRevoked(new Date(clock.now().getTime() - signer.validityMs));
    const covers = this.options.covers;
    const revoked = covers ? await filterEach(listed, covers) : listed;
    const crl = signer.sign({ revoked, crlNumber: await numbers.nextCrlNumber() });
    if (!this.cached || revision >= this.cached.revision) this.cached = { crl, revision };
    logger.info({ crlNumber: crl.crlNumber, revoked: crl.revokedCount, nextUpdate: crl.nextUpdate }, 'signed a new CRL');
    return crl;
  }

  private halfSpent(crl: SignedCrl): boolean {
    const now = this.options.clock.now().getTime();
    const half = crl.thisUpdate.getTime() + (crl.nextUpdate.getTime() - crl.thisUpdate.getTime()) / 2;
    return now >= half;
  }
}

async function filterEach<T>(items: readonly T[], keep: (item: T) => Promise<boolean>): Promise<T[]> {
  const kept: T[] = [];
  for (const item of items) if (await keep(item)) kept.push(item);
  return kept;
}
