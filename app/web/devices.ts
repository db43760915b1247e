// Paired devices (a phone, a tablet, a second browser): each has its own token, kept only as a SHA-256 hash and
// compared in constant time, with a name, when it was paired and last seen, and whether it is view only. The token
// opens the socket (the page keeps it in its own origin's storage); a second secret, the page key, goes in the
// device's cookie and only loads the app's pages (a cookie also reaches every other port of the host). A pairing
// code works once and expires after a few minutes; the owner's own token is never given to a device. Revoking a
// device forgets its hashes at once and tells whoever holds its sockets to close them.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { Emitter } from '../shared/lifecycle';
import type { Device } from '../shared/model';

/** How long a pairing code (the QR code) works. */
export const PAIRING_TTL_MS = 5 * 60_000;

interface StoredDevice extends Device {
  tokenHash: string;
  pageKeyHash: string;
}

interface Pairing {
  codeHash: Buffer;
  expiresAt: number;
  viewOnly: boolean;
}

const hash = (secret: string) => createHash('sha256').update(secret).digest();

export interface DeviceRegistryOptions {
  /** Where the devices are kept (JSON); in memory only when absent. */
  file?: string;
  now?: () => number;
  onNotice?(message: string): void;
}

export class DeviceRegistry {
  private readonly _devices: StoredDevice[] = [];
  private readonly _pairings: Pairing[] = [];
  private readonly _now: () => number;
  private readonly _onDidRevoke = new Emitter<string>();
  /** A device was revoked (its id): close what it holds. */
  readonly onDidRevoke = this._onDidRevoke.event;
  private readonly _onDidChange = new Emitter<void>();
  readonly onDidChange = this._onDidChange.event;
  private _lastSaved = 0;

  constructor(private readonly _options: DeviceRegistryOptions = {}) {
    this._now = _options.now ?? Date.now;
    if (_options.file) this._load(_options.file);
  }

  get devices(): Device[] {
    return this._devices.map(shown);
  }

  /** A one-time pairing code, valid for PAIRING_TTL_MS. */
  createPairing(options: { viewOnly: boolean }): { code: string; expiresAt: number } {
    const code = randomBytes(24).toString('base64url');
    const expiresAt = this._now() + PAIRING_TTL_MS;
    this._prunePairings();
    this._pairings.push({ codeHash: hash(code), expiresAt, viewOnly: options.viewOnly });
    return { code, expiresAt };
  }

  /** Whether the code would pair now (for the pairing page). */
  pairingValid(code: string): boolean {
    this._prunePairings();
    return this._findPairing(code) !== undefined;
  }

  /**
   * Uses the code (once) to pair a device with this name; its token and page key are returned once and kept only
   * hashed.
   */
  redeem(code: string, name: string): { device: Device; token: string; pageKey: string } | undefined {
    this._prunePairings();
    const pairing = this._findPairing(code);
    if (!pairing) return undefined;
    this._pairings.splice(this._pairings.indexOf(pairing), 1);
    const token = randomBytes(32).toString('base64url');
    const pageKey = randomBytes(32).toString('base64url');
    const now = this._now();
    const device: StoredDevice = {
      id: randomBytes(9).toString('base64url'),
      name: name.trim().slice(0, 60) || 'Device',
      createdAt: now,
      lastSeenAt: now,
      viewOnly: pairing.viewOnly,
      tokenHash: hash(token).toString('hex'),
      pageKeyHash: hash(pageKey).toString('hex'),
    };
    this._devices.push(device);
    this._save();
    this._onDidChange.fire();
    return { device: shown(device), token, pageKey };
  }

  /** The device this token belongs to (compared in constant time with every device's): for its socket. */
  authenticate(token: string | undefined): Device | undefined {
    return this._find(token, 'tokenHash');
  }

  /** The device this page key belongs to: for loading the app's pages, nothing more. */
  authenticatePage(pageKey: string | undefined): Device | undefined {
    return this._find(pageKey, 'pageKeyHash');
  }

  private _find(secret: string | undefined, field: 'tokenHash' | 'pageKeyHash'): Device | undefined {
    if (!secret) return undefined;
    const given = hash(secret);
    let found: StoredDevice | undefined;
    for (const device of this._devices) {
      if (timingSafeEqual(given, Buffer.from(device[field], 'hex')) && !found) found = device;
    }
    if (!found) return undefined;
    this.seen(found.id);
    return shown(found);
  }

  /** Marks the device seen now (saved at most once a minute). */
  seen(id: string): void {
    const device = this._devices.find((d) => d.id === id);
    if (!device) return;
    device.lastSeenAt = this._now();
    if (this._now() - this._lastSaved > 60_000) this._save();
  }

  has(id: string): boolean {
    return this._devices.some((d) => d.id === id);
  }

  /** Ends the device's access at once and for good. */
  revoke(id: string): boolean {
    const at = this._devices.findIndex((d) => d.id === id);
    if (at < 0) return false;
    this._devices.splice(at, 1);
    // In effect at once, whatever happens to the file: its token matches nothing from here on.
    this._onDidRevoke.fire(id);
    this._onDidChange.fire();
    try {
      this._save();
    } catch (err) {
      this._options.onNotice?.(
        `The device was revoked, but the devices file could not be written (${err instanceof Error ? err.message : String(err)}): after a restart it would be paired again. Revoke it again once the file can be written.`,
      );
    }
    return true;
  }

  private _findPairing(code: string): Pairing | undefined {
    const given = hash(code);
    let found: Pairing | undefined;
    for (const pairing of this._pairings) if (timingSafeEqual(given, pairing.codeHash) && !found) found = pairing;
    return found;
  }

  private _prunePairings(): void {
    const now = this._now();
    for (let i = this._pairings.length - 1; i >= 0; i--) if (this._pairings[i]!.expiresAt <= now) this._pairings.splice(i, 1);
  }

  private _load(file: string): void {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      return;
    }
    try {
      const data = JSON.parse(text) as { devices?: unknown };
      for (const d of Array.isArray(data.devices) ? data.devices : []) {
        const x = d as Partial<StoredDevice>;
        // A device paired before page keys existed has none: it pairs again (its old cookie held its token).
        const valid = (h: unknown): h is string => typeof h === 'string' && /^[0-9a-f]{64}$/.test(h);
        if (typeof x.id === 'string' && typeof x.name === 'string' && valid(x.tokenHash) && valid(x.pageKeyHash)) {
          this._devices.push({ id: x.id, name: x.name, createdAt: Number(x.createdAt) || 0, lastSeenAt: Number(x.lastSeenAt) || 0, viewOnly: x.viewOnly === true, tokenHash: x.tokenHash, pageKeyHash: x.pageKeyHash });
        }
      }
    } catch {
      // A file that does not read pairs nothing: every device pairs again (safer than guessing).
      try {
        renameSync(file, `${file}.corrupt-${this._now()}`);
      } catch {
        // Left where it is.
      }
      this._options.onNotice?.('The paired devices file could not be read and was moved aside; pair your devices again.');
    }
  }

  private _save(): void {
    const file = this._options.file;
    this._lastSaved = this._now();
    if (!file) return;
    mkdirSync(dirname(file), { recursive: true });
    const tmp = `${file}.tmp`;
    writeFileSync(tmp, JSON.stringify({ devices: this._devices }, null, 2), { mode: 0o600 });
    renameSync(tmp, file);
  }
}

function shown({ tokenHash: _token, pageKeyHash: _page, ...device }: StoredDevice): Device {
  return device;
}
