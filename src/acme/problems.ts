import type { CaError } from '../ca/index.js';
import type { StoreUnavailableError } from '../store/store-errors.js';

/**
 * RFC 8555 §6.7 problem documents. Every refusal the ACME door produces is an AcmeProblem; the
 * router turns it into `application/problem+json` with the status from this table.
 */
export const PROBLEM_STATUS = {
  accountDoesNotExist: 400,
  alreadyReplaced: 409, // RFC 9773 §7
  alreadyRevoked: 400,
  badCSR: 400,
  badNonce: 400,
  badPublicKey: 400,
  badRevocationReason: 400,
  badSignatureAlgorithm: 400,
  caa: 403,
  compound: 400,
  connection: 400,
  dns: 400,
  externalAccountRequired: 403,
  incorrectResponse: 403,
  invalidContact: 400,
  malformed: 400,
  orderNotReady: 403,
  rateLimited: 429,
  rejectedIdentifier: 400,
  serverInternal: 500,
  tls: 400,
  unauthorized: 403,
  unsupportedContact: 400,
  unsupportedIdentifier: 400,
  userActionRequired: 403,
} as const;

export type ProblemType = keyof typeof PROBLEM_STATUS;

export const PROBLEM_NAMESPACE = 'urn:ietf:params:acme:error:';

export interface AcmeIdentifier {
  readonly type: string;
  readonly value: string;
}

/** The JSON body of a problem document (RFC 7807 + RFC 8555 §6.7.1). */
export interface ProblemDocument {
  type: string;
  detail: string;
  status?: number;
  identifier?: AcmeIdentifier;
  subproblems?: ProblemDocument[];
  algorithms?: string[];
}

export interface ProblemOptions {
  readonly status?: number;
  readonly identifier?: AcmeIdentifier;
  readonly subproblems?: readonly AcmeProblem[];
  /** badSignatureAlgorithm: the algorithms the server accepts (RFC 8555 §6.2). */
  readonly algorithms?: readonly string[];
  /** Extra response headers, e.g. Location for a 409 or Retry-After for rateLimited. */
  readonly headers?: Readonly<Record<string, string>>;
}

export class AcmeProblem extends Error {
  override readonly name = 'AcmeProblem';
  readonly status: number;

  constructor(
    readonly type: ProblemType,
    readonly detail: string,
    readonly options: ProblemOptions = {},
  ) {
    super(`${type}: ${detail}`);
    this.status = options.status ?? PROBLEM_STATUS[type];
  }

  toJSON(): ProblemDocument {
    const document: ProblemDocument = { type: PROBLEM_NAMESPACE + this.type, detail: this.detail, status: this.status };
    if (this.options.identifier) document.identifier = { ...this.options.identifier };
    if (this.options.subproblems?.length) document.subproblems = this.options.subproblems.map((sub) => sub.toJSON());
    if (this.options.algorithms) document.algorithms = [...this.options.algorithms];
    return document;
  }
}

export function isAcmeProblem(error: unknown): error is AcmeProblem {
  return error instanceof AcmeProblem;
}

export const malformed = (detail: string, options?: ProblemOptions): AcmeProblem => new AcmeProblem('malformed', detail, options);
export const unauthorized = (detail: string, options?: ProblemOptions): AcmeProblem => new AcmeProblem('unauthorized', detail, options);
export const notFound = (what: string): AcmeProblem => new AcmeProblem('malformed', `${what} does not exist`, { status: 404 });

/** Builds a stored challenge/order error back into a problem (used when reading records). */
export function problemFromDocument(document: ProblemDocument): AcmeProblem {
  const type = document.type.startsWith(PROBLEM_NAMESPACE) ? document.type.slice(PROBLEM_NAMESPACE.length) : 'serverInternal';
  const known = (type in PROBLEM_STATUS ? type : 'serverInternal') as ProblemType;
  return new AcmeProblem(known, document.detail, {
    ...(document.status !== undefined ? { status: document.status } : {}),
    ...(document.identifier ? { identifier: document.identifier } : {}),
    ...(document.subproblems ? { subproblems: document.subproblems.map(problemFromDocument) } : {}),
  });
}

/** Seconds a client should wait before retrying after a passing server-side fault. */
const RETRY_AFTER_SECONDS = 5;

/**
 * A core refusal as a problem: the requester's faults are badCSR (RFC 8555 §7.4), the server's are
 * serverInternal without internals (500, or 503 with Retry-After when the fault will pass).
 */
export function problemFromCaError(error: CaError): AcmeProblem {
  switch (error.errorClass) {
    case 'malformed':
    case 'policy':
    case 'unsatisfiable':
      return new AcmeProblem('badCSR', `${error.message} (${error.reason})`);
    case 'server':
      return new AcmeProblem('serverInternal', 'signing failed; see the server log');
    case 'retryable':
      return new AcmeProblem('serverInternal', `the CA cannot sign right now (${error.reason}); retry shortly`, {
        status: 503,
        headers: { 'Retry-After': String(RETRY_AFTER_SECONDS) },
      });
  }
}

/**
 * A store that is unavailable for a while (disk full, I/O error, the Kubernetes API unreachable):
 * serverInternal with 503 and Retry-After, as for any passing server fault (RFC 8555 §6.7 leaves
 * the status to HTTP; RFC 9110 §15.6.4). Nothing was recorded for the request.
 */
export function problemFromStoreFault(_error: StoreUnavailableError): AcmeProblem {
  return new AcmeProblem('serverInternal', `the CA's storage is unavailable right now; retry in ${RETRY_AFTER_SECONDS}s`, {
    status: 503,
    headers: { 'Retry-After': String(RETRY_AFTER_SECONDS) },
  });
}
