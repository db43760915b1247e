// Who can reach the web host, decided before it listens. Whoever holds its token controls the user's SSH
// sessions (keys, agent, every server), so the token must never cross a network in the clear: loopback is plain
// HTTP, any other address needs the user to ask for it (--allow-remote) and then TLS, except a Tailscale address,
// whose traffic WireGuard already encrypts end to end.

import { networkInterfaces } from 'node:os';

/**
 * This machine's addresses, without an IPv6 zone (`fe80::1%eth0` → `fe80::1`): with the loopback ones for the Host
 * names a listener on every address answers to, without them for the addresses other devices can reach.
 */
export function localAddresses(options: { loopback: boolean }): string[] {
  return Object.values(networkInterfaces()).flatMap((list) =>
    (list ?? []).filter((i) => options.loopback || !i.internal).map((i) => i.address.replace(/%.*$/, '')),
  );
}

export type TlsSource = 'none' | 'user' | 'generated';

export type ExposureDecision =
  | { ok: true; tls: TlsSource; note?: string }
  | { ok: false; error: string };

export function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase();
  return h === 'localhost' || h === '::1' || h === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(h);
}

/** Tailscale hands out 100.64.0.0/10 (CGNAT space) and fd7a:115c:a1e0::/48. */
export function isTailscaleAddress(host: string): boolean {
  const v4 = /^(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(host);
  if (v4) {
    const [a, b] = [Number(v4[1]), Number(v4[2])];
    return a === 100 && b >= 64 && b <= 127;
  }
  return /^fd7a:115c:a1e0:/i.test(host.replace(/^\[|\]$/g, ''));
}

/**
 * Decides how the web host may listen on `host`. `userTls` is true when the user gave a certificate and key.
 * Never plain HTTP off loopback, except on a Tailscale address.
 */
export function decideExposure(host: string, options: { allowRemote: boolean; userTls: boolean }): ExposureDecision {
  if (isLoopbackHost(host)) return { ok: true, tls: options.userTls ? 'user' : 'none' };
  if (!options.allowRemote) {
    return {
      ok: false,
      error:
        `refusing to listen on ${host}: only this computer (127.0.0.1) is safe by default. Whoever reaches this address ` +
        'and has the URL controls your SSH sessions. To serve other machines anyway, add --allow-remote (the connection ' +
        'is then encrypted with TLS: your --tls-cert/--tls-key, or a certificate Holdfast generates), or use SSH port ' +
        'forwarding to 127.0.0.1 instead.',
    };
  }
  if (isTailscaleAddress(host) && !options.userTls) {
    return {
      ok: true,
      tls: 'none',
      note: `${host} is a Tailscale address: WireGuard encrypts the traffic, so Holdfast serves plain HTTP there. Only devices on your tailnet can reach it.`,
    };
  }
  return {
    ok: true,
    tls: options.userTls ? 'user' : 'generated',
    note: `Listening on ${host}: anyone who can reach it and has the URL (with its token) controls your SSH sessions. Keep the URL private.`,
  };
}
