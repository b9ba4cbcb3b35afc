/** The URLs of every ACME resource under one base (e.g. https://ca.internal:8443/acme). */
export class AcmeLinks {
  constructor(readonly base: string) {}

  static forOrigin(origin: string): AcmeLinks {
    return new AcmeLinks(`${origin}${ACME_PREFIX}`);
  }

  get directory(): string {
    return `${this.base}/directory`;
  }
  get newNonce(): string {
    return `${this.base}/new-nonce`;
  }
  get newAccount(): string {
    return `${this.base}/new-account`;
  }
  get newOrder(): string {
    return `${this.base}/new-order`;
  }
  get revokeCert(): string {
    return `${this.base}/revoke-cert`;
  }
  get keyChange(): string {
    return `${this.base}/key-change`;
  }
  get renewalInfo(): string {
    return `${this.base}/renewal-info`;
  }
  account(id: string): string {
    return `${this.base}/acct/${id}`;
  }
  accountOrders(id: string): string {
    return `${this.base}/acct/${id}/orders`;
  }
  order(id: string): string {
    return `${this.base}/order/${id}`;
  }
  finalize(id: string): string {
    return `${this.base}/order/${id}/finalize`;
  }
  authorization(id: string): string {
    return `${this.base}/authz/${id}`;
  }
  challenge(id: string): string {
    return `${this.base}/chall/${id}`;
  }
  certificate(id: string): string {
    return `${this.base}/cert/${id}`;
  }

  /** The account id a `kid` names, when it is one of our account URLs. */
  accountIdOf(kid: string): string | undefined {
    const prefix = `${this.base}/acct/`;
    if (!kid.startsWith(prefix)) return undefined;
    const id = kid.slice(prefix.length);
    return ACME_ID.test(id) ? id : undefined;
  }
}

export const ACME_PREFIX = '/acme';

/** Ids are 16 base64url characters (12 random bytes). */
export const ACME_ID = /^[A-Za-z0-9_-]{16}$/;

/** RFC 8288 Link header value. */
export function linkHeader(url: string, rel: string): string {
  return `<${url}>;rel="${rel}"`;
}
