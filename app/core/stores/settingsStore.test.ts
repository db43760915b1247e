import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS, type Notice } from '../../shared/model';
import { createFileBacking } from './jsonFile';
import { SettingsStore } from './settingsStore';

let dir: string;
let file: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'holdfast-settings-'));
  file = path.join(dir, 'settings.json');
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('SettingsStore', () => {
  it('starts with the defaults and writes nothing until something changes', () => {
    const store = new SettingsStore(createFileBacking(file));
    expect(store.get()).toEqual(DEFAULT_SETTINGS);
    expect(fs.existsSync(file)).toBe(false);
  });

  it('keeps a change across a restart, and refuses a value out of range without changing anything', () => {
    const store = new SettingsStore(createFileBacking(file));
    store.update({ fontSize: 16, theme: 'light' });
    expect(() => store.update({ fontSize: 400 })).toThrow();
    const reopened = new SettingsStore(createFileBacking(file));
    expect(reopened.get()).toMatchObject({ fontSize: 16, theme: 'light', cursorBlink: DEFAULT_SETTINGS.cursorBlink });
  });

  it('keeps the fields it can read, defaults the others, names them, and saves the original aside', () => {
    const original = JSON.stringify({ version: 1, settings: { fontSize: 'huge', theme: 'light', bell: 'klaxon', futureField: 1 } });
    fs.writeFileSync(file, original);
    const notices: Notice[] = [];
    const store = new SettingsStore(createFileBacking(file), { onNotice: (n) => notices.push(n), now: () => 0 });
    expect(store.get()).toMatchObject({ theme: 'light', fontSize: DEFAULT_SETTINGS.fontSize, bell: DEFAULT_SETTINGS.bell });
    expect(notices.map((n) => n.message)).toEqual([expect.stringMatching(/Some settings in .* could not be read \(fontSize, bell\); they are back to their defaults/)]);
    expect(fs.readFileSync(`${file}.corrupt-1970-01-01T00-00-00.000Z`, 'utf8')).toBe(original);
  });

  it('moves a file that is not JSON aside and starts with the defaults', () => {
    fs.writeFileSync(file, '{"settings": {');
    const notices: Notice[] = [];
    const store = new SettingsStore(createFileBacking(file), { onNotice: (n) => notices.push(n), now: () => 0 });
    expect(store.get()).toEqual(DEFAULT_SETTINGS);
    expect(notices[0]!.message).toMatch(/could not load its settings/);
  });
});
