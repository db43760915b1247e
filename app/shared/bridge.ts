// What every bridge (Electron IPC, WebSocket) does at its boundary, so that both shells behave the same:
// validate a call, route it to core, turn any failure into HoldfastErrorData; check events before they leave.
import {
  events,
  HoldfastError,
  isCommandName,
  isEventName,
  parseCommandInput,
  parseNotification,
  type CommandResult,
  type EventName,
  type IClientConnection,
} from './contract';

/**
 * The Content-Security-Policy of the UI, the same in Electron and the web host: our own scripts only, no
 * remote code, connections to our own origin only (the WebSocket bridge). xterm.js writes <style> elements,
 * hence 'unsafe-inline' for styles only.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
  "object-src 'none'",
].join('; ');

/** Validates an untrusted call and runs it. Never throws: every failure comes back as `{ ok: false }`. */
export async function routeCall(client: Pick<IClientConnection, 'handle'>, name: unknown, input: unknown): Promise<CommandResult<unknown>> {
  try {
    if (!isCommandName(name)) {
      throw new HoldfastError({ code: 'VALIDATION', message: `Unknown command: ${String(name).slice(0, 100)}` });
    }
    const parsed = parseCommandInput(name, input);
    const value: unknown = await client.handle(name, parsed as never);
    return { ok: true, value };
  } catch (err) {
    return { ok: false, error: HoldfastError.from(err).toData() };
  }
}

/**
 * Validates an untrusted notification and delivers it: true if delivered, false if it did not fit its schema (it
 * is dropped: nobody waits for an answer). Never throws: a failure inside core is returned for the bridge to log.
 */
export function routeNotification(client: Pick<IClientConnection, 'notify'>, name: unknown, input: unknown): boolean | { failed: unknown } {
  const parsed = parseNotification(name, input);
  if (!parsed) return false;
  try {
    client.notify(parsed.name, parsed.input as never);
  } catch (err) {
    return { failed: err };
  }
  return true;
}

/** A pane id as a view may send it for a subscription. */
export function isPaneIdLike(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= 200;
}

/** Checks an event from core against its schema; undefined if it may not cross the bridge. */
export function checkEvent(name: unknown, payload: unknown): { name: EventName; payload: unknown } | undefined {
  if (!isEventName(name)) return undefined;
  const result = events[name].safeParse(payload);
  return result.success ? { name, payload: result.data } : undefined;
}
