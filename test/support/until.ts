// Waiting for a condition in tests: poll until the probe gives a value, or fail naming what did not
// happen. Imports nothing, so every test tier and the emulator package's tests share it (the
// emulator's tests may import test/support/ and nothing else outside their package).

/**
 * Calls `probe` every `intervalMs` until it returns something other than undefined or false, and
 * resolves with that; rejects with "gave up waiting for <what>" after `timeoutMs`.
 */
export async function until<T>(
  what: string, probe: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 20_000, intervalMs = 50,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) {
      return value;
    }
    if (Date.now() > deadline) {
      throw new Error(`gave up waiting for ${what}`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
