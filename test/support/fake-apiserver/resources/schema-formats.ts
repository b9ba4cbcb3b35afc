import { isIP } from 'node:net';
import { parseGoDuration } from '../cel/cel-values.js';

/**
 * The string formats kube-apiserver validates in custom resources (apiextensions formats.go over
 * kube-openapi strfmt), by normalized name (dashes removed, as go-openapi does). A format not in
 * this table is ignored, as the API server strips unknown formats. `int32`/`int64`/`float`/`double`
 * are accepted and never range-checked, as there.
 */
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=|[A-Za-z0-9+/]{4})$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIME = /^([0-9]{2}):([0-9]{2}):([0-9]{2})(.[0-9]+)?(z|([+-][0-9]{2}:[0-9]{2}))$/;
const UUID = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;
const HOSTNAME = /^([a-zA-Z0-9\p{S}\p{L}]((-?[a-zA-Z0-9\p{S}\p{L}]{0,62})?)|([a-zA-Z0-9\p{S}\p{L}](([a-zA-Z0-9\-\p{S}\p{L}]{0,61}[a-zA-Z0-9\p{S}\p{L}])?)(\.)){1,}([a-zA-Z\p{L}]){2,63})$/u;
const MAC = /^(?:[0-9a-fA-F]{2}(?:[:-][0-9a-fA-F]{2}){5}|[0-9a-fA-F]{2}(?:[:-][0-9a-fA-F]{2}){7}|[0-9a-fA-F]{2}(?:[:-][0-9a-fA-F]{2}){19}|(?:[0-9a-fA-F]{4}\.){2}[0-9a-fA-F]{4}|(?:[0-9a-fA-F]{4}\.){3}[0-9a-fA-F]{4}|(?:[0-9a-fA-F]{4}\.){9}[0-9a-fA-F]{4})$/;
const SHORT_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const LONG_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

function isDate(text: string): boolean {
  const match = DATE.exec(text);
  if (match === null) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/** strfmt.IsDateTime: a full date, a `t` (any case), a time with seconds and a zone. */
function isDateTime(text: string): boolean {
  if (text.length < 4) return false;
  const parts = text.toLowerCase().split('t');
  if (parts.length < 2 || !isDate(parts[0]!)) return false;
  const match = TIME.exec(parts[1]!);
  return match !== null && match[1]! <= '23' && match[2]! <= '59' && match[3]! <= '59';
}

/** strfmt.ParseDuration: Go durations, else `<n> <unit>` groups with long unit names (2 days, 1 week). */
function isDuration(text: string): boolean {
  if (parseGoDuration(text) !== undefined) return true;
  const units = [['ns', 'nano'], ['us', 'µs', 'micro'], ['ms', 'milli'], ['s', 'sec'], ['m', 'min'], ['h', 'hr', 'hour'], ['d', 'day'], ['w', 'wk', 'week']];
  return [...text.matchAll(/(\d+)\s*([A-Za-zµ]+)/g)].some(([, , unit = '']) => {
    const lower = unit.toLowerCase();
    return units.some((variants) => variants.some((variant, i) => (i === variants.length - 1 && lower.startsWith(variant)) || variant === lower));
  });
}

function isCidr(text: string): boolean {
  const [address = '', bits, extra] = text.split('/');
  if (bits === undefined || extra !== undefined || !/^[0-9]+$/.test(bits)) return false;
  const family = isIP(address.replace(/(^|\.)0+(?=\d)/g, '$1'));
  return family !== 0 && Number(bits) <= (family === 4 ? 32 : 128);
}

function isEmail(text: string): boolean {
  const match = /^(?:"[^"]*"|[^\s@<>()[\],;:"]+)@([^\s@<>()[\],;:"]+)$/.exec(text.trim().replace(/^.*<(.+)>$/, '$1'));
  return match !== null;
}

function isUri(text: string): boolean {
  if (text === '' || /\s/.test(text)) return false;
  try {
    const url = new URL(text);
    return url.protocol !== '';
  } catch {
    return text.startsWith('/');
  }
}

const VALIDATORS: Readonly<Record<string, (text: string) => boolean>> = {
  byte: (t) => BASE64.test(t),
  date: isDate,
  datetime: isDateTime,
  duration: isDuration,
  ipv4: (t) => isIP(t.replace(/(^|\.)0+(?=\d)/g, '$1')) === 4,
  ipv6: (t) => isIP(t) === 6,
  cidr: isCidr,
  uuid: (t) => UUID.test(t),
  uuid3: (t) => UUID.test(t) && /^[0-9a-f]{8}-?[0-9a-f]{4}-?3/i.test(t),
  uuid4: (t) => UUID.test(t) && /^[0-9a-f]{8}-?[0-9a-f]{4}-?4[0-9a-f]{3}-?[89ab]/i.test(t),
  uuid5: (t) => UUID.test(t) && /^[0-9a-f]{8}-?[0-9a-f]{4}-?5[0-9a-f]{3}-?[89ab]/i.test(t),
  hostname: (t) => HOSTNAME.test(t),
  email: isEmail,
  uri: isUri,
  mac: (t) => MAC.test(t),
  hexcolor: (t) => /^#?([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$/.test(t),
  rgbcolor: (t) => /^rgb\(\s*(0|[1-9]\d?|1\d\d?|2[0-4]\d|25[0-5])\s*,\s*(0|[1-9]\d?|1\d\d?|2[0-4]\d|25[0-5])\s*,\s*(0|[1-9]\d?|1\d\d?|2[0-4]\d|25[0-5])\s*\)$/.test(t),
  bsonobjectid: (t) => /^[0-9a-fA-F]{24}$/.test(t),
  ssn: (t) => /^\d{3}[- ]?\d{2}[- ]?\d{4}$/.test(t),
  password: () => true,
  k8sshortname: (t) => t.length <= 63 && SHORT_NAME.test(t),
  k8slongname: (t) => t.length <= 253 && LONG_NAME.test(t),
};

/** The format's validator, or undefined when the API server does not check that format. */
export function formatValidator(format: string): ((text: string) => boolean) | undefined {
  return VALIDATORS[format.replaceAll('-', '')];
}
