// Waiting in tests: for a condition, never for a fixed time. A bound is only there so that a test that can never
// pass ends with a message saying what it waited for; reaching it is a failure, never a way to carry on.

/** Resolves with the first truthy value of `fn` (which may be async); throws once `timeoutMs` passed without one. */
export async function waitFor<T>(fn: () => T | undefined | false | null | Promise<T | undefined | false | null>, what: string, timeoutMs = 20_000): Promise<T> {
  const started = Date.now();
  let lastError: unknown;
  for (;;) {
    try {
      const value = await fn();
      if (value) return value;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() - started > timeoutMs) {
      throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}${lastError ? `: ${String(lastError)}` : ''}`);
    }
    await new Promise((r) => setTimeout(r, 25));
  }
}
