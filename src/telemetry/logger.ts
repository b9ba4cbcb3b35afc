import { pino, type DestinationStream, type Logger } from 'pino';

export type { Logger } from 'pino';

/**
 * Field paths that must never reach a log line: private keys, CSR bodies, credentials. Code does not
 * log them on purpose; this is the net under that rule.
 */
const REDACTED_PATHS = [
  'privateKey',
  'privateKeyPem',
  'content',
  'csrPem',
  '*.privateKey',
  '*.privateKeyPem',
  '*.content',
  '*.csrPem',
  'req.headers.authorization',
  'req.headers.cookie',
];

export interface LoggerOptions {
  readonly level: string;
  /** Defaults to stdout. */
  readonly destination?: DestinationStream;
  readonly name?: string;
}

export function createLogger(options: LoggerOptions): Logger {
  return pino(
    {
      level: options.level,
      name: options.name ?? 'smsgate-ca',
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    options.destination ?? pino.destination({ dest: 1, sync: false }),
  );
}

/** A logger that drops everything, for tests and library use. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
