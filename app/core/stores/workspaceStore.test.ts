import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Notice } from '../../shared/model';
import { createFileBacking } from './jsonFile';
import { WorkspaceStore } from './workspaceStore';

let dir: string;
let file: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'holdfast-workspace-'));
  file = path.join(dir, 'workspace.json');
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('WorkspaceStore', () => {
  it('keeps the tab set and the active tab across a restart', () => {
    const store = new WorkspaceStore(createFileBacking(file));
    expect(store.get()).toEqual({ tabs: [] });
    store.save({ tabs: [{ hostId: 'h1', sessionName: 'build', sessionId: '$3' }, { hostId: 'h2', sessionName: 'agent', startCommand: 'claude' }], active: 1 });
    const reopened = new WorkspaceStore(createFileBacking(file));
    expect(reopened.get()).toEqual({ tabs: [{ hostId: 'h1', sessionName: 'build', sessionId: '$3' }, { hostId: 'h2', sessionName: 'agent', startCommand: 'claude' }], active: 1 });
  });

  it('leaves out a tab it cannot read, names it, keeps the others and follows the active one', () => {
    const original = JSON.stringify({
      version: 1,
      workspace: { tabs: [{ hostId: 'h1', sessionName: 'a' }, { hostId: 7, sessionName: 'broken' }, { hostId: 'h1', sessionName: 'c', sessionId: '$1' }], active: 2 },
    });
    fs.writeFileSync(file, original);
    const notices: Notice[] = [];
    const store = new WorkspaceStore(createFileBacking(file), { onNotice: (n) => notices.push(n), now: () => 0 });
    expect(store.get()).toEqual({ tabs: [{ hostId: 'h1', sessionName: 'a' }, { hostId: 'h1', sessionName: 'c', sessionId: '$1' }], active: 1 });
    expect(notices.map((n) => n.message)).toEqual([expect.stringMatching(/1 of 3 saved tabs in .* could not be read \(broken\)/)]);
  });

  it('moves a file that is not JSON aside and starts with no tabs', () => {
    fs.writeFileSync(file, '{ not json');
    const notices: Notice[] = [];
    const store = new WorkspaceStore(createFileBacking(file), { onNotice: (n) => notices.push(n), now: () => 0 });
    expect(store.get()).toEqual({ tabs: [] });
    expect(notices).toHaveLength(1);
    expect(fs.readFileSync(`${file}.corrupt-1970-01-01T00-00-00.000Z`, 'utf8')).toBe('{ not json');
  });
});
