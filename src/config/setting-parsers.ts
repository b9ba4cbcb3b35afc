import { isCaError } from '../ca/index.js';
import { ConfigError } from './config-error.js';
import { parseDuration } from './duration.js';

/** The parsers settings tables use; each names the flag in its refusal. */
export type TextParser<T> = (text: string | undefined, flag: string) => T;

/** The text as given; undefined when empty or absent. */
export const optionalText: TextParser<string | undefined> = (text) => (text === undefined || text === '' ? undefined : text);

/** A whole number from `min` to `max`. */
export function wholeNumber(min: number, max: number): TextParser<number> {
  return (text = '', flag) => {
    if (!/^\d{1,6}$/.test(text.trim())) throw new ConfigError(`${flag} must be a whole number from ${min} to ${max}; got "${text}"`);
    return bounded(Number(text), flag, min, max);
  };
}

/** true/yes/on/1 or false/no/off/0, any case. */
export const booleanWord: TextParser<boolean> = (text = '', flag) => {
  if (/^(true|yes|on|1)$/i.test(text.trim())) return true;
  if (/^(false|no|off|0)$/i.test(text.trim())) return false;
  throw new ConfigError(`${flag} must be true or false; got "${text}"`);
};

/** A Go duration in milliseconds, optionally from `minMs` to `maxMs`. */
export function duration(limits: { minMs?: number; maxMs?: number } = {}): TextParser<number> {
  return (text = '', flag) => {
    const ms = parseDuration(text, flag);
    return limits.minMs === undefined && limits.maxMs === undefined ? ms : bounded(ms, flag, limits.minMs ?? 0, limits.maxMs ?? Number.MAX_SAFE_INTEGER);
  };
}

/** An http(s) URL, or undefined when not given. */
export const optionalHttpUrl: TextParser<string | undefined> = (text, flag) => {
  if (text === undefined || text === '') return undefined;
  if (!/^https?:\/\/\S+$/.test(text)) throw new ConfigError(`${flag} must be an http(s) URL; got "${text}"`);
  return text;
};

/** One of `allowed`. */
export function oneOf<T extends string>(allowed: readonly T[]): TextParser<T> {
  return (text, flag) => {
    const found = allowed.find((candidate) => candidate === text);
    if (found === undefined) throw new ConfigError(`${flag} must be one of ${allowed.join(', ')}; got "${text ?? ''}"`);
    return found;
  };
}

/** A parser of the core, whose CaError becomes a ConfigError naming the flag. */
export function fromCore<T>(parse: (text: string) => T): (text: string, flag: string) => T {
  return (text, flag) => {
    try {
      return parse(text);
    } catch (error) {
      if (isCaError(error)) throw new ConfigError(`${flag}: ${error.message}`);
      throw error;
    }
  };
}

function bounded(value: number, flag: string, min: number, max: number): number {
  if (value < min || value > max) throw new ConfigError(`${flag} must be from ${min} to ${max}; got ${value}`);
  return value;
}
