// Issue 13, as a new user meets it: the rough edges, each against a real sshd and tmux through the real UI, and the
// settings every terminal has.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateKey, startSshd } from '../test/harness/sshd';
import { addHost, expect, openHostAcceptingKey, terminalText, test } from './fixtures';

const shots = process.env.HOLDFAST_SCREENSHOTS;

test('saving a connected host with another port moves its open tab there at once, and shows it', async ({ page, sshd, webHost }) => {
  const other = await startSshd();
  try {
    sshd.runAsUser('tmux has-session -t =e2e-moving 2>/dev/null || tmux new-session -d -s e2e-moving');
    await page.goto(webHost.url);
    await addHost(page, { name: 'moving', host: sshd.host, port: sshd.port, user: sshd.user, privateKey: sshd.clientKeyPath });
    await openHostAcceptingKey(page, 'moving', sshd.hostKeyFingerprint);
    await page.getByTestId('session-row').filter({ hasText: 'e2e-moving' }).click();
    const pane = page.locator('[data-testid="pane"]:not([hidden])');
    await expect(pane).toHaveAttribute('data-pane-state', 'attached');

    // The same tmux server is behind the other sshd (same user): the tab follows the profile to it.
    await page.getByRole('button', { name: 'Edit moving' }).click();
    const form = page.getByTestId('host-form');
    await form.getByLabel('Port', { exact: true }).fill(String(other.port));
    await form.getByLabel('Private key', { exact: true }).fill(other.clientKeyPath);
    await form.getByRole('button', { name: 'Save' }).click();
    // A new server, a new key: asked at once, as Retry now would.
    await expect(page.getByTestId('host-key-fingerprint')).toHaveText(other.hostKeyFingerprint);
    await page.getByRole('dialog').getByRole('button', { name: 'Accept', exact: true }).click();
    await expect(pane).toHaveAttribute('data-pane-state', 'attached');
    await expect.poll(() => other.acceptedCount()).toBeGreaterThan(0);
  } finally {
    await other.dispose();
  }
});

test('the session list stays current, in a stable order: sessions made elsewhere, attached and detached', async ({ page, sshd, webHost }) => {
  sshd.runAsUser('tmux kill-session -t =e2e-list-b 2>/dev/null; tmux kill-session -t =e2e-list-a 2>/dev/null; tmux new-session -d -s e2e-list-b');
  await page.goto(webHost.url);
  await addHost(page, { name: 'listing', host: sshd.host, port: sshd.port, user: sshd.user, privateKey: sshd.clientKeyPath });
  await openHostAcceptingKey(page, 'listing', sshd.hostKeyFingerprint);
  const rowB = page.getByTestId('session-row').filter({ hasText: 'e2e-list-b' });
  await expect(rowB).toContainText('detached');

  // Made from another client: shows up without Refresh, in its place by name.
  sshd.runAsUser('tmux new-session -d -s e2e-list-a');
  const rowA = page.getByTestId('session-row').filter({ hasText: 'e2e-list-a' });
  await expect(rowA).toBeVisible();
  const names = async () => (await page.getByTestId('session-row').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-session-name'))));
  const order = (await names()).filter((n) => n?.startsWith('e2e-list-'));
  expect(order).toEqual(['e2e-list-a', 'e2e-list-b']);

  await rowB.click();
  await expect(page.locator('[data-testid="pane"]:not([hidden])')).toHaveAttribute('data-pane-state', 'attached');
  await expect(rowB).toContainText(/attached/);
  expect((await names()).filter((n) => n?.startsWith('e2e-list-'))).toEqual(order);
  await page.getByTestId('tab').filter({ hasText: 'e2e-list-b' }).getByRole('button', { name: /Detach/ }).click();
  await expect(rowB).toContainText('detached');
});

test('a start command that ends at once shows its output and status, and can be edited and started again', async ({ page, sshd, webHost }) => {
  sshd.runAsUser('tmux kill-session -t =e2e-typo 2>/dev/null; true');
  await page.goto(webHost.url);
  await addHost(page, { name: 'typo host', host: sshd.host, port: sshd.port, user: sshd.user, privateKey: sshd.clientKeyPath });
  await openHostAcceptingKey(page, 'typo host', sshd.hostKeyFingerprint);
  await page.getByRole('button', { name: 'New session' }).click();
  const dialog = page.getByRole('dialog');
  await dialog.getByLabel('Session name').fill('e2e-typo');
  await dialog.getByLabel('Start command').fill('echo starting up; sleep 0.3; claud-typo --continue');
  await dialog.getByRole('button', { name: 'Start' }).click();
  const pane = page.locator('[data-testid="pane"]:not([hidden])');
  await expect(pane).toHaveAttribute('data-pane-state', 'exited');
  const overlay = pane.getByTestId('pane-overlay');
  // tmux 3.3a now and then never learns the status of a command that dies this young (tmux itself shows none):
  // then the pane says so rather than guess.
  await expect(overlay).toContainText(/ended at once, with (status 127|an exit status tmux did not learn)/);
  await expect(overlay.getByTestId('command-output')).toContainText('claud-typo: command not found');
  if (shots) await page.screenshot({ path: `${shots}/start-command-exited.png` });

  await overlay.getByRole('button', { name: 'Edit command' }).click();
  await overlay.getByLabel('Start command').fill("bash -c 'echo fixed-$((40+2)); exec bash'");
  await overlay.getByRole('button', { name: 'Start' }).click();
  await expect(pane).toHaveAttribute('data-pane-state', 'attached');
  await expect.poll(() => terminalText(page)).toContain('fixed-42');
});

test('after the web host restarts, the banner says to open its new address, and the old one explains itself', async ({ page, webHost }) => {
  await page.goto(webHost.url);
  await expect(page.getByRole('button', { name: 'Add host' })).toBeVisible();
  const oldUrl = webHost.url;
  // Restarted on the same port, as `npm run web` does (7681): only the token changed.
  await webHost.restart({ samePort: true });
  const banner = page.getByTestId('connection-lost');
  await expect(banner).toContainText('open the new address it printed');
  await page.goto(oldUrl);
  await expect(page.getByRole('heading', { name: "This page needs the web host's current address" })).toBeVisible();
  await expect(page.locator('body')).toContainText('token changed');
  if (shots) await page.screenshot({ path: `${shots}/forbidden.png` });
});

test('a file that is not a private key is refused when the profile is saved, and says why', async ({ page, webHost }) => {
  const keyPath = join(webHost.home, 'id_e2e');
  generateKey(keyPath, 'ed25519');
  writeFileSync(join(webHost.home, 'notes.txt'), 'shopping list\n');
  await page.goto(webHost.url);
  await page.getByRole('button', { name: 'Add host' }).click();
  const form = page.getByTestId('host-form');
  await form.getByLabel('Name', { exact: true }).fill('keys');
  await form.getByLabel('Host', { exact: true }).fill('127.0.0.1');
  await form.getByLabel('User', { exact: true }).fill('me');
  await form.getByLabel('Private key', { exact: true }).fill(`${keyPath}.pub`);
  await form.getByRole('button', { name: 'Save' }).click();
  await expect(form).toContainText('is a public key; choose the private key');
  await form.getByLabel('Private key', { exact: true }).fill(join(webHost.home, 'notes.txt'));
  await form.getByRole('button', { name: 'Save' }).click();
  await expect(form).toContainText('is not a private key Holdfast can read');
  await form.getByLabel('Private key', { exact: true }).fill(keyPath);
  await form.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByTestId('host-form')).toHaveCount(0);
});

test('Duplicate fills in a form and saves nothing until Save; the filter finds the port; a long name leaves the toast closable', async ({ page, webHost }) => {
  await page.goto(webHost.url);
  const longName = `a-host-with-a-very-long-name-${'x'.repeat(80)}`;
  await addHost(page, { name: longName, host: 'long.example.invalid', port: 2202, user: 'me' });
  await addHost(page, { name: 'short', host: 'short.example.invalid', port: 22, user: 'me' });
  const toast = page.locator('.notice').filter({ hasText: 'Saved' }).first();
  const close = toast.getByRole('button', { name: 'Dismiss' });
  await expect(close).toBeInViewport();

  await page.getByTestId('host-row').filter({ hasText: 'short' }).hover();
  await page.getByRole('button', { name: 'Duplicate short' }).click();
  const form = page.getByTestId('host-form');
  await expect(form.getByLabel('Name', { exact: true })).toHaveValue('short (copy)');
  await form.getByRole('button', { name: 'Cancel' }).click();
  await expect(page.getByTestId('host-row')).toHaveCount(2);

  await page.getByLabel('Filter').fill('2202');
  await expect(page.getByTestId('host-row')).toHaveCount(1);
  await expect(page.getByTestId('host-row')).toContainText('long.example.invalid:2202');
});

test('a tab of a deleted host offers no Reopen; Ctrl+Shift+C with nothing selected leaves the clipboard alone', async ({ page, context, sshd, webHost }) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  sshd.runAsUser('tmux has-session -t =e2e-deleted 2>/dev/null || tmux new-session -d -s e2e-deleted');
  await page.goto(webHost.url);
  await addHost(page, { name: 'doomed profile', host: sshd.host, port: sshd.port, user: sshd.user, privateKey: sshd.clientKeyPath });
  await openHostAcceptingKey(page, 'doomed profile', sshd.hostKeyFingerprint);
  await page.getByTestId('session-row').filter({ hasText: 'e2e-deleted' }).click();
  const pane = page.locator('[data-testid="pane"]:not([hidden])');
  await expect(pane).toHaveAttribute('data-pane-state', 'attached');

  await page.evaluate(() => navigator.clipboard.writeText('keep-me'));
  await pane.getByTestId('terminal').click();
  await page.keyboard.press('Control+Shift+C');
  // Keys are handled in order: once a command typed after the shortcut has run, the shortcut has been handled.
  await page.keyboard.type('echo after-copy-$((40+2))\n');
  await expect.poll(() => sshd.runAsUser("tmux capture-pane -p -t '=e2e-deleted:'")).toContain('after-copy-42');
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe('keep-me');

  await page.getByTestId('host-row').filter({ hasText: 'doomed profile' }).hover();
  await page.getByRole('button', { name: 'Delete doomed profile' }).click();
  await page.getByTestId('confirm-dialog').getByRole('button', { name: 'Delete' }).click();
  await expect(pane.getByTestId('pane-overlay')).toContainText('was deleted');
  await expect(pane.getByRole('button', { name: 'Reopen' })).toHaveCount(0);
  await expect(pane.getByRole('button', { name: 'Close', exact: true })).toBeVisible();
});

test('the Add host button is readable: white on its blue at 4.5:1 or more', async ({ page, webHost }) => {
  await page.goto(webHost.url);
  const ratio = await page.getByRole('button', { name: 'Add host' }).evaluate((el) => {
    const rgb = (c: string) => c.match(/\d+(\.\d+)?/g)!.slice(0, 3).map(Number);
    const lum = ([r, g, b]: number[]) => {
      const f = (v: number) => ((v /= 255) <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);
      return 0.2126 * f(r!) + 0.7152 * f(g!) + 0.0722 * f(b!);
    };
    const style = getComputedStyle(el);
    const a = lum(rgb(style.color));
    const b = lum(rgb(style.backgroundColor));
    return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
  });
  expect(ratio).toBeGreaterThanOrEqual(4.5);
});

test('settings: a new font size and theme reach the open terminal, which refits with no row cut off, and last across a restart', async ({ page, sshd, webHost }) => {
  sshd.runAsUser('tmux has-session -t =e2e-settings 2>/dev/null || tmux new-session -d -s e2e-settings');
  await page.goto(webHost.url);
  await addHost(page, { name: 'settings host', host: sshd.host, port: sshd.port, user: sshd.user, privateKey: sshd.clientKeyPath });
  await openHostAcceptingKey(page, 'settings host', sshd.hostKeyFingerprint);
  await page.getByTestId('session-row').filter({ hasText: 'e2e-settings' }).click();
  const pane = page.locator('[data-testid="pane"]:not([hidden])');
  await expect(pane).toHaveAttribute('data-pane-state', 'attached');
  const measure = () =>
    pane.getByTestId('terminal').evaluate((host) => {
      const screen = host.querySelector('.xterm-screen') as HTMLElement;
      const viewport = host.getBoundingClientRect();
      const rows = host.querySelectorAll('.xterm-rows > div').length || Number(screen.dataset.rows ?? 0);
      return { screenBottom: screen.getBoundingClientRect().bottom, hostBottom: viewport.bottom, screenHeight: screen.getBoundingClientRect().height, rows };
    });
  const before = await measure();
  const tmuxHeight = () => sshd.runAsUser("tmux display -p -t '=e2e-settings:' '#{window_height}'").trim();
  const heightBefore = tmuxHeight();

  await page.getByRole('button', { name: 'Settings', exact: true }).click();
  const dialog = page.getByTestId('settings-dialog');
  await dialog.getByLabel('Font size').fill('20');
  await dialog.getByLabel('Theme').selectOption('light');
  await dialog.getByRole('button', { name: 'Save' }).click();
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'light');
  // Larger cells: fewer rows, and the last one still inside the pane.
  await expect.poll(async () => (await measure()).screenHeight).not.toBe(before.screenHeight);
  const after = await measure();
  expect(after.screenBottom).toBeLessThanOrEqual(after.hostBottom + 0.5);
  // The session follows: fewer rows on the server too.
  await expect.poll(tmuxHeight).not.toBe(heightBefore);
  if (shots) await page.screenshot({ path: `${shots}/settings-light-20px.png` });

  await page.goto(await webHost.restart());
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'light');
  // The tab comes back and connects; the key was accepted only until the web host stopped, so it is asked again.
  const prompt = page.getByRole('dialog', { name: 'Host key check' });
  await expect(prompt.getByTestId('host-key-fingerprint')).toHaveText(sshd.hostKeyFingerprint);
  await prompt.getByRole('button', { name: 'Accept', exact: true }).click();
  await expect(pane).toHaveAttribute('data-pane-state', 'attached');
  await page.getByRole('button', { name: 'Settings', exact: true }).click();
  await expect(page.getByTestId('settings-dialog').getByLabel('Font size')).toHaveValue('20');
});

test('zoom keys change the text of every pane and Ctrl+0 undoes it; with shortcuts off the keys go to the terminal', async ({ page, sshd, webHost }) => {
  sshd.runAsUser('tmux has-session -t =e2e-zoom 2>/dev/null || tmux new-session -d -s e2e-zoom');
  await page.goto(webHost.url);
  await addHost(page, { name: 'zoom host', host: sshd.host, port: sshd.port, user: sshd.user, privateKey: sshd.clientKeyPath });
  await openHostAcceptingKey(page, 'zoom host', sshd.hostKeyFingerprint);
  await page.getByTestId('session-row').filter({ hasText: 'e2e-zoom' }).click();
  const pane = page.locator('[data-testid="pane"]:not([hidden])');
  await expect(pane).toHaveAttribute('data-pane-state', 'attached');
  const height = () => sshd.runAsUser("tmux display -p -t '=e2e-zoom:' '#{window_height}'").trim();
  // Settled: tmux has the size the view asks for (in control mode the session view asks once it has measured).
  const requestedRows = async () => (await pane.getByTestId('session-view').getAttribute('data-requested-size'))?.split('x')[1];
  await expect.poll(async () => (await requestedRows()) === height()).toBe(true);
  const start = height();
  await pane.getByTestId('terminal').click();
  for (let i = 0; i < 4; i++) await page.keyboard.press('Control+=');
  await expect.poll(height).not.toBe(start);
  await page.keyboard.press('Control+0');
  await expect.poll(height).toBe(start);

  await page.getByRole('button', { name: 'Settings', exact: true }).click();
  await page.getByTestId('settings-dialog').getByLabel('Keyboard shortcuts').uncheck();
  await page.getByTestId('settings-dialog').getByRole('button', { name: 'Save' }).click();
  await pane.getByTestId('terminal').click();
  await page.keyboard.press('Control+Shift+F');
  await page.keyboard.press('Control+=');
  // Keys are handled in order: once a command typed after them has run, they have been handled (by the terminal).
  await page.keyboard.type('echo after-keys-$((40+2))\n');
  await expect.poll(() => sshd.runAsUser("tmux capture-pane -p -t '=e2e-zoom:'")).toContain('after-keys-42');
  await expect(page.getByRole('search')).toHaveCount(0);
  expect(height()).toBe(start);
  expect(await requestedRows()).toBe(start);
});
