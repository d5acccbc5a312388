/**
 * Polls `probe` until it returns a value other than undefined, and fails with "timed out waiting for
 * <what>" after `timeoutMs`: every wait in the tests has a deadline, so a broken run fails instead of
 * hanging. Shared by the unit tests and the integration suites (test/integration/extension.ts).
 */
export async function waitFor<T>(probe: () => T | undefined | Promise<T | undefined>, what: string, timeoutMs = 20_000, intervalMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
