/** The shape every `smsgate-ca` subcommand shares, so help and env-var fallbacks are uniform. */
export interface FlagSpec {
  readonly name: string; // long name without dashes, kebab-case
  readonly short?: string;
  readonly type: 'string' | 'boolean';
  readonly description: string;
  readonly default?: string;
  /** Environment variable read when the flag is absent; default SMSGATE_CA_<NAME>. `false` disables. */
  readonly env?: string | false;
  readonly valueName?: string;
}

export interface CommandIo {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
  readonly env: NodeJS.ProcessEnv;
}

export type FlagValues = Readonly<Record<string, string | boolean | undefined>>;

export interface Command {
  readonly name: string;
  readonly aliases?: readonly string[];
  readonly summary: string;
  readonly usage: string;
  readonly flags: readonly FlagSpec[];
  /** Positional arguments allowed (default 0). */
  readonly positionals?: { readonly min: number; readonly max: number; readonly names: string };
  run(flags: FlagValues, positionals: readonly string[], io: CommandIo): Promise<number>;
}

/** A refusal the user can act on: printed as one line on stderr, exit code 1 (or the given one). */
export class UsageError extends Error {
  override readonly name = 'UsageError';
  constructor(message: string, readonly exitCode = 2) {
    super(message);
  }
}
