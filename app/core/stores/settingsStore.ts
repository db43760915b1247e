// The app's settings, one JSON document `{ version, settings: { … } }` beside the profiles. Read field by field: a
// field that is missing takes its default, and one that cannot be read (a hand edit gone wrong) takes its default
// and is named in a notice, while the others are kept.
import { DEFAULT_SETTINGS, Settings, type SettingsPatch } from '../../shared/model';
import { type IJsonBacking, PersistedDocument, type StoreOptions } from './jsonFile';

type Key = keyof Settings;
const KEYS = Object.keys(Settings.shape) as Key[];

export interface ISettingsStore {
  get(): Settings;
  /** Applies a change and writes it; throws a zod error for a value out of range, changing nothing. */
  update(patch: SettingsPatch): Settings;
}

export class SettingsStore implements ISettingsStore {
  private readonly _doc: PersistedDocument<Settings>;

  constructor(backing: IJsonBacking, options: StoreOptions = {}) {
    this._doc = new PersistedDocument<Settings>(
      backing,
      {
        what: 'settings',
        empty: DEFAULT_SETTINGS,
        wrongShape: 'does not hold a "settings" object',
        read(doc) {
          const raw = doc.settings;
          if (raw === undefined && Object.keys(doc).length === 0) return { value: DEFAULT_SETTINGS };
          if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return undefined;
          const fields = raw as Record<string, unknown>;
          const value: Record<string, unknown> = {};
          const names: string[] = [];
          for (const key of KEYS) {
            if (!(key in fields)) continue;
            const parsed = Settings.shape[key].safeParse(fields[key]);
            if (parsed.success) value[key] = parsed.data;
            else names.push(key);
          }
          return { value: Settings.parse(value), lost: { count: names.length, total: KEYS.length, names } };
        },
        write: (settings) => ({ settings }),
        describeLost: (lost, file) => `Some settings in ${file} could not be read (${lost.names.join(', ')}); they are back to their defaults and the others were kept`,
      },
      options,
    );
  }

  get(): Settings {
    return { ...this._doc.value };
  }

  update(patch: SettingsPatch): Settings {
    const next = Settings.parse({ ...this._doc.value, ...patch });
    this._doc.replace(next);
    return { ...next };
  }
}

/** Settings in memory only (tests, and cores that keep no files). */
export class MemorySettingsStore implements ISettingsStore {
  private _value: Settings = DEFAULT_SETTINGS;
  get(): Settings {
    return { ...this._value };
  }
  update(patch: SettingsPatch): Settings {
    this._value = Settings.parse({ ...this._value, ...patch });
    return { ...this._value };
  }
}
