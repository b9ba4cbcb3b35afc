/** One step of the SQLite schema; the applied version is kept in PRAGMA user_version. */
export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}
