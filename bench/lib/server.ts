// The bench's own sshd and tmux. The tmux server is the bench's alone (its own TMUX_TMPDIR, set for every ssh
// session by sshd's SetEnv), so integration tests that kill the test user's tmux server cannot disturb a run.
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSshd, type SshdOptions, type TestSshd } from '../../test/harness/sshd';

export interface BenchServer {
  sshd: TestSshd;
  /** Runs a tmux command line (without the leading "tmux") on the bench's tmux server, as the test user. */
  tmux(args: string): string;
  /** A fresh session running bash, status line off (nothing but the shell draws), with `history` lines kept. */
  newSession(name: string, options?: { history?: number }): void;
  dispose(): Promise<void>;
}

export async function startBenchServer(options: SshdOptions = {}): Promise<BenchServer> {
  const tmuxDir = mkdtempSync(join(tmpdir(), 'hf-bench-tmux-'));
  chmodSync(tmuxDir, 0o1777);
  const sshd = await startSshd({ ...options, extraConfig: `SetEnv TMUX_TMPDIR=${tmuxDir}\n${options.extraConfig ?? ''}` });
  const tmux = (args: string) => sshd.runAsUser(`TMUX_TMPDIR=${tmuxDir} tmux ${args}`);
  return {
    sshd,
    tmux,
    newSession(name, opts = {}) {
      tmux(`kill-session -t '=${name}' 2>/dev/null; true`);
      // One invocation, so that the history limit is set before the session (and its pane) exists.
      tmux(`start-server \\; set -g history-limit ${opts.history ?? 2000} \\; set -g status off \\; new-session -d -s '${name}' -x 120 -y 40 bash`);
    },
    async dispose() {
      try {
        tmux('kill-server 2>/dev/null; true');
      } catch {
        /* already gone */
      }
      await sshd.dispose();
      rmSync(tmuxDir, { recursive: true, force: true });
    },
  };
}
