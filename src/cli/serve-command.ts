import { basename, isAbsolute, relative } from 'node:path';
import { ConfigError } from '../config/config-error.js';
import { buildServeConfig, SERVE_TABLES } from '../config/serve-config.js';
import { flagsOf } from '../config/settings-table.js';
import { UsageError, type Command } from './command.js';
import { serveBanner } from './serve-banner.js';

export const serveCommand: Command = {
  name: 'serve',
  summary: 'run the CA server: SMSGate-compatible REST API on HTTPS (creates the CA on first start)',
  usage: 'smsgate-ca serve [--data-dir DIR] [--listen HOST:PORT] [--rate-limit N/PERIOD] [flags]',
  flags: SERVE_TABLES.flatMap(flagsOf),
  async run(flags, _positionals, io) {
    let config;
    try {
      config = buildServeConfig(flags);
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
