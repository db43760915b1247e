// Pair a device and the Devices list: where the device reaches this computer, a QR code and the same link as text
// (once, for a few minutes), the certificate's fingerprint over HTTPS, and each paired device with when it was last
// seen and Revoke.
import { useEffect, useState } from 'react';
import type { IHoldfastApi } from '../../../shared/contract';
import type { CompanionListen, CompanionOptions, Device, Pairing } from '../../../shared/model';
import { relativeTime } from '../model/format';
import { ErrorBox, Modal, Spinner, toErrorData, useNow } from './common';

/** 4:59, 0:07: what is left of a pairing code's few minutes. */
function countdown(ms: number): string {
  const seconds = Math.max(0, Math.floor(ms / 1000));
  return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`;
}

export function DevicesDialog({ api, onClose }: { api: IHoldfastApi; onClose(): void }) {
  const now = useNow(1000);
  const [devices, setDevices] = useState<Device[]>();
  const [choices, setChoices] = useState<CompanionOptions>();
  const [listen, setListen] = useState<CompanionListen>('loopback');
  const [address, setAddress] = useState<string>();
  const [viewOnly, setViewOnly] = useState(false);
  const [pairing, setPairing] = useState<Pairing>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ReturnType<typeof toErrorData>>();

  const refresh = () => api.call('devices.list', {}).then(setDevices, (err: unknown) => setError(toErrorData(err)));
  useEffect(() => {
    void refresh();
    api.call('devices.options', {}).then(setChoices, () => {});
    const sub = api.listen('devices.changed', () => void refresh());
    // "Last seen" moves while a device is in use: read it again now and then while the dialog is open.
    const timer = setInterval(() => void refresh(), 15_000);
    return () => {
      sub.dispose();
      clearInterval(timer);
    };
  }, [api]);

  const pair = async () => {
    setBusy(true);
    setError(undefined);
    try {
      setPairing(await api.call('devices.pair', { listen, viewOnly, ...(listen === 'lan' && address ? { address } : {}) }));
    } catch (err) {
      setError(toErrorData(err));
    } finally {
      setBusy(false);
    }
  };

  const expired = pairing !== undefined && now >= pairing.expiresAt;
  return (
    <Modal title="Pair a device" ariaLabel="Pair a device" onCancel={onClose} className="modal-wide" testId="devices-dialog">
      <div className="modal-body">
        <p className="muted small">
          Watch and answer your sessions from a phone or another browser. Nothing is installed on your servers and nothing goes through a cloud: the
          device talks to this computer.
        </p>
        <fieldset className="listen-choices">
          <legend>Where the device reaches this computer</legend>
          <label>
            <input type="radio" name="listen" checked={listen === 'loopback'} onChange={() => setListen('loopback')} /> This computer (another browser here)
          </label>
          <label className={choices?.tailscale ? '' : 'is-disabled'}>
            <input type="radio" name="listen" disabled={!choices?.tailscale} checked={listen === 'tailscale'} onChange={() => setListen('tailscale')} /> Tailscale
            {choices?.tailscale ? ` (${choices.tailscale}; WireGuard encrypts it)` : ' (no Tailscale address on this computer)'}
          </label>
          <label className={choices && choices.lan.length > 0 ? '' : 'is-disabled'}>
            <input type="radio" name="listen" disabled={!choices || choices.lan.length === 0} checked={listen === 'lan'} onChange={() => setListen('lan')} /> Local network over HTTPS
            {!choices || choices.lan.length === 0 ? (
              ' (no local network address)'
            ) : choices.lan.length === 1 ? (
              ` (${choices.lan[0]}; the browser warns once about the certificate)`
            ) : (
              <>
                {' at '}
                {/* A computer on several networks (Wi-Fi, a VPN, container bridges): the one the phone is on. */}
                <select aria-label="Local network address" value={address ?? choices.lan[0]} onChange={(e) => {
                  setAddress(e.target.value);
                  setListen('lan');
                }}>
                  {choices.lan.map((a) => (
                    <option key={a} value={a}>
                      {a}
                    </option>
                  ))}
                </select>
                {' (the browser warns once about the certificate)'}
              </>
            )}
          </label>
        </fieldset>
        <label className="checkbox-row">
          <input type="checkbox" checked={viewOnly} onChange={(e) => setViewOnly(e.target.checked)} /> View only (sees everything, types nothing)
        </label>
        <div className="overlay-actions">
          <button type="button" className="btn btn-primary" onClick={() => void pair()} disabled={busy}>
            {busy && <Spinner />}
            {pairing ? 'New code' : 'Show pairing code'}
          </button>
        </div>
        {error && <ErrorBox error={error} compact />}
        {pairing && (
          <div className={`pairing ${expired ? 'is-expired' : ''}`} data-testid="pairing">
            {/* The SVG comes from core's QR library: markup of its own making, no user text in it but the link. */}
            <div className="qr" aria-label="QR code of the pairing link" role="img" dangerouslySetInnerHTML={{ __html: pairing.qrSvg }} />
            <div className="pairing-text">
              <div className="muted small">Scan it, or open this link on the device (it works once):</div>
              <input className="mono pairing-link" readOnly value={pairing.url} aria-label="Pairing link" onFocus={(e) => e.currentTarget.select()} />
              <div className="small">{expired ? 'Expired: show a new code.' : `Expires in ${countdown(pairing.expiresAt - now)}.`}</div>
              {pairing.fingerprint && (
                <div className="small">
                  Certificate fingerprint (SHA-256), to compare with what the device&apos;s browser shows: <span className="mono fingerprint">{pairing.fingerprint}</span>
                </div>
              )}
            </div>
          </div>
        )}
        <h3>Devices</h3>
        {devices === undefined ? (
          <div className="muted">
            <Spinner /> Loading…
          </div>
        ) : devices.length === 0 ? (
          <div className="muted small">No device is paired.</div>
        ) : (
          <ul className="device-list" aria-label="Devices">
            {devices.map((d) => (
              <li key={d.id} className="device-row" data-testid="device-row">
                <span className="device-name">{d.name}</span>
                <span className="muted small">
                  {d.viewOnly ? 'view only · ' : ''}paired {relativeTime(d.createdAt, now)} · last seen {relativeTime(d.lastSeenAt, now)}
                </span>
                <button type="button" className="btn btn-small btn-danger" onClick={() => void api.call('devices.revoke', { deviceId: d.id }).then(refresh, (err: unknown) => setError(toErrorData(err)))}>
                  Revoke
                </button>
              </li>
            ))}
          </ul>
        )}
      </div>
      <div className="modal-actions">
        <button type="button" className="btn" onClick={onClose}>
          Close
        </button>
      </div>
    </Modal>
  );
}
