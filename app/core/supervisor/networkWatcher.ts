// Watches the machine's network addresses by polling (Node has no change event): an address appearing where
// there was none is "network up", none left is "network down", any other change of the set is "network
// change" (another Wi-Fi, a VPN): an existing TCP connection may be dead even though the network is up.
import { networkInterfaces } from 'node:os';
import type { NetworkInterfaceInfo } from 'node:os';
import { Disposable, Emitter, MutableDisposable } from '../../shared/lifecycle';
import type { Event } from '../../shared/lifecycle';
import type { IClock } from '../interfaces';

export type NetworkInterfacesFn = () => Record<string, NetworkInterfaceInfo[] | undefined>;

export interface NetworkWatcherOptions {
  clock: IClock;
  /** os.networkInterfaces by default; tests pass a fake. */
  interfaces?: NetworkInterfacesFn;
  intervalMs?: number;
}

/** The non-internal addresses, as sorted "interface/address" strings. */
export function externalAddresses(interfaces: ReturnType<NetworkInterfacesFn>): string[] {
  const out: string[] = [];
  for (const [name, infos] of Object.entries(interfaces)) {
    for (const info of infos ?? []) {
      if (!info.internal) out.push(`${name}/${info.address}`);
    }
  }
  return out.sort();
}

export class NetworkWatcher extends Disposable {
  private readonly _onNetworkUp = this._register(new Emitter<void>());
  /** An external address appeared where there was none. */
  readonly onNetworkUp: Event<void> = this._onNetworkUp.event;
  private readonly _onNetworkDown = this._register(new Emitter<void>());
  /** The last external address went away. */
  readonly onNetworkDown: Event<void> = this._onNetworkDown.event;
  private readonly _onNetworkChange = this._register(new Emitter<{ addresses: string[] }>());
  /**
   * The set of external addresses changed while some remained before and after (another Wi-Fi, a VPN).
   * Exactly one of up, down and change fires for each change seen.
   */
  readonly onNetworkChange: Event<{ addresses: string[] }> = this._onNetworkChange.event;

  private readonly _clock: IClock;
  private readonly _interfaces: NetworkInterfacesFn;
  private readonly _intervalMs: number;
  private readonly _timer = this._register(new MutableDisposable());
  private _addresses: string[];
  private _disposed = false;

  constructor(options: NetworkWatcherOptions) {
    super();
    this._clock = options.clock;
    this._interfaces = options.interfaces ?? networkInterfaces;
    this._intervalMs = options.intervalMs ?? 2000;
    this._addresses = this._read() ?? [];
    this._schedule();
  }

  /** True while some external address exists. */
  get online(): boolean {
    return this._addresses.length > 0;
  }

  get addresses(): readonly string[] {
    return this._addresses;
  }

  override dispose(): void {
    this._disposed = true;
    super.dispose();
  }

  private _read(): string[] | undefined {
    try {
      return externalAddresses(this._interfaces());
    } catch {
      // Some systems throw while interfaces are being reconfigured: skip this poll.
      return undefined;
    }
  }

  private _schedule(): void {
    this._timer.value = this._clock.setTimeout(() => this._poll(), this._intervalMs);
  }

  private _poll(): void {
    if (this._disposed) return;
    this._schedule();
    const next = this._read();
    if (!next) return;
    const before = this._addresses;
    if (before.length === next.length && before.every((a, i) => a === next[i])) return;
    this._addresses = next;
    if (before.length === 0) this._onNetworkUp.fire();
    else if (next.length === 0) this._onNetworkDown.fire();
    else this._onNetworkChange.fire({ addresses: [...next] });
  }
}
