import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/config/config-error.js';
import { parseConfigFile, type SettableFlag } from '../../../src/config/config-file.js';

const FLAGS: SettableFlag[] = [
  { name: 'listen', type: 'string' },
  { name: 'allowed-cidrs', type: 'string' },
  { name: 'acme-http01-port', type: 'string' },
  { name: 'insecure-http', type: 'boolean' },
];

describe('parseConfigFile', () => {
  it('reads YAML: strings, numbers, lists as comma lists, booleans', () => {
    const text = 'listen: 127.0.0.1:8443\nallowed-cidrs: [10.0.0.0/8, 192.168.0.0/16]\nacme-http01-port: 8080\ninsecure-http: true\n';
    expect(parseConfigFile(text, 'smsgate-ca.yaml', FLAGS)).toEqual({
      listen: '127.0.0.1:8443',
      'allowed-cidrs': '10.0.0.0/8,192.168.0.0/16',
      'acme-http01-port': '8080',
      'insecure-http': true,
    });
  });

  it('reads JSON too, and an empty file sets nothing', () => {
    expect(parseConfigFile('{"listen": "0.0.0.0:9443"}', 'c.json', FLAGS)).toEqual({ listen: '0.0.0.0:9443' });
    expect(parseConfigFile('', 'empty.yaml', FLAGS)).toEqual({});
  });

  it.each([
    ['listne: 127.0.0.1:1\n', /unknown setting "listne"/],
    ['insecure-http: "yes"\n', /"insecure-http" must be true or false/],
    ['listen: {host: a}\n', /"listen" must be a string/],
    ['- listen\n', /must be a mapping/],
    ['listen: a\nlisten: b\n', /not valid YAML/],
    ['listen: [unclosed\n', /not valid YAML/],
  ])('refuses %j', (text, message) => {
    expect(() => parseConfigFile(text, 'bad.yaml', FLAGS)).toThrowError(ConfigError);
    expect(() => parseConfigFile(text, 'bad.yaml', FLAGS)).toThrowError(message);
  });
});
