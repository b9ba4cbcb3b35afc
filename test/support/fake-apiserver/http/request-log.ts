import type { RequestAttributes } from '../auth/request-attributes.js';

export interface RequestLogEntry {
  readonly method: string;
  /** Path without the query string. */
  readonly path: string;
  readonly query: string;
  readonly contentType: string | undefined;
  readonly accept: string | undefined;
  readonly userAgent: string | undefined;
  /** HTTP status; 0 while the response (e.g. a watch) is still open. */
  readonly status: number;
  /** The authenticated (or impersonated) user; undefined when authentication failed. */
  readonly user: string | undefined;
  /** What the request asked to do, as RBAC saw it; undefined when authentication failed. */
  readonly attributes: RequestAttributes | undefined;
  /** Further authorizations admission made for the request (e.g. `update` on an owner's finalizers). */
  readonly alsoAuthorized: readonly RequestAttributes[];
}

/** Fills in an entry as the request proceeds: who asked for what (once authenticated), then the status. */
export interface RequestLogUpdater {
  identified(user: string, attributes: RequestAttributes): void;
  alsoAuthorized(attributes: RequestAttributes): void;
  finished(status: number): void;
}

type MutableEntry = { -readonly [K in keyof RequestLogEntry]: RequestLogEntry[K] } & { alsoAuthorized: RequestAttributes[] };

/** What clients sent, for tests that assert on verbs, patch types and paths. Bounded. */
export class RequestLog {
  private log: MutableEntry[] = [];

  constructor(private readonly limit: number) {}

  record(entry: Omit<RequestLogEntry, 'status' | 'user' | 'attributes' | 'alsoAuthorized'>): RequestLogUpdater {
    const mutable: MutableEntry = { ...entry, status: 0, user: undefined, attributes: undefined, alsoAuthorized: [] };
    this.log.push(mutable);
    if (this.log.length > this.limit) this.log.splice(0, this.log.length - this.limit);
    return {
      identified(user, attributes) {
        mutable.user = user;
        mutable.attributes = attributes;
      },
      alsoAuthorized(attributes) {
        mutable.alsoAuthorized.push(attributes);
      },
      finished(status) {
        mutable.status = status;
      },
    };
  }

  entries(): RequestLogEntry[] {
    return this.log.map((e) => ({ ...e, alsoAuthorized: [...e.alsoAuthorized] }));
  }

  find(predicate: (entry: RequestLogEntry) => boolean): RequestLogEntry[] {
    return this.entries().filter(predicate);
  }

  clear(): void {
    this.log = [];
  }
}
