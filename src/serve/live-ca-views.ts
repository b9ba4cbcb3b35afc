import type { TrustBundle } from '../api/ca-routes.js';
import type { CrlSource } from '../api/crl-routes.js';
import type { ServeConfig } from '../config/serve-config.js';
import type { Clock } from '../ca/index.js';
import type { OperatorCa } from '../controller/issuers/signing-ca.js';
import { HttpError } from '../http/http-error.js';
import type { IssuanceService } from '../issuance/issuance-service.js';
import type { LoadedCa } from '../keystore/ca-directory.js';
import type { CrlNumberSequence } from '../store/interfaces.js';
import type { Logger } from '../telemetry/logger.js';
import type { Ledger, OpenedCa } from './cluster-parts.js';
import { LiveCa } from './live-ca.js';

/** The live CA as each consumer sees it: the issuance signer, /readyz, the controller, /api/v1/ca and /crl. */
export function liveCa(config: ServeConfig, opened: OpenedCa, parts: { ledger: Ledger; crlNumbers: CrlNumberSequence; clock: Clock; logger: Logger }): LiveCa {
  const options = { policy: config.ca.lifecycle, checkIntervalMs: config.ca.checkIntervalMs, crlUrl: config.crl.url, crlValidityMs: config.crl.validityMs, ...parts };
  return new LiveCa(options, opened.loaded, opened.missing);
}

/** /readyz for the CA: not ready without a CA that can sign now; ready with a warning when it soon will not. */
export function caReadiness(live: LiveCa): void | { warning: string } {
  const outlook = live.outlook();
  if (!outlook) throw new Error(`no signing CA: ${live.missingReason ?? 'not loaded'}`);
  if (outlook.state === 'unusable') throw new Error(outlook.message);
  if (outlook.state !== 'ok' || (outlook.rolloverDue && !live.loaded?.rootKey)) return { warning: outlook.message };
  return undefined;
}

/** The operator's CA for the controller: the live one, whichever intermediate is active. */
export function operatorCaOf(live: LiveCa, issuer: IssuanceService): OperatorCa {
  return {
    issuer,
    current: () => {
      const loaded = live.loaded;
      if (!loaded) return { usable: false, reason: 'CANotFound', message: live.missingReason ?? 'the CA is not loaded' };
      const outlook = live.outlook();
      if (outlook?.state === 'unusable') return { usable: false, reason: 'CANotUsable', message: outlook.message, material: loaded.material };
      return { usable: true, material: loaded.material, former: loaded.hierarchy.former };
    },
  };
}

/** GET /api/v1/ca follows the active intermediate. */
export function trustBundleOf(live: LiveCa): TrustBundle {
  const loaded = (): LoadedCa => {
    if (!live.loaded) throw new HttpError(503, `no CA: ${live.missingReason ?? 'not loaded'}`, { 'Retry-After': '60' });
    return live.loaded;
  };
  return {
    get rootPem() {
      return loaded().rootCertificatePem;
    },
    get chainPem() {
      return loaded().material.chainPem;
    },
  };
}

/** /crl: the active intermediate's CRL; /crl/<key id>: any loaded intermediate's. */
export function crlSourceOf(live: LiveCa): CrlSource {
  return {
    current: async () => {
      const crl = await live.currentCrl();
      if (!crl) throw new HttpError(503, `no CRL: there is no CA (${live.missingReason ?? 'not loaded'})`, { 'Retry-After': '60' });
      return crl;
    },
    ofIssuer: (keyIdentifier) => live.crlOf(keyIdentifier),
  };
}
