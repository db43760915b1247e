// Issue 4 as the user sees it: the link dies, the pane says "Reconnecting", keys typed meanwhile are discarded
// and it says so, Retry now reconnects at once, and the pane comes back attached with the session's newest
// output. Also: a session that is gone after the reconnect offers Recreate.
import { TERMINAL_RESET_BYTES } from '../app/core/pane/terminalReset';
import { addHost, expect, openHostAcceptingKey, terminalRawTail, terminalText, test } from './fixtures';

test('reattaches a pane by itself after the server drops the connection, discarding keys typed meanwhile', async ({ page, sshd, webHost }) => {
  sshd.runAsUser("tmux kill-session -t =e2e-counter 2>/dev/null; tmux new-session -d -s e2e-counter -x 100 -y 30 'i=0; while :; do echo tick-$i; i=$((i+1)); sleep 0.5; done'");
  await page.goto(webHost.url);
  await addHost(page, { name: 'flaky', host: sshd.host, port: sshd.port, user: sshd.user, privateKey: sshd.clientKeyPath });
  await openHostAcceptingKey(page, 'flaky', sshd.hostKeyFingerprint);
  await page.getByTestId('session-row').filter({ hasText: 'e2e-counter' }).click();
  const pane = page.locator('[data-testid="pane"]:not([hidden])');
  await expect(pane).toHaveAttribute('data-pane-state', 'attached');
  await expect.poll(() => terminalText(page)).toMatch(/tick-\d+/);

  // The server goes away: nothing listens, and the live connection is cut.
  await sshd.stop();
  expect(sshd.dropConnections()).toBeGreaterThan(0);
  await expect(pane).toHaveAttribute('data-pane-state', 'reconnecting');
  await expect(pane.getByTestId('pane-overlay')).toContainText('Reconnecting');
  const lastBefore = Math.max(...[...(await terminalText(page)).matchAll(/tick-(\d+)/g)].map((m) => Number(m[1])));

  // Typed during the outage: never replayed into the shell, and the pane says so.
  // The overlay covers the terminal; the keyboard focus stays in xterm.js, as it does for someone typing when the link dies.
  await pane.locator('textarea.xterm-helper-textarea').focus();
  await page.keyboard.type('echo typed-during-outage');
  await expect(pane.getByTestId('pane-note')).toContainText(/discarded/i);

  // The server comes back; the next automatic attempt (backoff) finds it without any click.
  await sshd.start();
  await expect(pane).toHaveAttribute('data-pane-state', 'attached', { timeout: 45_000 });
  await expect(pane.getByTestId('pane-overlay')).toHaveCount(0);
  // The counter kept running on the server; its newest lines are on screen after the reattach.
  await expect
    .poll(async () => Math.max(-1, ...[...(await terminalText(page)).matchAll(/tick-(\d+)/g)].map((m) => Number(m[1]))))
    .toBeGreaterThan(lastBefore + 2);
  expect(sshd.runAsUser("tmux capture-pane -p -S - -t e2e-counter")).not.toContain('typed-during-outage');
  // No stray escape codes on screen from the old stream or the reset.
  expect(await terminalText(page)).not.toMatch(/\[\?\d+[hl]/);
  // In the raw stream the terminal got, the reset came before the reattached session's output.
  const raw = await terminalRawTail(page);
  const reset = raw.lastIndexOf(Buffer.from(TERMINAL_RESET_BYTES));
  expect(reset).toBeGreaterThanOrEqual(0);
  expect(raw.subarray(reset + TERMINAL_RESET_BYTES.length).toString('utf8')).toMatch(/tick-\d+/);
  // Still one SSH connection for the host: exactly one server-side connection is alive.
  await expect.poll(() => sshd.liveConnections()).toBe(1);
});

test('offers Recreate when the tmux session is gone after a reconnect, and it starts the session again', async ({ page, sshd, webHost }) => {
  sshd.runAsUser("tmux kill-session -t =e2e-doomed 2>/dev/null; true");
  await page.goto(webHost.url);
  await addHost(page, { name: 'doomed host', host: sshd.host, port: sshd.port, user: sshd.user, privateKey: sshd.clientKeyPath });
  await openHostAcceptingKey(page, 'doomed host', sshd.hostKeyFingerprint);
  await page.getByRole('button', { name: 'New session' }).click();
  const dialog = page.getByRole('dialog');
  await dialog.getByLabel('Session name').fill('e2e-doomed');
  await dialog.getByLabel('Start command').fill("bash -c 'echo recreated-marker; exec bash'");
  await dialog.getByRole('button', { name: 'Start' }).click();
  const pane = page.locator('[data-testid="pane"]:not([hidden])');
  await expect(pane).toHaveAttribute('data-pane-state', 'attached');
  await expect.poll(() => terminalText(page)).toContain('recreated-marker');

  // The server loses the session while the link is down (as after a reboot).
  await sshd.stop();
  sshd.dropConnections();
  await expect(pane).toHaveAttribute('data-pane-state', 'reconnecting');
  sshd.runAsUser('tmux kill-session -t =e2e-doomed');
  await sshd.start();
  await pane.getByRole('button', { name: 'Retry now' }).click();

  await expect(pane).toHaveAttribute('data-pane-state', 'session-gone');
  await expect(pane.getByTestId('pane-overlay')).toContainText('e2e-doomed');
  await pane.getByRole('button', { name: 'Recreate' }).click();
  await expect(pane).toHaveAttribute('data-pane-state', 'attached');
  await expect.poll(() => terminalText(page)).toContain('recreated-marker');
  expect(sshd.runAsUser("tmux has-session -t '=e2e-doomed' && echo yes").trim()).toBe('yes');
});
