/**
 * Polls `probe` until it returns a value (anything but undefined; `false` counts as not yet) and
 * returns it; fails after `timeoutMs` naming what it waited for. The one waiting helper of the
 * suites: no test asserts on time, it only waits for a state.
 */
export async function eventually<T>(probe: () => T | undefined | false | Promise<T | undefined | false>, what: string, timeoutMs = 30_000, intervalMs = 25): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
