import { isCaError } from '../ca/index.js';
import { CommandFailure, EXIT_CODES, type Command, type CommandIo } from './command.js';
import { COMMANDS } from './commands.js';
import { loadDotEnv } from './dotenv.js';
import { formatHelp, parseFlags } from './flags.js';
import { parseGlobalOptions, type GlobalOptions } from './global-options.js';
import { packageVersion } from '../serve/package-version.js';

const PROGRAM_HELP = (commands: readonly Command[]): string =>
  [
    'smsgate-ca — a certificate authority for private IPv4 addresses',
    '',
    'Usage: smsgate-ca [--timeout|-t DURATION] <command> [flags]',
    '',
    'Commands:',
    ...commands.map((command) => `  ${[command.name, ...(command.aliases ?? [])].join(', ').padEnd(20)} ${command.summary}`),
    '',
    'Global options:',
    '  -t, --timeout DURATION   how long webhooks/private wait for the certificate (default 30s; env ASG_CA_TIMEOUT)',
    '  -v, --version            print the version',
    '  -h, --help               show this help',
    '',
    "Run 'smsgate-ca <command> --help' for the flags of a command. A .env file in the working directory",
    'is read first; variables already set keep their values.',
    '',
  ].join('\n');

export async function runCli(argv: readonly string[], io: CommandIo = processIo()): Promise<number> {
  let command: Command | undefined;
  try {
    await loadDotEnv(io.env, io.cwd ?? process.cwd());
    const global = parseGlobalOptions(argv);
    const [name, ...rest] = global.rest;
    if (global.version) {
      io.stdout.write(`smsgate-ca version ${await packageVersion()}\n`);
      return EXIT_CODES.ok;
    }
    if (name === undefined || global.help || name === 'help') {
      io.stdout.write(PROGRAM_HELP(COMMANDS));
      return EXIT_CODES.ok;
    }
    command = COMMANDS.find((candidate) => candidate.name === name || candidate.aliases?.includes(name));
    if (!command) throw new CommandFailure(`unknown command "${name}"; run 'smsgate-ca --help'`, EXIT_CODES.invalidInput);
    if (rest.includes('--help') || rest.includes('-h')) {
      io.stdout.write(formatHelp(command));
      return EXIT_CODES.ok;
    }
    const { flags, positionals } = parseFlags(command, withGlobalTimeout(command, global, rest), io.env);
    return await command.run(flags, positionals, io);
  } catch (error) {
    return reportFailure(error, command, io);
  }
}

/** A timeout before the command becomes the command's own; one after the command still wins. */
function withGlobalTimeout(command: Command, global: GlobalOptions, rest: readonly string[]): readonly string[] {
  if (global.timeout === undefined) return rest;
  if (!command.flags.some((flag) => flag.name === 'timeout')) {
    throw new CommandFailure(`--timeout applies to webhooks and private only, not to ${command.name}`, EXIT_CODES.invalidInput);
  }
  return [`--timeout=${global.timeout}`, ...rest];
}

function reportFailure(error: unknown, command: Command | undefined, io: CommandIo): number {
  const prefix = command ? `smsgate-ca ${command.name}` : 'smsgate-ca';
  if (error instanceof CommandFailure) {
    io.stderr.write(`${prefix}: ${error.message}\n`);
    return error.exitCode;
  }
  if (isCaError(error)) {
    io.stderr.write(`${prefix}: refused (${error.reason}): ${error.message}\n`);
    return EXIT_CODES.invalidInput;
  }
  io.stderr.write(`${prefix}: ${(error as Error)?.message ?? String(error)}\n`);
  return EXIT_CODES.invalidInput;
}

function processIo(): CommandIo {
  return { stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd() };
}
