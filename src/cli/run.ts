import { isCaError } from '../ca/index.js';
import { type Command, type CommandIo, UsageError } from './command.js';
import { COMMANDS } from './commands.js';
import { formatHelp, parseFlags } from './flags.js';

const PROGRAM_HELP = (commands: readonly Command[]): string =>
  [
    'smsgate-ca — a certificate authority for private IPv4 addresses',
    '',
    'Usage: smsgate-ca <command> [flags]',
    '',
    'Commands:',
    ...commands.map((command) => `  ${[command.name, ...(command.aliases ?? [])].join(', ').padEnd(20)} ${command.summary}`),
    '',
    "Run 'smsgate-ca <command> --help' for the flags of a command.",
    '',
  ].join('\n');

export async function runCli(argv: readonly string[], io: CommandIo = processIo()): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout.write(PROGRAM_HELP(COMMANDS));
    return name === undefined ? 2 : 0;
  }
  const command = COMMANDS.find((candidate) => candidate.name === name || candidate.aliases?.includes(name));
  if (!command) {
    io.stderr.write(`smsgate-ca: unknown command "${name}"; run 'smsgate-ca --help'\n`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout.write(formatHelp(command));
    return 0;
  }
  try {
    const { flags, positionals } = parseFlags(command, rest, io.env);
    return await command.run(flags, positionals, io);
  } catch (error) {
    return reportFailure(error, command, io);
  }
}

function reportFailure(error: unknown, command: Command, io: CommandIo): number {
  if (error instanceof UsageError) {
    io.stderr.write(`smsgate-ca ${command.name}: ${error.message}\n`);
    return error.exitCode;
  }
  if (isCaError(error)) {
    io.stderr.write(`smsgate-ca ${command.name}: refused (${error.reason}): ${error.message}\n`);
    return 1;
  }
  io.stderr.write(`smsgate-ca ${command.name}: ${(error as Error)?.message ?? String(error)}\n`);
  return 1;
}

function processIo(): CommandIo {
  return { stdout: process.stdout, stderr: process.stderr, env: process.env };
}
