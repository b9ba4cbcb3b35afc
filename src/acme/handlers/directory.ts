import type { AcmeHandler } from '../acme-context.js';
import type { DirectoryJson } from '../wire-types.js';

/** RFC 8555 §7.1.1. */
export const getDirectory: AcmeHandler = async ({ settings }, { links }) => {
  const body: DirectoryJson = {
    newNonce: links.newNonce,
    newAccount: links.newAccount,
    newOrder: links.newOrder,
    revokeCert: links.revokeCert,
    keyChange: links.keyChange,
    renewalInfo: links.renewalInfo,
    meta: {
      ...(settings.termsOfService ? { termsOfService: settings.termsOfService } : {}),
      ...(settings.website ? { website: settings.website } : {}),
      externalAccountRequired: settings.eabRequired,
    },
  };
  return { status: 200, body };
};

/** RFC 8555 §7.2: HEAD answers 200, GET 204; the nonce itself rides on every response. */
export const headNewNonce: AcmeHandler = async () => ({ status: 200 });
export const getNewNonce: AcmeHandler = async () => ({ status: 204 });
