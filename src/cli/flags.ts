import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { type FileSettings, parseConfigFile } from '../config/config-file.js';
import { type Command, type FlagSpec, type FlagValues, UsageError } from './command.js';

/** Every command takes a settings file; its keys are the command's flag names. */
export const CONFIG_FLAG: FlagSpec = {
  name: 'config',
  type: 'string',
  valueName: 'FILE',
  description: 'read settings from this YAML or JSON file (keys are the flag names, e.g. "listen: 127.0.0.1:8443")',
  env: 'SMSGATE_CA_CONFIG',
};

/** The environment variables a flag falls back to, in the order they are tried. */
export function envNames(flag: FlagSpec): readonly string[] {
  if (flag.env === false) return [];
  if (flag.env === undefined) return [`SMSGATE_CA_${flag.name.toUpperCase().replaceAll('-', '_')}`];
  return typeof flag.env === 'string' ? [flag.env] : flag.env;
}

/** Flags win over environment variables, which win over the --config file, which wins over defaults. */
export function parseFlags(
  command: Command,
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
): { flags: FlagValues; positionals: string[] } {
  const options = Object.fromEntries(
    [...command.flags, CONFIG_FLAG].map((flag) => [flag.name, { type: flag.type, ...(flag.short ? { short: flag.short } : {}), ...(flag.multiple ? { multiple: true } : {}) }]),
  );
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(`${argumentProblem(error as Error)} (see smsgate-ca ${command.name} --help)`);
  }
  const configPath = (parsed.values['config'] as string | undefined) ?? fromEnv(CONFIG_FLAG, env);
  const fromFile = typeof configPath === 'string' ? readConfigFile(configPath, command) : {};
  const flags: Record<string, string | boolean | undefined> = {};
  for (const flag of command.flags) {
    flags[flag.name] = commaList(parsed.values[flag.name]) ?? fromEnv(flag, env) ?? fromFile[flag.name] ?? flag.default;
  }
  checkPositionals(command, parsed.positionals);
  return { flags, positionals: parsed.positionals };
}

/** A repeated flag's values as the one comma list the environment and the config file give too. */
function commaList(value: string | boolean | Array<string | boolean> | undefined): string | boolean | undefined {
  return Array.isArray(value) ? value.join(',') : value;
}

function readConfigFile(path: string, command: Command): FileSettings {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read the configuration file ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  try {
    return parseConfigFile(text, path, command.flags);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

/** parseArgs' complaint in a few words: "unknown option --x", "option --listen needs a value". */
function argumentProblem(error: Error): string {
  const option = /'(-{1,2}[^' ]+)/.exec(error.message)?.[1];
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && option) return `unknown option ${option}`;
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && option) {
    return /argument missing/.test(error.message) ? `option ${option} needs a value` : `option ${option} takes no value`;
  }
  return error.message.split('\n')[0]!;
}

function fromEnv(flag: FlagSpec, env: NodeJS.ProcessEnv): string | boolean | undefined {
  const name = envNames(flag).find((candidate) => env[candidate] !== undefined && env[candidate] !== '');
  const value = name ? env[name] : undefined;
  if (value === undefined) return undefined;
  if (flag.type === 'string') return value;
  if (/^(1|true|yes|on)$/i.test(value)) return true;
  if (/^(0|false|no|off)$/i.test(value)) return false;
  throw new UsageError(`environment variable ${name} must be true or false, got "${value}"`);
}

function checkPositionals(command: Command, positionals: readonly string[]): void {
  const { min, max, names } = command.positionals ?? { min: 0, max: 0, names: '' };
  if (positionals.length < min) throw new UsageError(`missing argument ${names} (usage: ${command.usage})`);
  if (positionals.length > max) throw new UsageError(`unexpected argument "${positionals[max]}" (usage: ${command.usage})`);
}

export function requireString(flags: FlagValues, name: string): string {
  const value = flags[name];
  if (typeof value !== 'string' || value === '') throw new UsageError(`--${name} is required`);
  return value;
}

export function optionalString(flags: FlagValues, name: string): string | undefined {
  const value = flags[name];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

export function formatHelp(command: Command): string {
  const lines = [`${command.summary}`, '', `Usage: ${command.usage}`];
  if (command.aliases?.length) lines.push(`Aliases: ${command.aliases.join(', ')}`);
  lines.push('', 'Flags:');
  const rows = [...command.flags, CONFIG_FLAG, { name: 'help', short: 'h', type: 'boolean', description: 'show this help', env: false } as FlagSpec];
  const heads = rows.map((flag) => `${flag.short ? `-${flag.short}, ` : '    '}--${flag.name}${flag.type === 'string' ? ` ${flag.valueName ?? 'VALUE'}` : ''}`);
  const width = Math.max(...heads.map((head) => head.length)) + 2;
  rows.forEach((flag, index) => {
    const extras = [flag.multiple ? 'repeatable, or a comma list' : '', flag.default !== undefined ? `default ${flag.default}` : '', envNames(flag).length ? `env ${envNames(flag).join(', ')}` : '']
      .filter(Boolean)
      .join('; ');
    lines.push(`  ${heads[index]!.padEnd(width)}${flag.description}${extras ? ` (${extras})` : ''}`);
  });
  return `${lines.join('\n')}\n`;
}
