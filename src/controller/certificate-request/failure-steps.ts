import type { CertificateRequest } from '../../custom-resources/crd-types.js';
import type { RequestSteps } from '../request-reconcile.js';
import { DONE } from '../runtime/reconcile-outcome.js';
import { involved, writeStatusQuietly, type CertificateRequestContext } from './certificate-request-context.js';
import { failedStatus } from './certificate-status.js';

/**
 * What both request flows do with a passing failure: Ready=False/Pending and a RetryableError
 * Event while retrying, Ready=False/Failed and a Failed Event once the retry duration has passed.
 */
export function failureSteps(context: CertificateRequestContext, cr: CertificateRequest): Pick<RequestSteps<unknown>, 'retrying' | 'giveUp'> {
  return {
    retrying: async (failure) => {
      await writeStatusQuietly(context, cr, failedStatus(cr, 'Pending', failure.message, context.clock.now()));
      context.events.record(involved(cr), 'Warning', 'RetryableError', failure.message);
    },
    giveUp: async (failure) => {
      await writeStatusQuietly(context, cr, failedStatus(cr, 'Failed', failure.message, context.clock.now()));
      context.events.record(involved(cr), 'Warning', 'Failed', failure.message);
      return DONE;
    },
  };
}
