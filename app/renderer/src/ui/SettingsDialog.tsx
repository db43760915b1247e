// Settings: the terminal (font, cursor, scrollback), appearance (theme), behaviour (copy, paste, bell, keyboard
// shortcuts) and what new hosts start with. Saved beside the profiles; every open view follows at once.
import { useState, type FormEvent, type ReactNode } from 'react';
import type { IHoldfastApi } from '../../../shared/contract';
import type { HoldfastErrorData, Settings, ThemeName, TmuxMode } from '../../../shared/model';
import { chordText, SHORTCUTS } from '../terminal/keys';
import { THEME_LABELS } from '../terminal/themes';
import { ErrorBox, Modal, Spinner, toErrorData } from './common';

const TMUX_MODE_LABELS: Record<TmuxMode, string> = {
  auto: 'Automatic (control mode where tmux allows it)',
  control: 'Control mode (native scrollback)',
  classic: 'Classic attach',
};

export function SettingsDialog({
  api,
  settings,
  mac,
  onSaved,
  onCancel,
}: {
  api: IHoldfastApi;
  settings: Settings;
  mac: boolean;
  onSaved: (saved: Settings) => void;
  onCancel: () => void;
}) {
  const [form, setForm] = useState<Settings>(settings);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<HoldfastErrorData>();
  const set = <K extends keyof Settings>(key: K, value: Settings[K]) => setForm((f) => ({ ...f, [key]: value }));
  const number = (value: string, fallback: number) => (value.trim() === '' || !Number.isFinite(Number(value)) ? fallback : Number(value));

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      onSaved(await api.call('settings.save', form));
    } catch (err) {
      setError(toErrorData(err));
      setBusy(false);
    }
  };

  return (
    <Modal title="Settings" ariaLabel="Settings" onCancel={onCancel} className="modal-wide" testId="settings-dialog">
      <form className="form" onSubmit={submit} noValidate>
        <div className="form-body settings-body">
          <Section title="Appearance">
            <Row label="Theme" htmlFor="set-theme">
              <select id="set-theme" value={form.theme} onChange={(e) => set('theme', e.target.value as ThemeName)}>
                {(Object.keys(THEME_LABELS) as ThemeName[]).map((t) => (
                  <option key={t} value={t}>
                    {THEME_LABELS[t]}
                  </option>
                ))}
              </select>
            </Row>
            <Row label="Font" htmlFor="set-font" note="A CSS font list; empty for the built-in monospace fonts.">
              <input id="set-font" value={form.fontFamily} onChange={(e) => set('fontFamily', e.target.value)} placeholder="JetBrains Mono, Menlo, monospace" spellCheck={false} />
            </Row>
            <Row label="Font size" htmlFor="set-font-size">
              <input id="set-font-size" type="number" min={6} max={40} value={form.fontSize} onChange={(e) => set('fontSize', number(e.target.value, form.fontSize))} />
            </Row>
            <Row label="Line height" htmlFor="set-line-height">
              <input id="set-line-height" type="number" min={1} max={2} step={0.05} value={form.lineHeight} onChange={(e) => set('lineHeight', number(e.target.value, form.lineHeight))} />
            </Row>
            <Row label="Cursor" htmlFor="set-cursor">
              <select id="set-cursor" value={form.cursorStyle} onChange={(e) => set('cursorStyle', e.target.value as Settings['cursorStyle'])}>
                <option value="block">Block</option>
                <option value="bar">Bar</option>
                <option value="underline">Underline</option>
              </select>
              <label className="check">
                <input type="checkbox" checked={form.cursorBlink} onChange={(e) => set('cursorBlink', e.target.checked)} />
                Blink
              </label>
            </Row>
          </Section>

          <Section title="Terminal">
            <Row label="Scrollback lines" htmlFor="set-scrollback">
              <input id="set-scrollback" type="number" min={0} max={100000} step={1000} value={form.scrollback} onChange={(e) => set('scrollback', number(e.target.value, form.scrollback))} />
            </Row>
            <Row label="Copy on select" htmlFor="set-copy-on-select">
              <input id="set-copy-on-select" type="checkbox" checked={form.copyOnSelect} onChange={(e) => set('copyOnSelect', e.target.checked)} />
            </Row>
            <Row label="Right-click pastes" htmlFor="set-right-click">
              <select id="set-right-click" value={form.rightClickPaste} onChange={(e) => set('rightClickPaste', e.target.value as Settings['rightClickPaste'])}>
                <option value="auto">{mac ? 'Automatic (off on macOS)' : 'Automatic (on)'}</option>
                <option value="on">On</option>
                <option value="off">Off</option>
              </select>
            </Row>
            <Row label="Bell" htmlFor="set-bell">
              <select id="set-bell" value={form.bell} onChange={(e) => set('bell', e.target.value as Settings['bell'])}>
                <option value="visual">Flash the pane</option>
                <option value="sound">Sound</option>
                <option value="none">Nothing</option>
              </select>
            </Row>
            <Row label="Keyboard shortcuts" htmlFor="set-shortcuts" note="Off: every key goes to the program in the pane. Copy on select and right-click paste still work.">
              <input id="set-shortcuts" type="checkbox" checked={form.shortcuts} onChange={(e) => set('shortcuts', e.target.checked)} />
            </Row>
            <Row label="Desktop notifications" htmlFor="set-notifications" note="When a pane starts waiting for you, a bell rings, a program asks for one, or a watched session goes quiet. Never for the pane in view.">
              <input id="set-notifications" type="checkbox" checked={form.notifications} onChange={(e) => set('notifications', e.target.checked)} />
            </Row>
          </Section>

          <Section title="New hosts">
            <Row label="Keepalive" htmlFor="set-keepalive" note="A probe every so many seconds; so many unanswered means the link is dead (OpenSSH's ServerAliveInterval and ServerAliveCountMax).">
              <input
                id="set-keepalive"
                aria-label="Keepalive interval (seconds)"
                type="number"
                min={1}
                max={3600}
                value={form.defaultKeepalive.intervalSec}
                onChange={(e) => set('defaultKeepalive', { ...form.defaultKeepalive, intervalSec: number(e.target.value, form.defaultKeepalive.intervalSec) })}
              />
              <span className="muted small">s ×</span>
              <input
                aria-label="Keepalive count"
                type="number"
                min={1}
                max={100}
                value={form.defaultKeepalive.countMax}
                onChange={(e) => set('defaultKeepalive', { ...form.defaultKeepalive, countMax: number(e.target.value, form.defaultKeepalive.countMax) })}
              />
            </Row>
            <Row label="tmux mode" htmlFor="set-tmux-mode">
              <select id="set-tmux-mode" value={form.defaultTmuxMode} onChange={(e) => set('defaultTmuxMode', e.target.value as TmuxMode)}>
                {(Object.keys(TMUX_MODE_LABELS) as TmuxMode[]).map((m) => (
                  <option key={m} value={m}>
                    {TMUX_MODE_LABELS[m]}
                  </option>
                ))}
              </select>
            </Row>
            <Row label="tmux history on attach" htmlFor="set-history" note="Lines of tmux's history a control-mode pane brings into its scrollback.">
              <input id="set-history" type="number" min={0} max={50000} step={500} value={form.tmuxHistoryLines} onChange={(e) => set('tmuxHistoryLines', number(e.target.value, form.tmuxHistoryLines))} />
            </Row>
          </Section>
          {error && <ErrorBox error={error} />}
        </div>
        <div className="modal-actions">
          <button type="button" className="btn" onClick={onCancel} disabled={busy}>
            Cancel
          </button>
          <button type="submit" className="btn btn-primary" disabled={busy}>
            {busy && <Spinner />}
            Save
          </button>
        </div>
      </form>
    </Modal>
  );
}

function Section({ title, children }: { title: string; children: ReactNode }) {
  return (
    <fieldset className="settings-section">
      <legend>{title}</legend>
      {children}
    </fieldset>
  );
}

function Row({ label, htmlFor, note, children }: { label: string; htmlFor: string; note?: string; children: ReactNode }) {
  return (
    <div className="settings-row">
      <label htmlFor={htmlFor}>{label}</label>
      <div className="settings-control">
        {children}
        {note && <div className="field-note">{note}</div>}
      </div>
    </div>
  );
}

/** Every Holdfast shortcut, and how to turn them off. */
export function ShortcutsDialog({ mac, enabled, onClose, onOpenSettings }: { mac: boolean; enabled: boolean; onClose: () => void; onOpenSettings: () => void }) {
  return (
    <Modal title="Keyboard shortcuts" ariaLabel="Keyboard shortcuts" onCancel={onClose} className="modal-narrow" testId="shortcuts-dialog">
      <div className="modal-body">
        {!enabled && <p className="muted">They are off now: every key goes to the terminal.</p>}
        <table className="shortcuts">
          <tbody>
            {SHORTCUTS.map((s) => (
              <tr key={s.id}>
                <td>{s.label}</td>
                <td>
                  <kbd>{chordText(s, mac)}</kbd>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        <p className="muted small">
          A shortcut never reaches the program in the pane. To hand every key to the terminal, turn them off in Settings.
        </p>
      </div>
      <div className="modal-actions">
        <button type="button" className="btn" onClick={onOpenSettings}>
          Settings
        </button>
        <button type="button" className="btn btn-primary" onClick={onClose} data-autofocus>
          Close
        </button>
      </div>
    </Modal>
  );
}
