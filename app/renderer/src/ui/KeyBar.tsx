// The key bar a phone shows above its on-screen keyboard: the keys it lacks (Esc, Tab, Ctrl, Ctrl-C, arrows) as
// large touch targets, and the text size. Ctrl is a one-shot modifier for the next key typed on the keyboard.
import { useSyncExternalStore } from 'react';

const listeners = new Set<() => void>();
let ctrlArmed = false;

function setCtrl(armed: boolean): void {
  ctrlArmed = armed;
  for (const l of [...listeners]) l();
}

/** What a terminal sends for what was typed: with Ctrl armed, a letter (or @[\]^_ ?) becomes its control code, once. */
export function applyKeyBarModifiers(data: string): string {
  if (!ctrlArmed) return data;
  setCtrl(false);
  if (data.length !== 1) return data;
  const code = data.toUpperCase().charCodeAt(0);
  if (code >= 64 && code <= 95) return String.fromCharCode(code - 64);
  if (data === '?') return '\x7f';
  return data;
}

/** The bytes each key sends (normal cursor mode; programs in application mode accept these as well). */
export const KEY_BAR_KEYS: { label: string; aria: string; data: string }[] = [
  { label: 'Esc', aria: 'Esc', data: '\x1b' },
  { label: 'Tab', aria: 'Tab', data: '\t' },
  { label: 'Ctrl-C', aria: 'Ctrl-C', data: '\x03' },
  { label: '↑', aria: 'Up', data: '\x1b[A' },
  { label: '↓', aria: 'Down', data: '\x1b[B' },
  { label: '←', aria: 'Left', data: '\x1b[D' },
  { label: '→', aria: 'Right', data: '\x1b[C' },
];

export function KeyBar({ onKey, onZoom }: { onKey(data: string): void; onZoom(delta: number): void }) {
  const armed = useSyncExternalStore(
    (l) => (listeners.add(l), () => listeners.delete(l)),
    () => ctrlArmed,
  );
  // Buttons never take the focus: the on-screen keyboard stays up.
  const keep = (e: React.PointerEvent | React.MouseEvent) => e.preventDefault();
  return (
    <div className="key-bar" role="toolbar" aria-label="Keys" data-testid="key-bar">
      <button type="button" className="key" onPointerDown={keep} onMouseDown={keep} onClick={() => onKey('\x1b')} aria-label="Esc">
        Esc
      </button>
      <button type="button" className="key" onPointerDown={keep} onMouseDown={keep} onClick={() => onKey('\t')} aria-label="Tab">
        Tab
      </button>
      <button type="button" className={`key ${armed ? 'is-armed' : ''}`} aria-pressed={armed} onPointerDown={keep} onMouseDown={keep} onClick={() => setCtrl(!armed)} aria-label="Ctrl">
        Ctrl
      </button>
      {KEY_BAR_KEYS.slice(2).map((k) => (
        <button key={k.aria} type="button" className="key" onPointerDown={keep} onMouseDown={keep} onClick={() => onKey(k.data)} aria-label={k.aria}>
          {k.label}
        </button>
      ))}
      <span className="key-bar-gap" />
      <button type="button" className="key" onPointerDown={keep} onMouseDown={keep} onClick={() => onZoom(-1)} aria-label="Smaller text">
        A−
      </button>
      <button type="button" className="key" onPointerDown={keep} onMouseDown={keep} onClick={() => onZoom(1)} aria-label="Larger text">
        A+
      </button>
    </div>
  );
}
