import type { AcmeIdentifier, ProblemDocument } from './problems.js';

/** JSON shapes of RFC 8555 §7.1 resources as this server emits them. */

export interface DirectoryJson {
  newNonce: string;
  newAccount: string;
  newOrder: string;
  revokeCert: string;
  keyChange: string;
  renewalInfo?: string;
  meta: {
    termsOfService?: string;
    website?: string;
    caaIdentities?: string[];
    externalAccountRequired: boolean;
    profiles?: Record<string, string>;
  };
}

export type AccountStatus = 'valid' | 'deactivated' | 'revoked';
export type OrderStatus = 'pending' | 'ready' | 'processing' | 'valid' | 'invalid';
export type AuthorizationStatus = 'pending' | 'valid' | 'invalid' | 'deactivated' | 'expired' | 'revoked';
export type ChallengeStatus = 'pending' | 'processing' | 'valid' | 'invalid';
export type ChallengeType = 'http-01' | 'tls-alpn-01';

export const CHALLENGE_TYPES: readonly ChallengeType[] = ['http-01', 'tls-alpn-01'];

export interface AccountJson {
  status: AccountStatus;
  contact?: string[];
  termsOfServiceAgreed?: boolean;
  orders: string;
  externalAccountBinding?: unknown;
  createdAt?: string;
}

export interface OrderJson {
  status: OrderStatus;
  expires: string;
  identifiers: AcmeIdentifier[];
  notBefore?: string;
  notAfter?: string;
  error?: ProblemDocument;
  authorizations: string[];
  finalize: string;
  certificate?: string;
  replaces?: string;
}

export interface ChallengeJson {
  type: ChallengeType;
  url: string;
  status: ChallengeStatus;
  token: string;
  validated?: string;
  error?: ProblemDocument;
}

export interface AuthorizationJson {
  identifier: AcmeIdentifier;
  status: AuthorizationStatus;
  expires: string;
  challenges: ChallengeJson[];
  wildcard?: boolean;
}

export interface OrdersListJson {
  orders: string[];
}

/** RFC 9773 §4.2. */
export interface RenewalInfoJson {
  suggestedWindow: { start: string; end: string };
  explanationURL?: string;
}
