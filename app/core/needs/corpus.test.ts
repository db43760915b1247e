// The screens corpus (test/fixtures/screens): real prompts reproduced from the agents' own renderers and from common
// programs, and look-alikes that are not waiting (a log line, a diff or a README that shows a prompt, a prompt
// already answered). Every real prompt must be found, with what it approves inside its region; no look-alike may
// get an answer button. The test prints precision and recall.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { detectWaiting, promptFingerprint, type Screen } from './patterns';

interface Case {
  name: string;
  source: string;
  /** The pattern that must match, or 'none'. */
  expect: string;
  /** Text the region must contain: what the answer approves. */
  actions: string[];
  screen: Screen;
}

const DIR = join(process.cwd(), 'test', 'fixtures', 'screens');

function load(file: string): Case {
  const text = readFileSync(join(DIR, file), 'utf8');
  const split = text.indexOf('\n----\n');
  const header = text.slice(0, split).split('\n');
  const lines = text.slice(split + 6).replace(/\n$/, '').split('\n');
  const field = (name: string) => header.filter((l) => l.startsWith(`# ${name}: `)).map((l) => l.slice(name.length + 4));
  const cursor = field('cursor')[0] ?? 'none';
  let lastContent = lines.length - 1;
  while (lastContent > 0 && lines[lastContent]!.trim() === '') lastContent--;
  const cursorY = cursor === 'none' ? undefined : cursor === 'last' ? lastContent : cursor === 'next' ? lastContent + 1 : Number(cursor);
  // Rows below the content, as a pane of 40 rows shows them.
  while (lines.length < 40) lines.push('');
  return {
    name: file.replace(/\.txt$/, ''),
    source: field('source')[0] ?? '',
    expect: field('expect')[0] ?? '',
    actions: field('action'),
    screen: { lines, ...(cursorY !== undefined ? { cursorY } : {}) },
  };
}

const cases = readdirSync(DIR)
  .filter((f) => f.endsWith('.txt'))
  .sort()
  .map(load);

describe('the screens corpus', () => {
  it('has at least 40 screens, real prompts and look-alikes, each naming its source', () => {
    expect(cases.length).toBeGreaterThanOrEqual(40);
    expect(cases.filter((c) => c.expect === 'none').length).toBeGreaterThanOrEqual(15);
    for (const c of cases) expect(c.source, c.name).not.toBe('');
  });

  it('finds every real prompt and answers no look-alike (precision and recall printed)', () => {
    let truePositive = 0;
    let falsePositive = 0;
    let falseNegative = 0;
    let trueNegative = 0;
    const wrong: string[] = [];
    for (const c of cases) {
      const match = detectWaiting(c.screen);
      const real = c.expect !== 'none';
      if (real && match?.pattern === c.expect) truePositive++;
      else if (real) {
        falseNegative++;
        wrong.push(`${c.name}: expected ${c.expect}, got ${match?.pattern ?? 'nothing'}`);
      } else if (match) {
        falsePositive++;
        wrong.push(`${c.name}: a look-alike matched ${match.pattern} ("${match.question}")`);
      } else trueNegative++;
    }
    const precision = truePositive / Math.max(1, truePositive + falsePositive);
    const recall = truePositive / Math.max(1, truePositive + falseNegative);
    console.log(
      `screens corpus: ${cases.length} screens (${truePositive + falseNegative} prompts, ${falsePositive + trueNegative} look-alikes): ` +
        `precision ${precision.toFixed(3)}, recall ${recall.toFixed(3)} (TP ${truePositive}, FP ${falsePositive}, FN ${falseNegative}, TN ${trueNegative})`,
    );
    expect(wrong).toEqual([]);
  });

  it('puts what each real prompt approves inside its region, and so inside its fingerprint', () => {
    for (const c of cases.filter((x) => x.expect !== 'none')) {
      const match = detectWaiting(c.screen)!;
      expect(c.actions.length, `${c.name} names its action`).toBeGreaterThan(0);
      const region = match.lines.join('\n');
      for (const action of c.actions) expect(region, c.name).toContain(action.trim());
      // Changing the action changes the fingerprint.
      const changed = { ...c.screen, lines: c.screen.lines.map((l) => (l.includes(c.actions[0]!.trim()) ? l.replace(c.actions[0]!.trim(), c.actions[0]!.trim().replace(/\S(?=\S*$)/, '#')) : l)) };
      const other = detectWaiting(changed);
      if (other) expect(promptFingerprint(other), c.name).not.toBe(promptFingerprint(match));
      // The question and every choice are inside the region too.
      expect(region, c.name).toContain(match.question.replace(/\?$/, ''));
    }
  });
});
