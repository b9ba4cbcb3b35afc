import { createRequire } from 'node:module';
import type * as Yaml from 'yaml';
import { ConfigError } from './config-error.js';

/** What a configuration file may set: the command's flags, by their long names. */
export interface SettableFlag {
  readonly name: string;
  readonly type: 'string' | 'boolean';
}

const load = createRequire(import.meta.url);

/** The YAML parser, loaded only when a configuration file is read (it weighs a few MiB). */
function yaml(): typeof Yaml {
  return load('yaml') as typeof Yaml;
}

export type FileSettings = Readonly<Record<string, string | boolean>>;

/**
 * Reads a YAML (or JSON) mapping of flag names to values, e.g. `listen: 0.0.0.0:8443` or
 * `allowed-cidrs: [10.0.0.0/8, 192.168.0.0/16]`. Unknown keys are refused so typos fail loudly;
 * lists become the comma lists the flags take.
 */
export function parseConfigFile(text: string, source: string, flags: readonly SettableFlag[]): FileSettings {
  const document = parseYaml(text, source);
  if (document === null || document === undefined) return {};
  if (typeof document !== 'object' || Array.isArray(document)) {
    throw new ConfigError(`${source}: a configuration file must be a mapping of flag names to values`);
  }
  const known = new Map(flags.map((flag) => [flag.name, flag]));
  const settings: Record<string, string | boolean> = {};
  for (const [key, value] of Object.entries(document as Record<string, unknown>)) {
    const flag = known.get(key);
    if (!flag) throw new ConfigError(`${source}: unknown setting "${key}"; settings are the command's flag names (${[...known.keys()].join(', ')})`);
    settings[key] = flag.type === 'boolean' ? booleanValue(value, key, source) : stringValue(value, key, source);
  }
  return settings;
}

function parseYaml(text: string, source: string): unknown {
  try {
    return yaml().parse(text, { prettyErrors: false, uniqueKeys: true });
  } catch (error) {
    throw new ConfigError(`${source}: not valid YAML or JSON (${(error as Error).message.split('\n')[0]})`);
  }
}

function booleanValue(value: unknown, key: string, source: string): boolean {
  if (typeof value === 'boolean') return value;
  throw new ConfigError(`${source}: "${key}" must be true or false`);
}

function stringValue(value: unknown, key: string, source: string): string {
  if (typeof value === 'string' || typeof value === 'number') return String(value);
  if (Array.isArray(value) && value.every((item) => typeof item === 'string' || typeof item === 'number')) return value.join(',');
  throw new ConfigError(`${source}: "${key}" must be a string, a number or a list of them`);
}
