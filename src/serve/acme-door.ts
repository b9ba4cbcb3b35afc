import { createAcmeServer, type AcmeServer } from '../acme/acme-server.js';
import { acmeSettings } from '../acme/acme-settings.js';
import { clientAddress } from '../api/client-address.js';
import type { Clock, Ipv4RangeSet } from '../ca/index.js';
import type { ServeConfig } from '../config/serve-config.js';
import type { IssuanceService } from '../issuance/issuance-service.js';
import type { SqliteStore } from '../store/sqlite/sqlite-store.js';
import type { Logger } from '../telemetry/logger.js';

/** The ACME door (src/acme), configured from `--acme-*`; it issues through the same issuance service. */
export function acmeDoor(config: ServeConfig, parts: { store: SqliteStore; issuance: IssuanceService; clock: Clock; logger: Logger; allowedRanges: Ipv4RangeSet }): AcmeServer {
  const { acme } = config;
  if (acme.validationDelayMs > 0 || acme.chaosNonceRejectPercent > 0) {
    parts.logger.warn({ validationDelayMs: acme.validationDelayMs, nonceRejectPercent: acme.chaosNonceRejectPercent }, 'ACME hardening knobs are on');
  }
  return createAcmeServer({
    settings: acmeSettings(acme, parts.allowedRanges),
    store: parts.store.acme(),
    issuer: parts.issuance,
    clock: parts.clock,
    logger: parts.logger.child({ door: 'acme' }),
    requesterOf: (ctx) => clientAddress(ctx.socket.remoteAddress, ctx.get('x-forwarded-for'), config.trustedProxies),
  });
}
