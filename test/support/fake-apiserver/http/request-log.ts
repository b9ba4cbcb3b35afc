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
}

interface MutableEntry extends Omit<RequestLogEntry, 'status' | 'user'> {
  status: number;
  user: string | undefined;
}

/** What clients sent, for tests that assert on verbs, patch types and paths. Bounded. */
export class RequestLog {
  private log: MutableEntry[] = [];

  constructor(private readonly limit: number) {}

  record(entry: Omit<RequestLogEntry, 'status' | 'user'>): (status: number, user: string | undefined) => void {
    const mutable: MutableEntry = { ...entry, status: 0, user: undefined };
    this.log.push(mutable);
    if (this.log.length > this.limit) this.log.splice(0, this.log.length - this.limit);
    return (status, user) => {
      mutable.status = status;
      mutable.user = user;
    };
  }

  entries(): RequestLogEntry[] {
    return this.log.map((e) => ({ ...e }));
  }

  find(predicate: (entry: RequestLogEntry) => boolean): RequestLogEntry[] {
    return this.entries().filter(predicate);
  }

  clear(): void {
    this.log = [];
  }
}
