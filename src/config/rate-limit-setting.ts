import { ConfigError } from './config-error.js';
import { parseDuration } from './duration.js';

import type { RateLimitSetting } from '../shared/rate-limit.js';

export type { RateLimitSetting };

/** "N/PERIOD" such as "1/1m" or "10/30s"; "0" or "off" disables limiting (undefined). */
export function parseRateLimit(text: string): RateLimitSetting | undefined {
  const trimmed = text.trim();
  if (trimmed === '0' || trimmed === 'off') return undefined;
  const match = /^(\d{1,9})\/(.+)$/.exec(trimmed);
  if (!match) {
    throw new ConfigError(`rate limit "${text}" must look like N/PERIOD (e.g. 1/1m), or 0 to disable`);
  }
  const max = Number(match[1]);
  const periodMs = parseDuration(match[2]!, 'rate-limit period');
  if (max === 0) return undefined;
  if (periodMs < 1) throw new ConfigError(`rate limit "${text}" needs a period of at least 1ms`);
  return { max, periodMs };
}
