// Turns what Node's sockets and ssh2 report into HoldfastErrors whose code the UI and the supervisor act on,
// with a message that names the host the user tried to reach.
import { HoldfastError } from '../../shared/contract';

export interface ErrorTarget {
  host: string;
  port: number;
  user?: string;
}

export function describeTarget(target: ErrorTarget): string {
  const host = target.host.includes(':') ? `[${target.host}]` : target.host;
  return `${host}:${target.port}`;
}

/** Maps a socket/ssh2 error seen while connecting (or on a jump host's direct-tcpip channel) to a HoldfastError. */
export function mapConnectError(err: unknown, target: ErrorTarget): HoldfastError {
  if (err instanceof HoldfastError) return err;
  const e = (err ?? {}) as { code?: unknown; level?: unknown; message?: unknown; reason?: unknown };
  const code = typeof e.code === 'string' ? e.code : undefined;
  const level = typeof e.level === 'string' ? e.level : undefined;
  const message = typeof e.message === 'string' ? e.message : String(err);
  const where = describeTarget(target);

  switch (code) {
    case 'ECONNREFUSED':
      return new HoldfastError({ code: 'CONNECTION_REFUSED', message: `Connection to ${where} was refused`, hint: 'Is the SSH server running, and is the port right?' });
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EAI_NONAME':
    case 'EAI_NODATA':
      return new HoldfastError({ code: 'HOST_NOT_FOUND', message: `Host ${target.host} could not be found (looking up ${where})`, hint: 'Check the host name, or your network and DNS.' });
    case 'ETIMEDOUT':
      return timeoutError(target);
    case 'ENETUNREACH':
    case 'EHOSTUNREACH':
    case 'ECONNRESET':
    case 'EPIPE':
    case 'ENETDOWN':
    case 'EHOSTDOWN':
    case 'ECONNABORTED':
      return new HoldfastError({ code: 'NETWORK', message: `Network error talking to ${where}: ${message}` });
  }
  if (level === 'client-timeout') return timeoutError(target);
  if (level === 'client-authentication') {
    const who = target.user ? `${target.user}@${target.host}` : target.host;
    return new HoldfastError({ code: 'AUTH_FAILED', message: `Authentication failed for ${who}: ${message}` });
  }
  // A jump host could not open the next hop (SSH_MSG_CHANNEL_OPEN_FAILURE): its reason text is all we have.
  if (typeof e.reason === 'number' || level === 'jump') {
    if (/refused/i.test(message)) return new HoldfastError({ code: 'CONNECTION_REFUSED', message: `Connection to ${where} was refused (${message})` });
    if (/not known|resolve|no address|name or service/i.test(message)) {
      return new HoldfastError({ code: 'HOST_NOT_FOUND', message: `Host ${target.host} could not be found from the jump host (${message})` });
    }
    if (/timed out/i.test(message)) return timeoutError(target);
    return new HoldfastError({ code: 'NETWORK', message: `Could not reach ${where} through the jump host: ${message}` });
  }
  if (/too many authentication failures/i.test(message)) {
    const who = target.user ? `${target.user}@${target.host}` : target.host;
    return new HoldfastError({ code: 'AUTH_FAILED', message: `Authentication failed for ${who}: ${message}` });
  }
  if (/Connection lost before handshake|not an ssh|protocol/i.test(message) || level === 'protocol' || level === 'handshake') {
    return new HoldfastError({ code: 'NETWORK', message: `SSH handshake with ${where} failed: ${message}` });
  }
  return new HoldfastError({ code: 'NETWORK', message: `Connection to ${where} failed: ${message}` });
}

export function timeoutError(target: ErrorTarget, ms?: number): HoldfastError {
  const after = ms !== undefined ? ` after ${Math.round(ms / 100) / 10} s` : '';
  return new HoldfastError({ code: 'TIMEOUT', message: `Timed out connecting to ${describeTarget(target)}${after}`, hint: 'The host may be down, or a firewall may drop the connection.' });
}

export function cancelledError(target: ErrorTarget, what = 'Connecting'): HoldfastError {
  return new HoldfastError({ code: 'CANCELLED', message: `${what} to ${describeTarget(target)} was cancelled` });
}
