// Rescue as the user sees it: a program running in a terminal outside tmux shows under its host as Not protected;
// Move into tmux shows the exact command first, then the program runs on in a new tmux session, opened as a tab.
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { addHost, expect, openHostAcceptingKey, terminalText, test } from './fixtures';

test('lists a program outside tmux as Not protected, and Move into tmux moves it, showing the command first', async ({ page, sshd, webHost }) => {
  const dir = mkdtempSync(join(tmpdir(), 'hf-e2e-rescue-'));
  chmodSync(dir, 0o755);
  // It counts, keeping the count in memory, and waits with a builtin (no children: reptyr takes it over by itself).
  writeFileSync(join(dir, 'claude'), '#!/bin/bash\nexec 9<> <(:)\nn=0\nwhile :; do n=$((n+1)); echo "count $n"; read -t 0.2 -u 9 _; done\n');
  chmodSync(join(dir, 'claude'), 0o755);
  // The agent in a bare `ssh` session with a terminal, as a user starts it by hand.
  const bare: ChildProcess = spawn(
    'ssh',
    ['-tt', '-i', sshd.clientKeyPath, '-p', String(sshd.port), '-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null', '-o', 'LogLevel=ERROR', `${sshd.user}@${sshd.host}`, `cd ${dir} && exec ${join(dir, 'claude')}`],
    { stdio: ['pipe', 'ignore', 'ignore'], detached: true },
  );
  try {
    await page.goto(webHost.url);
    await addHost(page, { name: 'rescue host', host: sshd.host, port: sshd.port, user: sshd.user, privateKey: sshd.clientKeyPath });
    await openHostAcceptingKey(page, 'rescue host', sshd.hostKeyFingerprint);
    const block = page.getByTestId('rescue');
    await expect(block).toContainText('Not protected');
    const item = block.getByTestId('rescue-item').filter({ hasText: 'claude' });
    await expect(item).toContainText(dir);
    await item.getByRole('button', { name: 'Move into tmux' }).click();
    const dialog = page.getByTestId('rescue-dialog');
    await expect(dialog.getByTestId('rescue-command')).toContainText('reptyr');
    await dialog.getByRole('button', { name: 'Move into tmux' }).click();
    const pane = page.locator('[data-testid="pane"]:not([hidden])');
    await expect(pane).toHaveAttribute('data-pane-state', 'attached');
    await expect(page.getByTestId('tab').filter({ hasText: 'claude-hf-e2e-rescue' })).toHaveCount(1);
    // It counts on in the tab, past where it was.
    await expect.poll(async () => Math.max(0, ...[...(await terminalText(page)).matchAll(/count (\d+)/g)].map((m) => Number(m[1]))), { timeout: 20_000 }).toBeGreaterThan(5);
    await expect(page.getByTestId('rescue-item').filter({ hasText: 'claude' })).toHaveCount(0, { timeout: 20_000 });
  } finally {
    if (bare.pid) {
      try {
        process.kill(-bare.pid, 'SIGKILL');
      } catch {
        // Gone already.
      }
    }
    sshd.runAsUser(`pkill -x claude 2>/dev/null; tmux ls -F '#{session_name}' 2>/dev/null | grep '^claude-hf-e2e-rescue' | xargs -r -n1 -I{} tmux kill-session -t '={}'; true`);
    rmSync(dir, { recursive: true, force: true });
  }
});
