import { basename, isAbsolute, relative } from 'node:path';
import { buildServeConfig, LOG_LEVELS, SERVE_DEFAULTS } from '../config/serve-config.js';
import { ConfigError } from '../config/config-error.js';
import { CRL_CONFIG_DEFAULTS } from '../config/crl-config.js';
import { KEY_ALGORITHMS } from '../ca/index.js';
import { UsageError, type Command } from './command.js';
import { ACME_SERVE_FLAGS, acmeSettingsFrom } from './acme-flags.js';
import { KUBERNETES_SERVE_FLAGS, kubernetesSettingsFrom } from './kubernetes-flags.js';
import { ALLOWED_CIDRS_FLAG, DATA_DIR_FLAG } from './common-flags.js';
import { optionalString } from './flags.js';
import { serveBanner } from './serve-banner.js';

export const serveCommand: Command = {
  name: 'serve',
  summary: 'run the CA server: SMSGate-compatible REST API on HTTPS (creates the CA on first start)',
  usage: 'smsgate-ca serve [--data-dir DIR] [--listen HOST:PORT] [--rate-limit N/PERIOD] [flags]',
  flags: [
    { ...DATA_DIR_FLAG, description: `${DATA_DIR_FLAG.description}; a CA is created there on first start` },
    { name: 'listen', type: 'string', valueName: 'HOST:PORT', description: 'address to listen on (port 0 picks a free port)', default: SERVE_DEFAULTS.listen },
    ALLOWED_CIDRS_FLAG,
    { name: 'key-algorithm', type: 'string', valueName: 'ALG', description: `key type of a CA created on first start: ${KEY_ALGORITHMS.join(', ')}`, default: SERVE_DEFAULTS.keyAlgorithm },
    { name: 'rate-limit', type: 'string', valueName: 'N/PERIOD', description: 'CSR submissions per client address, e.g. 1/1m; 0 disables', default: SERVE_DEFAULTS.rateLimit },
    { name: 'trusted-proxies', type: 'string', valueName: 'CIDRS', description: 'proxies whose X-Forwarded-For names the client (comma list)' },
    { name: 'tls-cert', type: 'string', valueName: 'FILE', description: 'serve this certificate chain (PEM) instead of one generated from the CA root' },
    { name: 'tls-key', type: 'string', valueName: 'FILE', description: 'private key of --tls-cert (mode 0600)' },
    { name: 'insecure-http', type: 'boolean', description: 'serve plain HTTP, for use behind a TLS-terminating proxy' },
    { name: 'sign-delay', type: 'string', valueName: 'DURATION', description: 'keep each REST request pending at least this long before signing', default: SERVE_DEFAULTS.signDelay },
    { name: 'log-level', type: 'string', valueName: 'LEVEL', description: `log level: ${LOG_LEVELS.join(', ')}`, default: SERVE_DEFAULTS.logLevel },
    { name: 'crl-url', type: 'string', valueName: 'URL', description: 'http:// URL where relying parties fetch GET /crl; every new leaf then names it as its CRL Distribution Point' },
    { name: 'crl-listen', type: 'string', valueName: 'HOST:PORT', description: 'also serve GET /crl and /crl.pem over plain HTTP here, for the --crl-url relying parties fetch' },
    { name: 'crl-validity', type: 'string', valueName: 'DURATION', description: "time from a CRL's thisUpdate to its nextUpdate (it is re-signed after half of it, and on each revocation)", default: CRL_CONFIG_DEFAULTS.crlValidity },
    ...ACME_SERVE_FLAGS,
    ...KUBERNETES_SERVE_FLAGS,
  ],
  async run(flags, _positionals, io) {
    let config;
    try {
      config = buildServeConfig({
        dataDir: optionalString(flags, 'data-dir'),
        listen: optionalString(flags, 'listen'),
        allowedCidrs: optionalString(flags, 'allowed-cidrs'),
        keyAlgorithm: optionalString(flags, 'key-algorithm'),
        rateLimit: optionalString(flags, 'rate-limit'),
        trustedProxies: optionalString(flags, 'trusted-proxies'),
        tlsCert: optionalString(flags, 'tls-cert'),
        tlsKey: optionalString(flags, 'tls-key'),
        insecureHttp: flags['insecure-http'] === true,
        signDelay: optionalString(flags, 'sign-delay'),
        logLevel: optionalString(flags, 'log-level'),
        crlUrl: optionalString(flags, 'crl-url'),
        crlValidity: optionalString(flags, 'crl-validity'),
        crlListen: optionalString(flags, 'crl-listen'),
        acme: acmeSettingsFrom(flags),
        kubernetes: kubernetesSettingsFrom(flags),
      });
    } catch (error) {
      if (error instanceof ConfigError) throw new UsageError(error.message);
      throw error;
    }
    // The server's modules load only for `serve`, so the other commands start quickly.
    const { serveUntilSignal } = await import('../serve/server.js');
    const cwd = io.cwd ?? process.cwd();
    return serveUntilSignal(config, (running) => {
      io.stdout.write(`listening on ${running.url}\n`);
      io.stdout.write(serveBanner({ running, invocation: invocationOf(process.argv[1], cwd), cwd }));
    });
  },
};

/** How to run this program again from the working directory: `node bin/smsgate-ca.js` in a checkout, else `smsgate-ca`. */
function invocationOf(script: string | undefined, cwd: string): string {
  if (!script || basename(script) !== 'smsgate-ca.js') return 'smsgate-ca';
  const path = relative(cwd, script);
  return path.startsWith('..') || isAbsolute(path) ? 'smsgate-ca' : `node ${path}`;
}
