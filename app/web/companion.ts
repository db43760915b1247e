// The companion: paired devices reach the same UI as the desktop, with nothing installed on any server and no cloud.
// Pairing chooses where the device reaches this computer: this computer (loopback, the same listener as the web
// host's own page), the machine's Tailscale address (plain HTTP: WireGuard already encrypts), or the local network
// over HTTPS with a certificate Holdfast generates and keeps (its fingerprint is shown to compare). Plain HTTP off
// loopback is never used for a device, except on Tailscale. The same code runs in the web host and in Electron.
import { join } from 'node:path';
import QRCode from 'qrcode';
import type { ICompanion } from '../core/interfaces';
import { HoldfastError } from '../shared/contract';
import type { Event } from '../shared/lifecycle';
import type { CompanionListen, CompanionOptions, Device, Pairing } from '../shared/model';
import type { IWebHostCore } from './socket-bridge';
import type { DeviceRegistry } from './devices';
import { isTailscaleAddress, localAddresses } from './exposure';
import { startWebHost, type WebHost } from './server';
import { loadOrCreateCertificate } from './tls';


export interface WebCompanionOptions {
  devices: DeviceRegistry;
  staticDir: string;
  /** Where the generated certificate is kept. */
  dataDir: string;
  /** The machine's addresses (tests pass their own). */
  interfaces?: () => string[];
  /** The one local-network address devices reach this computer by (the web host's --companion-address). */
  lanAddress?: string;
}

export class WebCompanion implements ICompanion {
  /** By where they listen: 'loopback', 'tailscale', or 'lan <address>'. */
  private readonly _listeners = new Map<string, Promise<{ host: WebHost; fingerprint?: string }>>();
  private _core: IWebHostCore | undefined;
  private _own: WebHost | undefined;
  readonly onDidChange: Event<void>;

  constructor(private readonly _options: WebCompanionOptions) {
    this.onDidChange = _options.devices.onDidChange;
  }

  /** Core, once it exists (it is made with this companion). */
  setCore(core: IWebHostCore): void {
    this._core = core;
  }

  /** The web host's own loopback listener: a device on this computer pairs there. */
  setLoopback(host: WebHost): void {
    this._own = host;
    this._listeners.set('loopback', Promise.resolve({ host }));
  }

  options(): CompanionOptions {
    const addresses = (this._options.interfaces ?? (() => localAddresses({ loopback: false })))();
    const tailscale = addresses.find((a) => isTailscaleAddress(a));
    const lan = this._options.lanAddress ? [this._options.lanAddress] : addresses.filter((a) => !isTailscaleAddress(a) && !a.includes(':'));
    return { ...(tailscale ? { tailscale } : {}), lan };
  }

  devices(): Device[] {
    return this._options.devices.devices;
  }

  revoke(deviceId: string): boolean {
    return this._options.devices.revoke(deviceId);
  }

  async pair(request: { listen: CompanionListen; viewOnly: boolean; address?: string }): Promise<Pairing> {
    const { host, fingerprint } = await this._listener(request.listen, request.address);
    const { code, expiresAt } = this._options.devices.createPairing({ viewOnly: request.viewOnly });
    const base = new URL(host.url);
    const url = `${base.protocol}//${base.host}/pair?code=${code}`;
    const qrSvg = await QRCode.toString(url, { type: 'svg', margin: 1, errorCorrectionLevel: 'M' });
    return { url, qrSvg, expiresAt, listen: request.listen, viewOnly: request.viewOnly, ...(fingerprint ? { fingerprint } : {}) };
  }

  private _listener(listen: CompanionListen, address: string | undefined): Promise<{ host: WebHost; fingerprint?: string }> {
    const lan = listen === 'lan' ? this._lanAddress(address) : undefined;
    const key = lan ? `lan ${lan}` : listen;
    let listener = this._listeners.get(key);
    if (!listener) {
      listener = this._start(listen, lan);
      this._listeners.set(key, listener);
      listener.catch(() => this._listeners.delete(key));
    }
    return listener;
  }

  /** The local-network address asked for (the first one when none was), which must be one of this computer's. */
  private _lanAddress(address: string | undefined): string {
    const { lan } = this.options();
    if (lan.length === 0) throw new HoldfastError({ code: 'VALIDATION', message: 'This computer has no local network address.' });
    if (address === undefined) return lan[0]!;
    if (!lan.includes(address)) throw new HoldfastError({ code: 'VALIDATION', message: `${address} is not a local network address of this computer (it has ${lan.join(', ')}).` });
    return address;
  }

  private async _start(listen: CompanionListen, lan: string | undefined): Promise<{ host: WebHost; fingerprint?: string }> {
    const { devices, staticDir } = this._options;
    const core = this._core;
    if (!core) throw new HoldfastError({ code: 'INTERNAL', message: 'The companion has no core yet.' });
    if (listen === 'loopback') return { host: await startWebHost({ core, devices, staticDir, host: '127.0.0.1', port: 0 }) };
    if (listen === 'tailscale') {
      const tailscale = this.options().tailscale;
      if (!tailscale) throw new HoldfastError({ code: 'VALIDATION', message: 'This computer has no Tailscale address.' });
      return { host: await startWebHost({ core, devices, staticDir, host: tailscale, port: 0, ownerAccess: false }) };
    }
    const address = lan!;
    // One certificate names every local address, so that choosing another one later does not change it.
    const material = await loadOrCreateCertificate(join(this._options.dataDir, 'tls'), [...new Set([address, ...this.options().lan])]);
    // Only the chosen address answers: the other networks this computer is on do not see the companion.
    const host = await startWebHost({ core, devices, staticDir, host: address, port: 0, tls: { cert: material.cert, key: material.key }, ownerAccess: false });
    return { host, fingerprint: material.fingerprint };
  }

  async close(): Promise<void> {
    const own = this._own;
    const started = await Promise.allSettled([...this._listeners.values()]);
    await Promise.all(started.flatMap((r) => (r.status === 'fulfilled' && r.value.host !== own ? [r.value.host.close()] : [])));
  }
}
