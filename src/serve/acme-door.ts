import { createAcmeServer, type AcmeServer } from '../acme/acme-server.js';
import { acmeSettings } from '../acme/acme-settings.js';
import { clientAddress } from '../api/client-address.js';
import type { Clock, Ipv4RangeSet } from '../ca/index.js';
import type { ServeConfig } from '../config/serve-config.js';
import type { IssuanceService } from '../issuance/issuance-service.js';
import type { Logger } from '../telemetry/logger.js';
import type { AcmeState } from './cluster-parts.js';

/** The ACME door (src/acme), configured from `--acme-*`; it issues through the same issuance service. */
export function acmeDoor(config: ServeConfig, parts: { state: AcmeState; issuance: IssuanceService; clock: Clock; logger: Logger; allowedRanges: Ipv4RangeSet }): AcmeServer {
  const { acme } = config;
  if (acme.validationDelayMs > 0 || acme.chaosNonceRejectPercent > 0) {
    parts.logger.warn({ validationDelayMs: acme.validationDelayMs, nonceRejectPercent: acme.chaosNonceRejectPercent }, 'ACME hardening knobs are on');
  }
  return createAcmeServer({
    settings: acmeSettings(acme, parts.allowedRanges),
    store: parts.state.store,
    ...(parts.state.nonces ? { nonces: parts.state.nonces } : {}),
    sharedState: parts.state.shared,
    issuer: parts.issuance,
    clock: parts.clock,
    logger: parts.logger.child({ door: 'acme' }),
    requesterOf: (ctx) => clientAddress(ctx.socket.remoteAddress, ctx.get('x-forwarded-for'), config.trustedProxies),
  });
}
