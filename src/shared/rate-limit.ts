/** At most `max` events per key (a client address, an account) within `periodMs`. */
export interface RateLimitSetting {
  readonly max: number;
  readonly periodMs: number;
}

/** The outcome of charging one event to a key; a refusal says when to try again (HTTP Retry-After). */
export type RateLimitDecision = { readonly allowed: true } | { readonly allowed: false; readonly retryAfterSeconds: number };
