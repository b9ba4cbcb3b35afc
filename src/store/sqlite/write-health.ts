import type { StoreUnavailableError } from '../store-errors.js';

/** A change in whether the database takes writes, for the log. */
export type WriteHealthEvent =
  | { readonly kind: 'failing'; readonly fault: StoreUnavailableError }
  | { readonly kind: 'recovered'; readonly failedForMs: number };

interface Failure {
  readonly fault: StoreUnavailableError;
  readonly since: Date;
}

/**
 * Whether the database's writes succeed, as readiness reports it: failing from the first storage
 * fault (disk full, I/O error) until a write commits again. A damaged database stays failing — a
 * corrupt file does not heal, and writing more into it can only spread the damage — until it is
 * restored and the server restarted.
 */
export class WriteHealth {
  private failure: Failure | undefined;

  constructor(
    private readonly now: () => Date = () => new Date(),
    private readonly onChange: (event: WriteHealthEvent) => void = () => {},
  ) {}

  /** The storage fault writes are failing with, and since when; undefined while they succeed. */
  get failing(): Failure | undefined {
    return this.failure;
  }

  /** Writes are refused outright: the database was found damaged. */
  get refusing(): StoreUnavailableError | undefined {
    return this.failure?.fault.kind === 'damaged' ? this.failure.fault : undefined;
  }

  committed(): void {
    const failure = this.failure;
    if (!failure || failure.fault.kind === 'damaged') return;
    this.failure = undefined;
    this.onChange({ kind: 'recovered', failedForMs: this.now().getTime() - failure.since.getTime() });
  }

  failed(fault: StoreUnavailableError): void {
    if (!fault.storageFailing) return;
    if (this.failure && (this.failure.fault.kind === 'damaged' || fault.kind !== 'damaged')) {
      this.failure = { fault, since: this.failure.since };
      return;
    }
    this.failure = { fault, since: this.now() };
    this.onChange({ kind: 'failing', fault });
  }
}
