// The Timeline's record, kept on this computer: an append-only JSON Lines file in core's data dir, bounded in size
// (past MAX_BYTES the oldest entries go, the newest half stays), read once at start. A line that does not parse (a
// torn last write, an entry of a kind this version does not know) is skipped, never fatal. The memory log is the same
// without the file, for tests and for a core with no data dir.
import fs from 'node:fs';
import { Emitter, type Event } from '../../shared/lifecycle';
import { TimelineEntry } from '../../shared/model';
import { writeFileAtomicSync } from '../stores';

export interface TimelineFilter {
  hostId?: string;
}

export interface ITimelineLog {
  /** Adds an entry at the end (entries are never changed). */
  append(entry: TimelineEntry): void;
  /** The entries kept, oldest first. */
  list(filter?: TimelineFilter): TimelineEntry[];
  readonly onDidAppend: Event<TimelineEntry>;
}

/** Past this the file is trimmed to its newest half. */
export const MAX_BYTES = 4 * 1024 * 1024;

function matches(entry: TimelineEntry, filter: TimelineFilter | undefined): boolean {
  return !filter?.hostId || entry.hostId === filter.hostId;
}

export class MemoryTimelineLog implements ITimelineLog {
  protected readonly _entries: TimelineEntry[] = [];
  /** Bytes of the entries kept, as JSON lines. */
  protected _bytes = 0;
  private readonly _onDidAppend = new Emitter<TimelineEntry>();
  readonly onDidAppend = this._onDidAppend.event;

  constructor(protected readonly _maxBytes = MAX_BYTES) {}

  append(entry: TimelineEntry): void {
    const line = `${JSON.stringify(entry)}\n`;
    this._entries.push(entry);
    this._bytes += Buffer.byteLength(line);
    this._written(line);
    if (this._bytes > this._maxBytes) this._trim();
    this._onDidAppend.fire(entry);
  }

  list(filter?: TimelineFilter): TimelineEntry[] {
    return this._entries.filter((e) => matches(e, filter));
  }

  /** The entries as JSON Lines, oldest first. */
  static toJsonLines(entries: readonly TimelineEntry[]): string {
    return entries.map((e) => `${JSON.stringify(e)}\n`).join('');
  }

  protected _written(_line: string): void {}

  /** Keeps the newest half of the budget. */
  protected _trim(): void {
    let drop = 0;
    while (this._bytes > this._maxBytes / 2 && drop < this._entries.length - 1) {
      this._bytes -= Buffer.byteLength(`${JSON.stringify(this._entries[drop])}\n`);
      drop++;
    }
    this._entries.splice(0, drop);
  }
}

/** The log in a file: every entry appended as one line; trimmed (rewritten atomically) past the budget. */
export class FileTimelineLog extends MemoryTimelineLog {
  constructor(
    private readonly _path: string,
    maxBytes = MAX_BYTES,
  ) {
    super(maxBytes);
    let text = '';
    try {
      text = fs.readFileSync(_path, 'utf8');
    } catch {
      // No log yet.
    }
    for (const line of text.split('\n')) {
      if (line.trim() === '') continue;
      try {
        const parsed = TimelineEntry.safeParse(JSON.parse(line));
        if (!parsed.success) continue;
        this._entries.push(parsed.data);
        this._bytes += Buffer.byteLength(`${line}\n`);
      } catch {
        // A torn line: skipped.
      }
    }
    if (this._bytes > this._maxBytes) this._trim();
  }

  protected override _written(line: string): void {
    try {
      fs.appendFileSync(this._path, line, { mode: 0o600 });
    } catch (err) {
      console.warn(`holdfast: could not write the timeline (${this._path}): ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  protected override _trim(): void {
    super._trim();
    try {
      writeFileAtomicSync(this._path, MemoryTimelineLog.toJsonLines(this._entries));
    } catch (err) {
      console.warn(`holdfast: could not trim the timeline (${this._path}): ${err instanceof Error ? err.message : String(err)}`);
    }
  }
}
