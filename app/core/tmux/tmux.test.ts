import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { controlLine, target, tmux, tmuxExec } from './tmux';

/** A stand-in tmux that prints the arguments it was given, first on the PATH. */
const fakeBin = mkdtempSync(join(tmpdir(), 'hf-fake-tmux-'));
writeFileSync(join(fakeBin, 'tmux'), '#!/bin/sh\nfor a in "$@"; do printf "%s\\0" "$a"; done\n', { mode: 0o755 });
afterAll(() => rmSync(fakeBin, { recursive: true, force: true }));

function argvUnder(shell: string, commandLine: string): string[] {
  const out = execFileSync(shell, ['-c', commandLine], { encoding: 'utf8', env: { ...process.env, PATH: `${fakeBin}:/usr/bin:/bin` } });
  return out.split('\0').slice(0, -1);
}

describe('the tmux builder', () => {
  it('doubles every "#" of text tmux expands as a format, and only there', () => {
    const argv = argvUnder('/bin/sh', tmuxExec(tmux.newSession({ name: 'a#(id)', cwd: '/x/#{pane_id}', command: 'echo #(id)', print: '#{session_id}' })));
    expect(argv).toEqual(['-u', 'new-session', '-d', '-P', '-F', '#{session_id}', '-s', 'a##(id)', '-c', '/x/##{pane_id}', '--', 'echo #(id)']);
  });

  it('keeps an argument that ends in ";" from ending its command (tmux reads "\\;" as a ";")', () => {
    for (const shell of ['/bin/sh', '/bin/bash', '/usr/bin/fish']) {
      const argv = argvUnder(shell, tmuxExec([tmux.renameWindow(target.window('@1'), 'a;'), tmux.renameWindow(target.window('@2'), ';')]));
      expect(argv).toEqual(['-u', 'rename-window', '-t', '@1', '--', 'a\\;', ';', 'rename-window', '-t', '@2', '--', '\\;']);
    }
  });

  it('puts "--" before a name, so that one starting with "-" is not read as flags', () => {
    expect(controlLine(tmux.renameSession(target.session('$1'), '-t%0'))).toBe('rename-session -t \'$1\' -- -t%0');
  });

  it('makes targets from ids only', () => {
    expect(target.session('$12').target).toBe('$12');
    expect(target.sessionWindow('$1').target).toBe('$1:');
    expect(target.window('@3').target).toBe('@3');
    expect(target.pane('%4').target).toBe('%4');
    for (const bad of ['$1; kill-server', '=name', '1', '', '%', 'x%1']) {
      expect(() => target.pane(bad)).toThrow(/Not a tmux pane id/);
      expect(() => target.session(bad)).toThrow(/Not a tmux session id/);
    }
  });

  it('writes keys as two hex digits a byte', () => {
    expect(controlLine(tmux.sendKeysHex(target.pane('%2'), Uint8Array.from([0, 0x1b, 0x7f, 0xc3, 0xa9])))).toBe('send-keys -H -t %2 00 1b 7f c3 a9');
  });

  it('joins a control-mode group with " ; " and refuses a line break anywhere', () => {
    expect(controlLine([tmux.selectWindow(target.window('@1')), tmux.selectPane(target.pane('%1'))])).toBe('select-window -t @1 ; select-pane -t %1');
    expect(() => controlLine(tmux.setPaneTitle(target.pane('%1'), 'a\nb'))).toThrow(/line break/);
    expect(() => controlLine([])).toThrow();
  });

  it('marks refresh-client -A as flow control (its reply carries %pause/%continue), and nothing else', () => {
    expect(tmux.refreshClientFlow(target.pane('%3'), 'continue').isFlowControl).toBe(true);
    expect(tmux.refreshClientSize(80, 24).isFlowControl).toBe(false);
    expect(controlLine(tmux.refreshClientFlow(target.pane('%3'), 'pause'))).toBe('refresh-client -A %3:pause');
  });
});
