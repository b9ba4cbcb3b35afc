import { LEAF_BACKDATE_MS, LEAF_MAX_VALIDITY_MS, SHORTEST_LEAF_MS } from './profile.js';

const DAY_MS = 24 * 60 * 60 * 1000;

/** How a CA's signing intermediate is kept usable over the years. */
export interface CaLifecyclePolicy {
  /** The share of the intermediate's life after which its successor is made, in (0, 1). */
  readonly rolloverFraction: number;
  /** In the intermediate's last year: leaves that end with it (true), or none at all (false). */
  readonly shortLeavesNearExpiry: boolean;
  /** How long before full-length leaves stop fitting the warnings start. */
  readonly warningMs: number;
}

export const DEFAULT_ROLLOVER_FRACTION = 2 / 3;
export const DEFAULT_CA_EXPIRY_WARNING_MS = 90 * DAY_MS;
/** Whatever the fraction, the successor is due at least this long before full-length leaves stop fitting. */
export const ROLLOVER_LEAD_MS = 30 * DAY_MS;

export const DEFAULT_CA_LIFECYCLE: CaLifecyclePolicy = {
  rolloverFraction: DEFAULT_ROLLOVER_FRACTION,
  shortLeavesNearExpiry: false,
  warningMs: DEFAULT_CA_EXPIRY_WARNING_MS,
};

/**
 * - ok: full-length leaves, and nothing to say yet;
 * - warning: full-length leaves, but not for much longer (within the warning period);
 * - short-leaves: the intermediate's last year, leaves end with it (--short-leaves-near-ca-expiry);
 * - unusable: nothing can be signed (expired, not yet valid, or its last year under the refuse policy).
 */
export type SigningCaState = 'ok' | 'warning' | 'short-leaves' | 'unusable';

export interface SigningCaOutlook {
  readonly state: SigningCaState;
  readonly notAfter: Date;
  /** The last moment a full-length (365-day) leaf fits inside the intermediate. */
  readonly fullLeavesUntil: Date;
  readonly warnFrom: Date;
  /** When the successor should be made: the configured share of the life, and never later than 30 days before fullLeavesUntil. */
  readonly rolloverAt: Date;
  /** rolloverAt has passed and a successor from the same root would last longer. */
  readonly rolloverDue: boolean;
  /** The root outlives the intermediate, so a successor helps; false: only a new root does. */
  readonly successorHelps: boolean;
  /** One sentence for logs, /readyz and refusals. */
  readonly message: string;
}

/** Pure: where a signing intermediate stands at `now`, and what is due. */
export function signingCaOutlook(
  signer: { readonly notBefore: Date; readonly notAfter: Date },
  rootNotAfter: Date,
  now: Date,
  policy: CaLifecyclePolicy = DEFAULT_CA_LIFECYCLE,
): SigningCaOutlook {
  const start = signer.notBefore.getTime();
  const end = signer.notAfter.getTime();
  const fullLeavesUntil = end - LEAF_MAX_VALIDITY_MS + LEAF_BACKDATE_MS;
  const warnFrom = fullLeavesUntil - policy.warningMs;
  const rolloverAt = Math.max(start, Math.min(start + policy.rolloverFraction * (end - start), fullLeavesUntil - ROLLOVER_LEAD_MS));
  const successorHelps = rootNotAfter.getTime() > end;
  const state = stateAt(now.getTime(), { start, end, fullLeavesUntil, warnFrom }, policy);
  const times = { notAfter: signer.notAfter, fullLeavesUntil: new Date(fullLeavesUntil), warnFrom: new Date(warnFrom), rolloverAt: new Date(Math.floor(rolloverAt)) };
  const outlook = { state, ...times, rolloverDue: now.getTime() >= rolloverAt && successorHelps, successorHelps };
  return { ...outlook, message: describeOutlook(outlook, now, signer.notBefore, rootNotAfter, policy) };
}

function stateAt(now: number, at: { start: number; end: number; fullLeavesUntil: number; warnFrom: number }, policy: CaLifecyclePolicy): SigningCaState {
  if (now < at.start || now >= at.end) return 'unusable';
  if (now > at.fullLeavesUntil) return policy.shortLeavesNearExpiry && at.end - now >= SHORTEST_LEAF_MS ? 'short-leaves' : 'unusable';
  return now >= at.warnFrom ? 'warning' : 'ok';
}

type OutlookFacts = Omit<SigningCaOutlook, 'message'>;

function describeOutlook(outlook: OutlookFacts, now: Date, notBefore: Date, rootNotAfter: Date, policy: CaLifecyclePolicy): string {
  const ends = `the signing CA ends ${iso(outlook.notAfter)}`;
  const remedy = outlook.successorHelps
    ? 'make the next intermediate (smsgate-ca ca rotate, or keep the root key where serve finds it)'
    : `the root ends ${iso(rootNotAfter)} as well, so only a new root helps`;
  if (now < notBefore) return `the signing CA is not valid before ${iso(notBefore)} (check the clock)`;
  if (now >= outlook.notAfter) return `the signing CA expired ${iso(outlook.notAfter)}; ${remedy}`;
  switch (outlook.state) {
    case 'unusable':
      return policy.shortLeavesNearExpiry
        ? `${ends}, less than a day from now: nothing can be signed; ${remedy}`
        : `${ends}, so a 365-day certificate no longer fits and --short-leaves-near-ca-expiry is off; ${remedy}`;
    case 'short-leaves':
      return `${ends}: certificates are shortened to end with it (--short-leaves-near-ca-expiry); ${remedy}`;
    case 'warning': {
      const then = policy.shortLeavesNearExpiry ? 'certificates will be shortened' : 'certificate requests will be refused';
      return `${ends}: from ${iso(outlook.fullLeavesUntil)} a 365-day certificate no longer fits and ${then}; ${remedy}`;
    }
    case 'ok':
      if (!outlook.successorHelps) return `${ends}, with the root`;
      return outlook.rolloverDue ? `${ends}; its successor was due ${iso(outlook.rolloverAt)}: ${remedy}` : `${ends}; its successor is due ${iso(outlook.rolloverAt)}`;
  }
}

function iso(date: Date): string {
  return date.toISOString();
}
