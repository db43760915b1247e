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
 * How a store reads its part of the document. `read` returns the value and what could not be read of it (kept out,
 * named for the user), or undefined when the document is not of this store's shape at all.
 */
export interface DocumentSpec<T> {
  /** What is kept, in the user's words, for notices: "host profiles", "settings". */
  what: string;
  /** The value of a file that does not exist yet. */
  empty: T;
  /** What is wrong with a document `read` refuses, e.g. `does not hold a "profiles" list`. */
  wrongShape: string;
  read(doc: Record<string, unknown>): { value: T; lost?: { count: number; total: number; names: string[] } } | undefined;
  /** The document to write for a value (the store adds `version`). */
  write(value: T): Record<string, unknown>;
  /** Says what a `lost` part means, e.g. "2 of 4 host profiles … were left out". */
  describeLost?(lost: { count: number; total: number; names: string[] }, file: string): string;
}

/**
 * A value kept as one JSON document `{ "version": 1, … }`, checked when the file is read: a file that cannot be
 * read at all is moved aside (its bytes intact) and the store starts empty; a file of which only some parts can
 * be read keeps the rest, and the original is saved aside too. Holds the value in memory and writes the whole
 * document on every change.
 */
export class PersistedDocument<T> {
  private _value: T;
  /** False when a broken file could not be moved aside: writing would destroy the user's bytes. */
  private _writable = true;
  private _unwritableReason = '';

  constructor(
    private readonly _backing: IJsonBacking,
    private readonly _spec: DocumentSpec<T>,
    private readonly _options: StoreOptions = {},
  ) {
    this._value = _spec.empty;
    this._load();
  }

  get value(): T {
    return this._value;
  }

  /** Replaces the value and writes it. Throws (leaving the value unchanged) when the file cannot be written. */
  replace(value: T): void {
    if (!this._writable) throw new Error(this._unwritableReason);
    this._backing.write({ version: 1, ...this._spec.write(value) });
    this._value = value;
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
    const read = typeof doc === 'object' && doc !== null && !Array.isArray(doc) ? this._spec.read(doc as Record<string, unknown>) : undefined;
    if (read === undefined) {
      this._moveAside(this._spec.wrongShape);
      return;
    }
    this._value = read.value;
    if (!read.lost || read.lost.count === 0) return;
    const aside = this._moveAside(undefined, read.lost);
    // The live file now holds only what could be read; the full original stays in the aside copy.
    if (aside && this._writable) {
      try {
        this.replace(read.value);
      } catch (err) {
        this._notice('error', `Holdfast could not rewrite ${file}: ${describe(err)}`);
      }
    }
  }

  /**
   * Moves the file aside. `problem` says why the whole file was unusable; `lost` that only some parts were.
   * Returns the aside path, or undefined when the file could not be moved or copied.
   */
  private _moveAside(problem: string | undefined, lost?: { count: number; total: number; names: string[] }): string | undefined {
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
    const lostText = lost && (this._spec.describeLost?.(lost, file) ?? `${lost.count} of ${lost.total} ${what} in ${file} could not be read`);
    if (failure !== undefined) {
      this._writable = false;
      this._unwritableReason = `Holdfast will not overwrite ${file}: it could not be read and could not be moved aside.`;
      this._notice(
        'error',
        `${lostText ?? `${file} ${problem}`}, and the file could not be moved aside (${describe(failure)}). ` +
          `Holdfast started with the ${what} it could read and will not save changes to them until the file is fixed or removed.`,
      );
      return undefined;
    }
    if (lostText) this._notice('warning', `${lostText}. The original file was saved as ${aside}.`);
    else this._notice('warning', `Holdfast could not load its ${what}: ${file} ${problem}. It was moved to ${aside}, and Holdfast started without it.`);
    return aside;
  }

  private _notice(level: Notice['level'], message: string): void {
    this._options.onNotice?.({ level, message });
  }
}

/**
 * A list of items kept in one JSON document, `{ "version": 1, "<key>": [ ... ] }`, each item checked with a zod
 * schema when the file is read; items that do not fit are left out (and named in the notice).
 */
export class PersistedList<T> {
  private readonly _doc: PersistedDocument<T[]>;

  constructor(
    backing: IJsonBacking,
    spec: {
      /** The array's key in the document, e.g. "profiles". */
      key: string;
      /** What the items are, in the user's words, for notices: "host profiles". */
      what: string;
      item: z.ZodType<T>;
      /** How to name an item that could not be read, for the notice (e.g. a profile's name); undefined if unknown. */
      nameOf?: (raw: unknown) => string | undefined;
    },
    options: StoreOptions = {},
  ) {
    this._doc = new PersistedDocument<T[]>(
      backing,
      {
        what: spec.what,
        empty: [],
        wrongShape: `does not hold a "${spec.key}" list`,
        read(doc) {
          const list = doc[spec.key];
          if (list === undefined && Object.keys(doc).length === 0) return { value: [] };
          if (!Array.isArray(list)) return undefined;
          const value: T[] = [];
          const names: string[] = [];
          for (const raw of list) {
            const parsed = spec.item.safeParse(raw);
            if (parsed.success) value.push(parsed.data);
            else {
              const name = spec.nameOf?.(raw);
              if (name) names.push(name);
            }
          }
          return { value, lost: { count: list.length - value.length, total: list.length, names } };
        },
        write: (items) => ({ [spec.key]: items }),
        describeLost(lost, file) {
          const kept = lost.total - lost.count;
          const named = lost.names.length ? ` (${lost.names.map((n) => `“${n}”`).join(', ')}${lost.names.length < lost.count ? ' and others without a name' : ''})` : '';
          return `${lost.count} of ${lost.total} ${spec.what} in ${file} could not be read and were left out${named}; the other ${kept} were kept`;
        },
      },
      options,
    );
  }

  get items(): readonly T[] {
    return this._doc.value;
  }

  /** Replaces the list and writes it. Throws (leaving the list unchanged) when the file cannot be written. */
  replace(items: T[]): void {
    this._doc.replace(items);
  }
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
