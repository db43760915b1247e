// Search in a terminal's scrollback (Ctrl+Shift+F): next and previous match, Esc to leave.
import { useState } from 'react';
import type { TerminalController } from '../terminal/TerminalController';

export function SearchBar({ controller, onClose }: { controller: TerminalController | undefined; onClose: () => void }) {
  const [query, setQuery] = useState('');
  const [found, setFound] = useState<boolean | undefined>();
  const close = () => {
    controller?.clearSearch();
    onClose();
    controller?.focus();
  };
  const find = (backwards: boolean) => setFound(backwards ? controller?.findPrevious(query) : controller?.findNext(query));
  return (
    <div className="search-bar" role="search">
      <input
        type="text"
        aria-label="Find in terminal"
        placeholder="Find"
        autoFocus
        value={query}
        onChange={(e) => {
          setQuery(e.target.value);
          setFound(e.target.value ? controller?.findNext(e.target.value) : undefined);
        }}
        onKeyDown={(e) => {
          if (e.key === 'Enter') {
            e.preventDefault();
            find(e.shiftKey);
          } else if (e.key === 'Escape') {
            e.preventDefault();
            close();
          }
        }}
        className={found === false ? 'not-found' : ''}
        spellCheck={false}
      />
      {found === false && <span className="muted small">No matches</span>}
      <button type="button" className="icon-btn" aria-label="Previous match" title="Previous match (Shift+Enter)" onClick={() => find(true)}>
        ↑
      </button>
      <button type="button" className="icon-btn" aria-label="Next match" title="Next match (Enter)" onClick={() => find(false)}>
        ↓
      </button>
      <button type="button" className="icon-btn" aria-label="Exit search" title="Exit search (Esc)" onClick={close}>
        Esc
      </button>
    </div>
  );
}
