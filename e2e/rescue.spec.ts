// Rescue as the user sees it: a program running in a terminal outside tmux shows under its host as Not protected;
// Move into tmux shows the exact command first, then the program runs on in a new tmux session, opened as a tab. An
// agent in the middle of a tool call (a child process) cannot be moved yet: the dialog names the child, offers Resume
// in tmux, and can wait to move it as soon as it runs alone. Resuming an agent whose command is not found shows what
// it printed in its tab.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import type { TestSshd } from '../test/harness/sshd';
import { addHost, expect, openHostAcceptingKey, terminalText, test } from './fixtures';

const shots = process.env.HOLDFAST_SHOTS;
const DESKTOP = { width: 1440, height: 900 };
const PHONE = { width: 390, height: 844 };

/** Screenshots of what is on screen now, at desktop and phone sizes (HOLDFAST_SHOTS=dir). */
async function shoot(page: Page, name: string): Promise<void> {
  if (!shots) return;
  await page.screenshot({ path: `${shots}/${name}-1440.png` });
  await page.setViewportSize(PHONE);
  await page.screenshot({ path: `${shots}/${name}-390.png` });
  await page.setViewportSize(DESKTOP);
}

/**
 * A fake agent named `claude` that counts, keeping the count in memory, and waits with a builtin (a read on a FIFO
 * nobody writes: no child process, not even for a moment). With `child`, it first starts one (a tool call).
 */
function agentDir(child?: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'hf-e2e-rescue-'));
  chmodSync(dir, 0o755);
  spawnSync('mkfifo', ['-m', '0666', join(dir, 'wait.fifo')]);
  writeFileSync(join(dir, 'claude'), `#!/bin/bash\nexec 9<> "\${0%/*}/wait.fifo"\n${child ? `${child} &\n` : ''}n=0\nwhile :; do n=$((n+1)); echo "count $n"; read -t 0.2 -u 9 _; done\n`);
  chmodSync(join(dir, 'claude'), 0o755);
  return dir;
}

/** The agent in a bare `ssh` session with a terminal, as a user starts it by hand. */
function startBare(sshd: TestSshd, dir: string): ChildProcess {
  return spawn(
    'ssh',
    ['-tt', '-i', sshd.clientKeyPath, '-p', String(sshd.port), '-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null', '-o', 'LogLevel=ERROR', `${sshd.user}@${sshd.host}`, `cd ${dir} && exec ${join(dir, 'claude')}`],
    { stdio: ['pipe', 'ignore', 'ignore'], detached: true },
  );
}

function cleanUp(sshd: TestSshd, bare: ChildProcess, dir: string): void {
  if (bare.pid) {
    try {
      process.kill(-bare.pid, 'SIGKILL');
    } catch {
      // Gone already.
    }
  }
  // The patterns never match this shell's own command line ([c], -x).
  sshd.runAsUser(`pkill -u "$(id -u)" -f '${dir}/[c]laude' 2>/dev/null; pkill -u "$(id -u)" -x -f 'sleep 100017' 2>/dev/null; tmux ls -F '#{session_name}' 2>/dev/null | grep '^claude-hf-e2e-rescue' | xargs -r -I{} tmux kill-session -t '={}'; true`);
  rmSync(dir, { recursive: true, force: true });
}

const lastCount = async (page: Page) => Math.max(0, ...[...(await terminalText(page)).matchAll(/count (\d+)/g)].map((m) => Number(m[1])));

test('lists a program outside tmux as Not protected, and Move into tmux moves it, showing the command first', async ({ page, sshd, webHost }) => {
  const dir = agentDir();
  const bare = startBare(sshd, dir);
  try {
    await page.setViewportSize(DESKTOP);
    await page.goto(webHost.url);
    await addHost(page, { name: 'rescue host', host: sshd.host, port: sshd.port, user: sshd.user, privateKey: sshd.clientKeyPath });
    await openHostAcceptingKey(page, 'rescue host', sshd.hostKeyFingerprint);
    const block = page.getByTestId('rescue');
    await expect(block).toContainText('Not protected');
    const item = block.getByTestId('rescue-item').filter({ hasText: 'claude' });
    await expect(item).toContainText(dir);
    const pid = await item.getAttribute('data-pid');
    await shoot(page, 'rescue-list');
    await item.getByRole('button', { name: 'Move into tmux' }).click();
    const dialog = page.getByTestId('rescue-dialog');
    // What runs in the session (it checks the process right before reptyr takes it over), and the exact command line.
    await expect(dialog.getByTestId('rescue-program')).toContainText(`p=${pid}; want=`);
    await expect(dialog.getByTestId('rescue-program')).toContainText('exec reptyr "$p"');
    const command = dialog.getByTestId('rescue-command');
    await expect(command).toContainText(`p=${pid}; want=`);
    await expect(command).toContainText('new-session -d -P -F');
    await expect(command).toContainText(`-c ${dir} --`);
    await shoot(page, 'rescue-move');
    await dialog.getByRole('button', { name: 'Move into tmux' }).click();
    const pane = page.locator('[data-testid="pane"]:not([hidden])');
    await expect(pane).toHaveAttribute('data-pane-state', 'attached');
    await expect(page.getByTestId('tab').filter({ hasText: 'claude-hf-e2e-rescue' })).toHaveCount(1);
    // It counts on in the tab, past where it was.
    await expect.poll(() => lastCount(page), { timeout: 20_000 }).toBeGreaterThan(5);
    // Protected now: not listed, and not gone either (it runs, in its tab).
    await page.locator('.session-actions').getByRole('button', { name: 'Refresh' }).click();
    await expect(page.getByTestId('rescue-item').filter({ hasText: 'claude' })).toHaveCount(0, { timeout: 20_000 });
    await expect(page.getByTestId('rescue-gone')).toHaveCount(0);
  } finally {
    cleanUp(sshd, bare, dir);
  }
});

test('an agent with a child cannot be moved yet: the dialog names the child, offers Resume in tmux, and moves it once it runs alone', async ({ page, sshd, webHost }) => {
  const dir = agentDir('sleep 100017');
  const bare = startBare(sshd, dir);
  try {
    await page.setViewportSize(DESKTOP);
    await page.goto(webHost.url);
    await addHost(page, { name: 'busy host', host: sshd.host, port: sshd.port, user: sshd.user, privateKey: sshd.clientKeyPath });
    await openHostAcceptingKey(page, 'busy host', sshd.hostKeyFingerprint);
    const item = page.getByTestId('rescue-item').filter({ hasText: dir });
    await item.getByRole('button', { name: 'Move into tmux' }).click();
    const dialog = page.getByTestId('rescue-dialog');
    const children = dialog.getByTestId('rescue-children');
    await expect(children).toContainText('sleep');
    await expect(children).toContainText('runs other programs now');
    await expect(dialog.getByRole('button', { name: 'Resume in tmux' })).toBeVisible();
    await expect(dialog.getByRole('button', { name: 'Move into tmux' })).toHaveCount(0);
    await shoot(page, 'rescue-children');
    await dialog.getByRole('button', { name: 'Move when they end' }).click();
    await expect(dialog.getByTestId('rescue-waiting')).toContainText('Waiting for them to end');
    await expect(dialog.getByRole('button', { name: 'Cancel' })).toBeEnabled();
    await shoot(page, 'rescue-waiting');
    // The tool call ends: it is moved at once, and its tab opens.
    sshd.runAsUser(`pkill -u "$(id -u)" -x -f 'sleep 100017'`);
    await expect(dialog).toHaveCount(0, { timeout: 30_000 });
    await expect(page.getByTestId('tab').filter({ hasText: 'claude-hf-e2e-rescue' })).toHaveCount(1);
    await expect.poll(() => lastCount(page), { timeout: 20_000 }).toBeGreaterThan(5);
  } finally {
    cleanUp(sshd, bare, dir);
  }
});

test('Resume in tmux of an agent whose command is not found shows what it printed in its tab, and the command to run again', async ({ page, sshd, webHost }) => {
  const dir = agentDir();
  const bare = startBare(sshd, dir);
  try {
    await page.setViewportSize(DESKTOP);
    await page.goto(webHost.url);
    await addHost(page, { name: 'gone host', host: sshd.host, port: sshd.port, user: sshd.user, privateKey: sshd.clientKeyPath });
    await openHostAcceptingKey(page, 'gone host', sshd.hostKeyFingerprint);
    await expect(page.getByTestId('rescue-item').filter({ hasText: dir })).toHaveCount(1);
    // The link drops: the agent ends with its SSH session.
    process.kill(-bare.pid!, 'SIGKILL');
    const refresh = page.locator('.session-actions').getByRole('button', { name: 'Refresh' });
    const gone = page.getByTestId('rescue-gone').filter({ hasText: dir });
    await expect
      .poll(async () => {
        await refresh.click();
        return gone.count();
      })
      .toBe(1);
    await expect(gone).toContainText('gone (was outside tmux)');
    await gone.getByRole('button', { name: 'Resume in tmux' }).click();
    const dialog = page.getByTestId('rescue-dialog');
    await expect(dialog.getByTestId('rescue-command')).toContainText('claude --continue');
    await dialog.getByRole('button', { name: 'Resume in tmux' }).click();
    // No claude on this server: the tab says the command ended at once, with what it printed.
    const overlay = page.getByTestId('pane-overlay');
    await expect(overlay).toContainText('ended at once');
    await expect(overlay.getByTestId('command-output')).toContainText('claude: command not found');
    await expect(overlay).toContainText('claude --continue');
    await expect(overlay.getByRole('button', { name: 'Run again' })).toBeVisible();
    await shoot(page, 'rescue-resume-exited');
    await expect(page.getByTestId('rescue-gone')).toHaveCount(0);
  } finally {
    cleanUp(sshd, bare, dir);
  }
});
