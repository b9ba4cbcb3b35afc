/** A setting that cannot be used; the message names the setting and what is accepted. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}
