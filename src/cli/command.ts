import type { FlagSpec } from '../config/settings-table.js';

/** The shape every `smsgate-ca` subcommand shares, so help and env-var fallbacks are uniform. */
export type { FlagSpec };

export interface CommandIo {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
  readonly env: NodeJS.ProcessEnv;
  /** Where `.env` is looked for; default the process's working directory. */
  readonly cwd?: string;
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

/** Exit codes of every command, the SMSGate command-line client's convention. */
export const EXIT_CODES = {
  ok: 0,
  /** Invalid arguments, settings or input (a refused CSR too). */
  invalidInput: 1,
  /** The server answered with an error, or could not be reached. */
  serverFailure: 2,
  /** The output files could not be written. */
  outputFailure: 3,
} as const;

/** A failure the user can act on: printed as one line on stderr, with its exit code. */
export class CommandFailure extends Error {
  override readonly name: string = 'CommandFailure';
  constructor(message: string, readonly exitCode: number) {
    super(message);
  }
}

/** Invalid arguments or input: exit code 1. */
export class UsageError extends CommandFailure {
  override readonly name = 'UsageError';
  constructor(message: string) {
    super(message, EXIT_CODES.invalidInput);
  }
}
