import type { Context } from 'koa';
import type { Clock } from '../shared/clock.js';
import type { IssuanceService } from '../issuance/issuance-service.js';
import type { AcmeStore } from '../store/acme-store.js';
import type { Logger } from '../telemetry/logger.js';
import type { AcmeSettings } from './acme-settings.js';
import type { KeyReference, RequestVerifier, VerifiedRequest } from './jws/request-verifier.js';
import type { AcmeLinks } from './links.js';
import type { NonceService } from './nonces.js';
import type { ValidationQueue } from './validation/validation-queue.js';

/** What every handler may use; built once by createAcmeServer. */
export interface AcmeDependencies {
  readonly settings: AcmeSettings;
  readonly store: AcmeStore;
  /** The one issuance service (docs/ARCHITECTURE.md §1): policy, signing, ledger, audit — revocations too. */
  readonly issuer: Pick<IssuanceService, 'issue' | 'recordRevocation'> & Partial<Pick<IssuanceService, 'ensureAvailable'>>;
  readonly nonces: NonceService;
  readonly verifier: RequestVerifier;
  readonly validations: ValidationQueue;
  readonly clock: Clock;
  readonly logger: Logger;
  /** The client address (honouring trusted proxies), for the newAccount limit and the audit trail. */
  readonly requesterOf: (ctx: Context) => string;
}

/** One request as the handlers see it. */
export interface AcmeExchange {
  readonly ctx: Context;
  readonly links: AcmeLinks;
  /** The absolute URL the client must have put in the JWS `url`. */
  readonly url: string;
  readonly params: Readonly<Record<string, string>>;
  /** Reads and authenticates the JWS body (content type, size, signature, nonce, url, key). */
  signed(reference: KeyReference): Promise<VerifiedRequest>;
}

/** What a handler answers; the router writes it with the ACME headers every response carries. */
export interface AcmeResponse {
  readonly status: number;
  readonly body?: unknown;
  readonly contentType?: string;
  readonly location?: string;
  readonly links?: ReadonlyArray<{ readonly url: string; readonly rel: string }>;
  readonly retryAfterSeconds?: number;
}

export type AcmeHandler = (deps: AcmeDependencies, exchange: AcmeExchange) => Promise<AcmeResponse>;
