/** The logging the kube adapter needs; a pino Logger fits (kube/ imports nothing internal). */
export interface KubeLog {
  debug(fields: object, message: string): void;
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

export const silentKubeLog: KubeLog = { debug() {}, info() {}, warn() {}, error() {} };
