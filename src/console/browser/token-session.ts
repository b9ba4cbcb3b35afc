/**
 * Where the admin token lives while the console is open: this tab's sessionStorage (gone when the tab
 * closes, never sent anywhere by the browser itself, never in a URL).
 */
const KEY = 'smsgate-ca.admin-token';

export function savedToken(): string | undefined {
  return sessionStorage.getItem(KEY) ?? undefined;
}

export function saveToken(token: string): void {
  sessionStorage.setItem(KEY, token);
}

export function forgetToken(): void {
  sessionStorage.removeItem(KEY);
}
