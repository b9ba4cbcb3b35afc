import type { AdminClient } from './admin-client.js';

/** What every section of the console needs: the signed-in client and the page's two message lines. */
export interface ConsoleContext {
  readonly client: AdminClient;
  /** A polite status line: what just happened. */
  notify(message: string): void;
  /** An alert: what went wrong (a refused token signs the console out). */
  fail(error: unknown): void;
  /** Reloads every section after a decision. */
  refresh(): Promise<void>;
}
