import { byId } from './dom-builder.js';
import { REVOCATION_REASONS } from './wire-types.js';

/** The modal that asks why: a free-text reason to deny a request, an RFC 5280 reason to revoke. */
export interface ReasonQuestion {
  readonly kind: 'deny' | 'revoke';
  readonly title: string;
  readonly subject: string;
  readonly confirmLabel: string;
}

/** The reason given, or undefined when the administrator cancelled (button or Escape). */
export function askReason(question: ReasonQuestion): Promise<string | undefined> {
  const dialog = byId('reason-dialog', HTMLDialogElement);
  const form = byId('reason-form', HTMLFormElement);
  const denyReason = byId('deny-reason', HTMLTextAreaElement);
  const revokeReason = byId('revoke-reason', HTMLSelectElement);
  byId('reason-title', HTMLElement).textContent = question.title;
  byId('reason-subject', HTMLElement).textContent = question.subject;
  byId('reason-confirm', HTMLButtonElement).textContent = question.confirmLabel;
  byId('deny-fields', HTMLElement).hidden = question.kind !== 'deny';
  byId('revoke-fields', HTMLElement).hidden = question.kind !== 'revoke';
  denyReason.required = question.kind === 'deny';
  denyReason.value = '';
  revokeReason.value = 'unspecified';
  return new Promise((resolve) => {
    const finish = (answer: string | undefined) => {
      form.removeEventListener('submit', onSubmit);
      dialog.removeEventListener('close', onClose);
      resolve(answer);
    };
    const onSubmit = (event: SubmitEvent) => {
      event.preventDefault();
      const answer = question.kind === 'deny' ? denyReason.value.trim() : revokeReason.value;
      if (!answer) return;
      finish(answer);
      dialog.close();
    };
    const onClose = () => finish(undefined);
    form.addEventListener('submit', onSubmit);
    dialog.addEventListener('close', onClose);
    dialog.showModal();
    (question.kind === 'deny' ? denyReason : revokeReason).focus();
  });
}

/** Fills the revocation reason list once, from the names the admin API accepts. */
export function prepareReasonDialog(): void {
  const dialog = byId('reason-dialog', HTMLDialogElement);
  byId('revoke-reason', HTMLSelectElement).replaceChildren(...REVOCATION_REASONS.map((reason) => new Option(reason, reason)));
  byId('reason-cancel', HTMLButtonElement).addEventListener('click', () => dialog.close());
}
