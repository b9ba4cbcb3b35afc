import { formatShortDuration, parseGoDuration } from '../shared/duration.js';
import { ConfigError } from './config-error.js';

/** A Go duration such as "500ms", "30s", "1m", "1h" or "1h30m", around which blanks are ignored. */
export function parseDuration(text: string, what: string): number {
  const ms = parseGoDuration(text.trim());
  if (ms === undefined) throw new ConfigError(`${what} "${text}" is not a duration such as 30s, 1m or 1h`);
  return ms;
}

export const formatDuration = formatShortDuration;
