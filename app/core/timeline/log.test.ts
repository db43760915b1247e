import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { TimelineEntry } from '../../shared/model';
import { FileTimelineLog, MemoryTimelineLog } from './log';

const answer = (n: number, hostId = 'h1'): TimelineEntry => ({
  kind: 'answer',
  id: `a${n}`,
  at: 1000 + n,
  hostId,
  hostName: 'box',
  sessionId: '$1',
  sessionName: 'agent',
  tmuxPane: '%1',
  itemId: `${hostId}|%1`,
  pattern: 'claude-permission',
  question: 'Do you want to proceed?',
  prompt: ['Bash command', `  npm test ${n}`, 'Do you want to proceed?'],
  choice: 'Yes',
  device: { kind: 'window', label: 'this computer' },
});

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'hf-timeline-'));
  dirs.push(dir);
  return dir;
}

describe('the Timeline log', () => {
  it('appends entries as JSON lines to a file and reads them back after a restart, skipping a torn line', () => {
    const path = join(tempDir(), 'timeline.jsonl');
    const log = new FileTimelineLog(path);
    const seen: TimelineEntry[] = [];
    log.onDidAppend((e) => seen.push(e));
    log.append(answer(1));
    log.append(answer(2, 'h2'));
    expect(seen.map((e) => e.id)).toEqual(['a1', 'a2']);
    expect(readFileSync(path, 'utf8').trim().split('\n').map((l) => JSON.parse(l).id)).toEqual(['a1', 'a2']);
    // A write cut short by a crash leaves half a line: the next start skips it and keeps the rest.
    writeFileSync(path, `${readFileSync(path, 'utf8')}{"kind":"answer","id":"a3`);
    const again = new FileTimelineLog(path);
    expect(again.list().map((e) => e.id)).toEqual(['a1', 'a2']);
    expect(again.list({ hostId: 'h2' }).map((e) => e.id)).toEqual(['a2']);
  });

  it('stays within its size: past the budget the oldest entries go and the file is rewritten with the newest', () => {
    const path = join(tempDir(), 'timeline.jsonl');
    const budget = 4000;
    const log = new FileTimelineLog(path, budget);
    for (let i = 0; i < 100; i++) log.append(answer(i));
    expect(statSync(path).size).toBeLessThanOrEqual(budget);
    const kept = log.list();
    expect(kept.at(-1)!.id).toBe('a99');
    expect(kept.length).toBeLessThan(100);
    // What is on disk is what is kept, in order.
    expect(new FileTimelineLog(path, budget).list().map((e) => e.id)).toEqual(kept.map((e) => e.id));
  });

  it('exports JSON Lines, one entry a line, oldest first; the memory log keeps its budget too', () => {
    const log = new MemoryTimelineLog(3000);
    for (let i = 0; i < 50; i++) log.append(answer(i));
    const lines = MemoryTimelineLog.toJsonLines(log.list()).trim().split('\n');
    expect(lines.length).toBe(log.list().length);
    expect(JSON.parse(lines.at(-1)!)).toEqual(answer(49));
    expect(lines.join('\n').length).toBeLessThanOrEqual(3000);
  });
});
