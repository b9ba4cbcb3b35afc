import type { AcmeAccountRecord, AcmeStore } from '../../store/acme-store.js';
import type { AcmeLinks } from '../links.js';
import type { NonceService } from '../nonces.js';
import { AcmeProblem, malformed, unauthorized } from '../problems.js';
import { accountMayAct } from '../state.js';
import { algorithmsFor, canonicalPublicJwk, jwkThumbprint, type PublicJwk, type VerificationKeyCache } from './account-key.js';
import { checkAlgorithm, decodePayload, parseFlattenedJws, type AccountKeyAlgorithm, type FlattenedJws, type ProtectedHeader } from './flattened-jws.js';
import { verifySignature } from './jws-signature.js';

/** Which key reference a resource demands (RFC 8555 §6.2): newAccount and revokeCert by key allow `jwk`. */
export type KeyReference = 'jwk' | 'kid' | 'jwk-or-kid';

interface VerifiedBase {
  readonly jws: FlattenedJws;
  readonly header: ProtectedHeader;
  readonly alg: AccountKeyAlgorithm;
  /** undefined for POST-as-GET (empty payload). */
  readonly payload: Record<string, unknown> | undefined;
}

export type VerifiedRequest =
  | (VerifiedBase & { readonly by: 'jwk'; readonly jwk: PublicJwk; readonly thumbprint: string })
  | (VerifiedBase & { readonly by: 'kid'; readonly account: AcmeAccountRecord });

export interface RequestVerifierOptions {
  readonly nonces: NonceService;
  readonly accounts: Pick<AcmeStore, 'findAccount'>;
  readonly keys: VerificationKeyCache;
}

/**
 * Authenticates an ACME POST (RFC 8555 §6.2–6.5): flattened JWS, accepted `alg`, exactly one of
 * `jwk`/`kid` as the resource wants, a fresh nonce, `url` equal to the request URL, a key that
 * belongs to a valid account (for `kid`), and a signature that verifies.
 */
export class RequestVerifier {
  constructor(private readonly options: RequestVerifierOptions) {}

  async verify(body: unknown, requestUrl: string, links: AcmeLinks, reference: KeyReference): Promise<VerifiedRequest> {
    const { jws, header } = parseFlattenedJws(body);
    const alg = checkAlgorithm(header.alg);
    const by = keyReferenceOf(header, reference);
    await this.checkNonce(header.nonce);
    if (typeof header.url !== 'string') throw malformed('the JWS protected header has no "url"');
    if (header.url !== requestUrl) throw unauthorized(`the JWS "url" (${header.url.slice(0, 200)}) does not match the request URL ${requestUrl}`);
    const payload = () => decodePayload(jws.payload);
    if (by === 'jwk') {
      const jwk = canonicalPublicJwk(header.jwk);
      const thumbprint = await this.verifyWith(jws, jwk, alg);
      return { jws, header, alg, payload: payload(), by, jwk, thumbprint };
    }
    const account = await this.accountOf(header.kid, links);
    await this.verifyWith(jws, account.jwk as PublicJwk, alg, account.thumbprint);
    return { jws, header, alg, payload: payload(), by, account };
  }

  /** Verifies a JWS with a given public key (also used for the inner JWS of a key change). */
  async verifyWith(jws: FlattenedJws, jwk: PublicJwk, alg: AccountKeyAlgorithm, knownThumbprint?: string): Promise<string> {
    if (!algorithmsFor(jwk).includes(alg)) {
      throw new AcmeProblem('badSignatureAlgorithm', `a ${describeKey(jwk)} key cannot sign with ${alg}; use ${algorithmsFor(jwk).join(' or ')}`, {
        algorithms: [...algorithmsFor(jwk)],
      });
    }
    const thumbprint = knownThumbprint ?? (await jwkThumbprint(jwk));
    let key;
    try {
      key = await this.options.keys.get(thumbprint, jwk, alg);
    } catch (error) {
      throw new AcmeProblem('badPublicKey', `the account key cannot be used: ${(error as Error).message}`);
    }
    await verifySignature(jws, key, alg);
    return thumbprint;
  }

  private async checkNonce(nonce: unknown): Promise<void> {
    if (typeof nonce !== 'string' || nonce === '') throw new AcmeProblem('badNonce', 'the JWS protected header has no "nonce"; fetch one from newNonce');
    if (!(await this.options.nonces.redeem(nonce))) throw new AcmeProblem('badNonce', 'the nonce is unknown, expired or already used; retry with the fresh one in this response');
  }

  private async accountOf(kid: unknown, links: AcmeLinks): Promise<AcmeAccountRecord> {
    const id = typeof kid === 'string' ? links.accountIdOf(kid) : undefined;
    const account = id === undefined ? undefined : await this.options.accounts.findAccount(id);
    if (!account) throw new AcmeProblem('accountDoesNotExist', `no account is known by kid ${JSON.stringify(kid).slice(0, 200)}`);
    if (!accountMayAct(account.status)) throw unauthorized(`the account is ${account.status}`);
    return account;
  }
}

function keyReferenceOf(header: ProtectedHeader, wanted: KeyReference): 'jwk' | 'kid' {
  const hasJwk = header.jwk !== undefined;
  const hasKid = header.kid !== undefined;
  if (hasJwk && hasKid) throw malformed('the JWS protected header must hold either "jwk" or "kid", not both');
  if (!hasJwk && !hasKid) throw malformed('the JWS protected header must hold "jwk" or "kid"');
  const by = hasJwk ? 'jwk' : 'kid';
  if (wanted !== 'jwk-or-kid' && by !== wanted) {
    throw malformed(wanted === 'jwk' ? 'this resource needs the account key in "jwk"' : 'this resource needs the account URL in "kid", not a "jwk"');
  }
  return by;
}

function describeKey(jwk: PublicJwk): string {
  return jwk.kty === 'RSA' ? 'RSA' : `EC ${jwk.crv}`;
}
