// For leak tests: which timers are still pending, and where each was made. Wraps the global timer functions of the
// test's own process (call it before anything under test starts timers); a leak test that fails prints the list,
// so that a timer left behind names its maker instead of only counting up.

export interface TimerTrace {
  /** Every timer made since and not cleared or fired, as "timeout 15000ms at …" lines. */
  pending(): string[];
}

export function traceTimers(): TimerTrace {
  const live = new Map<unknown, string>();
  const where = () => (new Error().stack ?? '').split('\n').slice(3, 8).map((l) => l.trim()).join(' < ');
  const g = globalThis as unknown as Record<string, (...args: unknown[]) => unknown>;
  const { setTimeout: st, clearTimeout: ct, setInterval: si, clearInterval: ci } = g;
  g.setTimeout = (fn: unknown, ms?: unknown, ...args: unknown[]) => {
    const handle: unknown = st!((...a: unknown[]) => {
      live.delete(handle);
      (fn as (...x: unknown[]) => void)(...a);
    }, ms, ...args);
    live.set(handle, `timeout ${String(ms)}ms at ${where()}`);
    return handle;
  };
  g.clearTimeout = (handle: unknown) => {
    live.delete(handle);
    ct!(handle);
  };
  g.setInterval = (fn: unknown, ms?: unknown, ...args: unknown[]) => {
    const handle = si!(fn, ms, ...args);
    live.set(handle, `interval ${String(ms)}ms at ${where()}`);
    return handle;
  };
  g.clearInterval = (handle: unknown) => {
    live.delete(handle);
    ci!(handle);
  };
  return { pending: () => [...live.values()] };
}
