import type { CaLifecyclePolicy } from '../ca/index.js';
import { ConfigError } from './config-error.js';
import { formatDuration } from './duration.js';
import { duration } from './setting-parsers.js';
import { readSettings, switchKnob, valueKnob, type SettingsOf, type ValuesOf } from './settings-table.js';

const DAY_MS = 24 * 60 * 60 * 1000;

/** The operator's CA over its life: rollover, its last year, and how a new one may come to be. */
export const CA_SETTINGS = {
  rolloverFraction: valueKnob({
    flag: 'ca-rollover-at',
    valueName: 'SHARE',
    help: "make the next intermediate after this share of the active one's life (2/3, 67%, 0.67), and always more than a year + 30 days before its end",
    default: '2/3',
    parse: parseShare,
  }),
  shortLeavesNearExpiry: switchKnob({
    flag: 'short-leaves-near-ca-expiry',
    help: "in the signing intermediate's last year, issue certificates that end with it instead of refusing them (503)",
  }),
  warningMs: valueKnob({
    flag: 'ca-expiry-warning',
    valueName: 'DURATION',
    help: 'warn (log, /readyz) this long before a 365-day certificate stops fitting the signing intermediate',
    default: '2160h',
    parse: duration({ minMs: 0, maxMs: 3650 * DAY_MS }),
  }),
  checkIntervalMs: valueKnob({
    flag: 'ca-check-interval',
    valueName: 'DURATION',
    help: 'read the CA again this often (a rollover made elsewhere, a restored CA Secret) and roll over when due',
    default: '1m',
    parse: duration({ minMs: 1000, maxMs: DAY_MS }),
  }),
  bootstrap: switchKnob({
    flag: 'ca-bootstrap',
    help: 'create a new CA even though an earlier one evidently existed (issued certificates, a recorded root): every client must then trust the new root',
  }),
};

export type CaConfig = SettingsOf<typeof CA_SETTINGS> & { readonly lifecycle: CaLifecyclePolicy };

export function buildCaConfig(values: ValuesOf<typeof CA_SETTINGS> = {}): CaConfig {
  const knobs = readSettings(CA_SETTINGS, values);
  const lifecycle = Object.freeze({ rolloverFraction: knobs.rolloverFraction, shortLeavesNearExpiry: knobs.shortLeavesNearExpiry, warningMs: knobs.warningMs });
  return Object.freeze({ ...knobs, lifecycle });
}

export function describeCaConfig(config: CaConfig): Record<string, unknown> {
  return {
    rolloverAt: `${Math.round(config.rolloverFraction * 1000) / 10}% of the intermediate's life`,
    nearExpiry: config.shortLeavesNearExpiry ? 'short certificates' : 'refuse (503)',
    expiryWarning: formatDuration(config.warningMs),
    checkInterval: formatDuration(config.checkIntervalMs),
    bootstrap: config.bootstrap,
  };
}

/** A share of a lifetime, strictly between 0 and 1: a fraction "2/3", a percentage "67%" or a decimal "0.67". */
export function parseShare(text = '', flag: string): number {
  const trimmed = text.trim();
  const fraction = /^(\d+)\s*\/\s*(\d+)$/.exec(trimmed);
  const percent = /^(\d+(?:\.\d+)?)\s*%$/.exec(trimmed);
  const value = fraction ? Number(fraction[1]) / Number(fraction[2]) : percent ? Number(percent[1]) / 100 : /^0?\.\d+$/.test(trimmed) ? Number(trimmed) : NaN;
  if (!(value > 0 && value < 1)) throw new ConfigError(`${flag} must be a share of the intermediate's life between 0 and 1 (2/3, 67%, 0.67); got "${text}"`);
  return value;
}
