/** Untrusted text fit for a refusal message: non-printable characters as '?', at most 64 characters. */
export function displayText(text: string): string {
  const clean = text.replace(/[^\x20-\x7e]/g, '?');
  return clean.length > 64 ? `${clean.slice(0, 61)}...` : clean;
}
