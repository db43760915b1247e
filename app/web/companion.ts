// The companion: paired devices reach the same UI as the desktop, with nothing installed on any server and no cloud.
// Pairing chooses where the device reaches this computer: this computer (loopback, the same listener as the web
// host's own page), the machine's Tailscale address (plain HTTP: WireGuard already encrypts), or the local network
// over HTTPS with a certificate Holdfast generates and keeps (its fingerprint is shown to compare). Plain HTTP off
// loopback is never used for a device, except on Tailscale. The same code runs in the web host and in Electron.
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import QRCode from 'qrcode';
import type { ICompanion } from '../core/interfaces';
import { HoldfastError } from '../shared/contract';
import type { Event } from '../shared/lifecycle';
import type { CompanionListen, CompanionOptions, Device, Pairing } from '../shared/model';
import type { IWebHostCore } from './socket-bridge';
import type { DeviceRegistry } from './devices';
import { isTailscaleAddress } from './exposure';
import { startWebHost, type WebHost } from './server';
import { loadOrCreateCertificate } from './tls';


export interface WebCompanionOptions {
  devices: DeviceRegistry;
  staticDir: string;
  /** Where the generated certificate is kept. */
  dataDir: string;
  /** The machine's addresses (tests pass their own). */
  interfaces?: () => string[];
  /** Where the local-network listener binds: every address (tests bind loopback only). */
  lanBindHost?: string;
}

function localAddresses(): string[] {
  return Object.values(networkInterfaces()).flatMap((list) => (list ?? []).filter((i) => !i.internal).map((i) => i.address));
}

export class WebCompanion implements ICompanion {
  private readonly _listeners = new Map<CompanionListen, Promise<{ host: WebHost; fingerprint?: string }>>();
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
    const addresses = (this._options.interfaces ?? localAddresses)();
    const tailscale = addresses.find((a) => isTailscaleAddress(a));
    return { ...(tailscale ? { tailscale } : {}), lan: addresses.filter((a) => !isTailscaleAddress(a) && !a.includes(':')) };
  }

  devices(): Device[] {
    return this._options.devices.devices;
  }

  revoke(deviceId: string): boolean {
    return this._options.devices.revoke(deviceId);
  }

  async pair(request: { listen: CompanionListen; viewOnly: boolean }): Promise<Pairing> {
    const { host, fingerprint } = await this._listener(request.listen);
    const { code, expiresAt } = this._options.devices.createPairing({ viewOnly: request.viewOnly });
    const base = new URL(host.url);
    const url = `${base.protocol}//${base.host}/pair?code=${code}`;
    const qrSvg = await QRCode.toString(url, { type: 'svg', margin: 1, errorCorrectionLevel: 'M' });
    return { url, qrSvg, expiresAt, listen: request.listen, viewOnly: request.viewOnly, ...(fingerprint ? { fingerprint } : {}) };
  }

  private _listener(listen: CompanionListen): Promise<{ host: WebHost; fingerprint?: string }> {
    let listener = this._listeners.get(listen);
    if (!listener) {
      listener = this._start(listen);
      this._listeners.set(listen, listener);
      listener.catch(() => this._listeners.delete(listen));
    }
    return listener;
  }

  private async _start(listen: CompanionListen): Promise<{ host: WebHost; fingerprint?: string }> {
    const { devices, staticDir } = this._options;
    const core = this._core;
    if (!core) throw new HoldfastError({ code: 'INTERNAL', message: 'The companion has no core yet.' });
    if (listen === 'loopback') return { host: await startWebHost({ core, devices, staticDir, host: '127.0.0.1', port: 0 }) };
    const choices = this.options();
    if (listen === 'tailscale') {
      if (!choices.tailscale) throw new HoldfastError({ code: 'VALIDATION', message: 'This computer has no Tailscale address.' });
      return { host: await startWebHost({ core, devices, staticDir, host: choices.tailscale, port: 0, ownerAccess: false }) };
    }
    const address = choices.lan[0];
    if (!address) throw new HoldfastError({ code: 'VALIDATION', message: 'This computer has no local network address.' });
    const material = await loadOrCreateCertificate(join(this._options.dataDir, 'tls'), [address]);
    // Every local address answers; the page is reached by the one in the link.
    const host = await startWebHost({ core, devices, staticDir, host: this._options.lanBindHost ?? '0.0.0.0', port: 0, tls: { cert: material.cert, key: material.key }, publicHost: address, ownerAccess: false });
    return { host, fingerprint: material.fingerprint };
  }

  async close(): Promise<void> {
    const own = this._own;
    const started = await Promise.allSettled([...this._listeners.values()]);
    await Promise.all(started.flatMap((r) => (r.status === 'fulfilled' && r.value.host !== own ? [r.value.host.close()] : [])));
  }
}
