import { Ipv4RangeSet } from '../ca/index.js';
import { SERVE_SETTINGS } from '../config/serve-config.js';
import { flagOf } from '../config/settings-table.js';
import type { FlagSpec, FlagValues } from './command.js';
import { UsageError } from './command.js';
import { optionalString } from './flags.js';

/** `serve`'s knob, for the commands that work on a data directory without serving it. */
export const DATA_DIR_FLAG: FlagSpec = { ...flagOf(SERVE_SETTINGS.dataDir), description: 'directory holding the CA (DIR/ca/) and the store' };

export const ALLOWED_CIDRS_FLAG: FlagSpec = flagOf(SERVE_SETTINGS.allowedRanges);

/** The given ranges, or the default private ones (what `init` creates a CA for). */
export function allowedRangesFrom(flags: FlagValues): Ipv4RangeSet {
  return givenAllowedRanges(flags) ?? Ipv4RangeSet.defaults;
}

/** The given ranges; undefined means the ranges the existing CA was created for. */
export function givenAllowedRanges(flags: FlagValues): Ipv4RangeSet | undefined {
  const given = optionalString(flags, 'allowed-cidrs');
  return given === undefined ? undefined : Ipv4RangeSet.parse(given);
}

export function oneOf<T extends string>(value: string | undefined, allowed: readonly T[], flag: string): T {
  if (value !== undefined && (allowed as readonly string[]).includes(value)) return value as T;
  throw new UsageError(`--${flag} must be one of ${allowed.join(', ')}; got "${value ?? ''}"`);
}
