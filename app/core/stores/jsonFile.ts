// The JSON files behind the stores: atomic writes, and the policy for a file that cannot be read. Settings
// that fail to load never stop the app: the file is moved aside with its bytes intact, the user is told where
// it went, and the store starts with whatever could still be read.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { z } from 'zod';
import type { Notice } from '../../shared/model';

/**
 * Where one store's JSON document is written. Deliberately tiny, so that `conf` (web host, see
 * `createConfBacking`) and `electron-store` (Electron shell) fit behind it with the same store logic.
 *
 * The store reads and checks the file at `path` itself, before the backing library ever opens it: conf and
 * electron-store either throw on a corrupt file or, with `clearInvalidConfig`, overwrite it, and the user's
 * bytes must be moved aside first. So a backing must
 * - own the file at `path` alone (no other keys in it), stored as plain JSON (no library encryption);
 * - open its library lazily, on the first `write`, not in its constructor;
 * - replace the whole document atomically in `write` (temp file, fsync, rename; conf does this for you).
 * `createLazyStoreBacking` (confBacking.ts) does all of this for conf, electron-store or anything with `store`.
 */
export interface IJsonBacking {
  /** Absolute path of the JSON file. */
  readonly path: string;
  /** Replaces the whole document on disk, atomically. */
  write(value: Record<string, unknown>): void;
}

export interface StoreOptions {
  /** Told when a settings file was unreadable and moved aside, or could not be. */
  onNotice?: (notice: Notice) => void;
  /** The clock used to name moved-aside files; tests pass a fixed one. */
  now?: () => number;
}

/** A backing that writes the file itself: temp file, fsync, rename, fsync of the folder. */
export function createFileBacking(filePath: string): IJsonBacking {
  return {
    path: path.resolve(filePath),
    write(value) {
      writeFileAtomicSync(path.resolve(filePath), `${JSON.stringify(value, undefined, '\t')}\n`);
    },
  };
}

/**
 * Writes `data` so that a crash leaves either the old file or the new one, never a torn one: the bytes go to
 * a temp file beside the target, are flushed to disk, and the temp file is renamed over the target.
 */
export function writeFileAtomicSync(filePath: string, data: string | Uint8Array, mode = 0o600): void {
  const dir = path.dirname(filePath);
  fs.mkdirSync(dir, { recursive: true });
  const temp = path.join(dir, `.${path.basename(filePath)}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
  let fd: number | undefined;
  try {
    fd = fs.openSync(temp, 'wx', mode);
    fs.writeFileSync(fd, data);
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    fd = undefined;
    fs.renameSync(temp, filePath);
  } catch (err) {
    if (fd !== undefined) fs.closeSync(fd);
    fs.rmSync(temp, { force: true });
    throw err;
  }
  // The rename itself must reach the disk too; folders cannot be opened for fsync on Windows.
  if (process.platform !== 'win32') {
    try {
      const dirFd = fs.openSync(dir, 'r');
      try {
        fs.fsyncSync(dirFd);
      } finally {
        fs.closeSync(dirFd);
      }
    } catch {
      // Some file systems refuse fsync on a folder; the data itself is already flushed.
    }
  }
}

/** `<file>.corrupt-<ISO timestamp>`, with ':' replaced so the name is valid on Windows too; never an existing file. */
export function asideName(filePath: string, now: number): string {
  const stamp = new Date(now).toISOString().replace(/:/g, '-');
  const base = `${filePath}.corrupt-${stamp}`;
  let candidate = base;
  for (let i = 2; fs.existsSync(candidate); i++) candidate = `${base}-${i}`;
  return candidate;
}

/**
 * A list of items kept in one JSON document, `{ "version": 1, "<key>": [ ... ] }`, each item checked with a
 * zod schema when the file is read. Holds the list in memory and writes the whole document on every change.
 */
export class PersistedList<T> {
  private _items: T[] = [];
  /** False when a broken file could not be moved aside: writing would destroy the user's bytes. */
  private _writable = true;
  private _unwritableReason = '';

  constructor(
    private readonly _backing: IJsonBacking,
    private readonly _spec: {
      /** The array's key in the document, e.g. "profiles". */
      key: string;
      /** What the items are, in the user's words, for notices: "host profiles". */
      what: string;
      item: z.ZodType<T>;
      /** How to name an item that could not be read, for the notice (e.g. a profile's name); undefined if unknown. */
      nameOf?: (raw: unknown) => string | undefined;
    },
    private readonly _options: StoreOptions = {},
  ) {
    this._load();
  }

  get items(): readonly T[] {
    return this._items;
  }

  /** Replaces the list and writes it. Throws (leaving the list unchanged) when the file cannot be written. */
  replace(items: T[]): void {
    if (!this._writable) throw new Error(this._unwritableReason);
    this._backing.write({ version: 1, [this._spec.key]: items });
    this._items = items;
  }

  private _load(): void {
    const file = this._backing.path;
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      this._moveAside(`could not be read (${describe(err)})`);
      return;
    }
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch (err) {
      this._moveAside(`is not valid JSON (${describe(err)})`);
      return;
    }
    const list = this._listIn(doc);
    if (list === undefined) {
      this._moveAside(`does not hold a "${this._spec.key}" list`);
      return;
    }
    const valid: T[] = [];
    const droppedNames: string[] = [];
    for (const raw of list) {
      const parsed = this._spec.item.safeParse(raw);
      if (parsed.success) valid.push(parsed.data);
      else {
        const name = this._spec.nameOf?.(raw);
        if (name) droppedNames.push(name);
      }
    }
    const dropped = list.length - valid.length;
    if (dropped === 0) {
      this._items = valid;
      return;
    }
    const aside = this._moveAside(undefined, { dropped, total: list.length, names: droppedNames });
    this._items = valid;
    // The live file now holds only what could be read; the full original stays in the aside copy.
    if (aside && this._writable) {
      try {
        this.replace(valid);
      } catch (err) {
        this._notice('error', `Holdfast could not rewrite ${file}: ${describe(err)}`);
      }
    }
  }

  private _listIn(doc: unknown): unknown[] | undefined {
    if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) return undefined;
    const value = (doc as Record<string, unknown>)[this._spec.key];
    if (value === undefined && Object.keys(doc).length === 0) return [];
    return Array.isArray(value) ? value : undefined;
  }

  /**
   * Moves the file aside. `problem` says why the whole file was unusable; `partial` that only some items
   * were. Returns the aside path, or undefined when the file could not be moved or copied.
   */
  private _moveAside(problem: string | undefined, partial?: { dropped: number; total: number; names: string[] }): string | undefined {
    const file = this._backing.path;
    const { what } = this._spec;
    const aside = asideName(file, (this._options.now ?? Date.now)());
    let failure: unknown;
    try {
      fs.renameSync(file, aside);
    } catch (renameError) {
      try {
        fs.copyFileSync(file, aside, fs.constants.COPYFILE_EXCL);
      } catch {
        failure = renameError;
      }
    }
    if (failure !== undefined) {
      this._writable = false;
      this._unwritableReason = `Holdfast will not overwrite ${file}: it could not be read and could not be moved aside.`;
      const lead = partial ? `${partial.dropped} of ${partial.total} ${what} in ${file} could not be read` : `${file} ${problem}`;
      this._notice(
        'error',
        `${lead}, and the file could not be moved aside (${describe(failure)}). ` +
          `Holdfast started with the ${what} it could read and will not save changes to them until the file is fixed or removed.`,
      );
      return undefined;
    }
    if (partial) {
      const kept = partial.total - partial.dropped;
      const named = partial.names.length ? ` (${partial.names.map((n) => `“${n}”`).join(', ')}${partial.names.length < partial.dropped ? ' and others without a name' : ''})` : '';
      this._notice(
        'warning',
        `${partial.dropped} of ${partial.total} ${what} in ${file} could not be read and were left out${named}; ` +
          `the other ${kept} were kept. The original file was saved as ${aside}.`,
      );
    } else {
      this._notice('warning', `Holdfast could not load its ${what}: ${file} ${problem}. It was moved to ${aside}, and Holdfast started without it.`);
    }
    return aside;
  }

  private _notice(level: Notice['level'], message: string): void {
    this._options.onNotice?.({ level, message });
  }
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
