import { UsageError } from './command.js';

/** What may stand before the command, as with the SMSGate command-line client. */
export interface GlobalOptions {
  readonly help: boolean;
  readonly version: boolean;
  /** `--timeout/-t DURATION` given before the command: handed to it as its own --timeout. */
  readonly timeout: string | undefined;
  /** The command name and everything after it. */
  readonly rest: readonly string[];
}

const TIMEOUT = /^(?:--timeout|-t)(?:=(.*))?$/;

/** Reads the global options up to the first word that is not one (the command). */
export function parseGlobalOptions(argv: readonly string[]): GlobalOptions {
  let help = false;
  let version = false;
  let timeout: string | undefined;
  let index = 0;
  for (; index < argv.length && argv[index]!.startsWith('-'); index++) {
    const word = argv[index]!;
    const timeoutMatch = TIMEOUT.exec(word);
    if (word === '--help' || word === '-h') help = true;
    else if (word === '--version' || word === '-v') version = true;
    else if (timeoutMatch) {
      timeout = timeoutMatch[1] ?? argv[++index];
      if (timeout === undefined) throw new UsageError('option --timeout needs a value (see smsgate-ca --help)');
    } else if (word.startsWith('-t') && !word.startsWith('--')) timeout = word.slice(2);
    else throw new UsageError(`unknown option ${word.split('=')[0]} (see smsgate-ca --help)`);
  }
  return { help, version, timeout, rest: argv.slice(index) };
}
