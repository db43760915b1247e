// The one builder on a real tmux, both ways commands reach it (a login shell over an exec channel, and a control-mode
// client's line): every kind of argument that carries text from elsewhere — a session or window name, a directory,
// a pane title, a start command — is given `#(…)`, `#{…}`, `;`, quotes, a line break and non-ASCII, and arrives as
// those characters. Nothing of it runs: each `#(touch …)` and `$(touch …)` names a file that must never appear.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSshd, type TestSshd } from '../../../test/harness/sshd';
import type { ISshConnection } from '../interfaces';
import { ControlClient, controlAttachCommand, replyText } from './control/client';
import { NEW_SESSION_FORMAT, parseNewSession } from './sessions';
import { shellQuote } from './shell';
import { connectToTestServer } from './testConnection';
import { controlLine, target, tmux, tmuxExec, type TmuxCommand } from './tmux';

const tag = randomBytes(3).toString('hex');

describe('every tmux argument from elsewhere arrives as its characters, and nothing in it runs', () => {
  let server: TestSshd;
  let conn: ISshConnection;
  let marks: string;
  let n = 0;
  /** A `touch` of a file that must never exist, and the file. */
  const trap = () => `${marks}/ran-${n++}`;

  /** Text that tmux, a shell or tmux's parser could each take for something else. */
  const hostile = (): string[] => [
    `#(touch ${trap()})`,
    `a #{session_name} #S #W #(touch ${trap()}) b`,
    `semi;colon ; touch ${trap()}`,
    'ends with;',
    'ends with \\;',
    ';',
    `it's "quoted" \`touch ${trap()}\` $(touch ${trap()}) $HOME ~`,
    'ünïcödé 日本語 🚀 {braces} ##',
    '-starts-with-dash',
  ];
  const withBreak = (): string => `line\nbreak #(touch ${trap()})`;
  /**
   * A name as tmux keeps it after new-session or a rename: made visible (utf8_stravis, C style), so a backslash is
   * doubled and a `$` that starts a variable name escaped. (A window named by new-window -n is kept as given.)
   */
  const stored = (name: string) => name.replace(/\\/g, '\\\\').replace(/\$(?=[A-Za-z_{])/g, '\\$');

  const exec = async (commands: TmuxCommand | TmuxCommand[]) => {
    const result = await conn.exec(tmuxExec(commands), { timeoutMs: 10_000 });
    if (result.code !== 0) throw new Error(`tmux failed (${result.code}): ${result.stderr}`);
    return result.stdout.replace(/\n$/, '');
  };
  const show = (format: string, t: ReturnType<typeof target.session>) => exec(tmux.displayMessage(format, t));
  const newSession = async (name: string, extra: { cwd?: string; command?: string } = {}) =>
    parseNewSession(await conn.exec(tmuxExec(tmux.newSession({ name, print: NEW_SESSION_FORMAT, cols: 80, rows: 24, ...extra })), { timeoutMs: 10_000 }));

  beforeAll(async () => {
    server = await startSshd();
    conn = await connectToTestServer(server);
    marks = `${server.home}/hf-marks-${tag}`;
    server.runAsUser(`rm -rf ${shellQuote(marks)}; mkdir -p ${shellQuote(marks)}`);
  });

  afterAll(async () => {
    try {
      server.runAsUser(`tmux list-sessions -F '#{session_id} #{session_name}' 2>/dev/null | grep ' hf-b-${tag}' | cut -d' ' -f1 | while read id; do tmux kill-session -t "$id"; done; true`);
      server.runAsUser(`rm -rf ${shellQuote(marks)}`);
    } catch {
      // best effort
    }
    conn?.dispose();
    await server?.dispose();
  });

  const nothingRan = () => expect(server.runAsUser(`cd ${shellQuote(marks)} && ls -d ran-* 2>/dev/null; true`).trim()).toBe('');

  it('over an exec channel: session names, directories, start commands, window names, titles and renames', async () => {
    for (const [i, value] of hostile().entries()) {
      // A session name: tmux keeps `:` and `.` out of names; these have neither.
      const made = await newSession(`hf-b-${tag}-${i} ${value}`);
      const session = target.session(made.id);
      expect(await show('#{session_name}', session)).toBe(stored(`hf-b-${tag}-${i} ${value}`));

      // A directory named like that, as the start directory of a session and of a window.
      const dir = `${marks}/dir-${i}-${value.replace(/\//g, '_')}`;
      server.runAsUser(`mkdir -p ${shellQuote(dir)}`);
      const inDir = await newSession(`hf-b-${tag}-dir-${i}`, { cwd: dir });
      expect(await show('#{session_path}', target.session(inDir.id))).toBe(dir);

      // A start command whose text holds the same, in a word the shell does not run.
      const withCommand = await newSession(`hf-b-${tag}-cmd-${i}`, { command: `: ${shellQuote(value)}; sleep 60` });
      expect(await show('#{pane_dead}', target.session(withCommand.id))).toBe('0');

      await exec(tmux.newWindow(target.sessionWindow(made.id), { name: value, cwd: dir }));
      expect(await show('#{window_name}', session)).toBe(value);
      await exec(tmux.renameWindow(session, `${value} renamed`));
      expect(await show('#{window_name}', session)).toBe(stored(`${value} renamed`));
      await exec(tmux.setPaneTitle(session, value));
      expect(await show('#{pane_title}', session)).toBe(value);
      await exec(tmux.renameSession(session, `hf-b-${tag}-${i} renamed ${value}`));
      expect(await show('#{session_name}', session)).toBe(stored(`hf-b-${tag}-${i} renamed ${value}`));
      // Two commands in one run: an argument ending in ";" does not end its command early.
      await exec([tmux.renameWindow(session, value), tmux.setPaneTitle(session, `${value} 2`)]);
      expect(await show('#{window_name}\t#{pane_title}', session)).toBe(`${stored(value)}\t${value} 2`);
    }
    // A line break cannot hurt a shell line either.
    const broken = withBreak();
    const made = await newSession(`hf-b-${tag}-nl`);
    await exec(tmux.renameWindow(target.session(made.id), broken));
    expect(await show('#{window_name}', target.session(made.id))).toBe('line\\nbreak ' + broken.slice(broken.indexOf('#(')));
    nothingRan();
  });

  it('on a control-mode line: window names, directories, titles and renames; a line break is refused, not sent', async () => {
    const made = await newSession(`hf-b-${tag}-control`);
    const session = target.session(made.id);
    const client = new ControlClient(await conn.openExec(controlAttachCommand(made.id, { pauseAfterSec: 10 })));
    try {
      await client.ready;
      const run = async (command: TmuxCommand) => {
        const reply = await client.command(command);
        expect(reply.ok, replyText(reply)).toBe(true);
        return replyText(reply).replace(/\n$/, '');
      };
      for (const [i, value] of hostile().entries()) {
        const dir = `${marks}/cdir-${i}-${value.replace(/\//g, '_')}`;
        server.runAsUser(`mkdir -p ${shellQuote(dir)}`);
        await run(tmux.newWindow(target.sessionWindow(made.id), { name: value, cwd: dir }));
        expect(await run(tmux.displayMessage('#{window_name}', session))).toBe(value);
        await run(tmux.splitWindow(session, 'down', { cwd: dir }));
        await run(tmux.renameWindow(session, `${value} renamed`));
        expect(await run(tmux.displayMessage('#{window_name}', session))).toBe(stored(`${value} renamed`));
        await run(tmux.setPaneTitle(session, value));
        expect(await run(tmux.displayMessage('#{pane_title}', session))).toBe(value);
        await run(tmux.renameSession(session, `hf-b-${tag}-control ${value}`));
        expect(await run(tmux.displayMessage('#{session_name}', session))).toBe(stored(`hf-b-${tag}-control ${value}`));
        const [a, b] = await client.group([tmux.renameWindow(session, value), tmux.setPaneTitle(session, `${value} 2`)]);
        expect(a?.ok && b?.ok).toBe(true);
        expect(await run(tmux.displayMessage('#{window_name}\t#{pane_title}', session))).toBe(`${stored(value)}\t${value} 2`);
      }
      await expect(client.command(tmux.renameWindow(session, withBreak()))).rejects.toMatchObject({ code: 'VALIDATION' });
      // The client still answers: nothing half-sent broke its line.
      expect(await run(tmux.displayMessage('#{session_id}', session))).toBe(made.id);
    } finally {
      client.dispose();
    }
    nothingRan();
  });

  it('every line a control client is given holds its text in single quotes, never bare', () => {
    const line = controlLine(tmux.renameWindow(target.window('@1'), `x'y #(id) ; z`));
    expect(line).toBe(`rename-window -t @1 -- 'x'\\''y ##(id) ; z'`);
  });
});
