// Issue 2, as a user does it: add a host in the GUI, click a tmux session, work in it — through the real UI,
// the web host, core, a real sshd and a real tmux.
import { addHost, expect, openHostAcceptingKey, terminalText, test } from './fixtures';

test('adds a host with the form, accepts its key, lists its sessions, attaches one and echoes typed input', async ({ page, sshd, webHost }) => {
  sshd.runAsUser("tmux new-session -d -s e2e-work -x 80 -y 24 'bash' && tmux new-window -t e2e-work");
  await page.goto(webHost.url);
  await addHost(page, { name: 'test box', host: sshd.host, port: sshd.port, user: sshd.user, privateKey: sshd.clientKeyPath });
  await openHostAcceptingKey(page, 'test box', sshd.hostKeyFingerprint);

  const session = page.getByTestId('session-row').filter({ hasText: 'e2e-work' });
  await expect(session).toBeVisible();
  await expect(session).toContainText('2 windows');
  await expect(session).toContainText(/detached/i);

  await session.click();
  const tab = page.getByTestId('tab').filter({ hasText: 'e2e-work' });
  await expect(tab).toBeVisible();
  await expect(page).toHaveTitle(/e2e-work/);
  await expect(page.getByTestId('pane').first()).toHaveAttribute('data-pane-state', 'attached');

  await page.getByTestId('terminal').first().click();
  await page.keyboard.type('echo holdfast-$((40+2))');
  await page.keyboard.press('Enter');
  await expect.poll(() => terminalText(page)).toContain('holdfast-42');
  // The server's tmux saw the same thing: the UI is attached to the real session.
  await expect.poll(() => sshd.runAsUser("tmux capture-pane -p -t 'e2e-work'")).toContain('holdfast-42');

  // `HOLDFAST_SCREENSHOT=docs/screenshot.png npx playwright test -g 'echoes typed input'` refreshes the README's picture.
  const screenshot = process.env.HOLDFAST_SCREENSHOT;
  if (screenshot) {
    await page.keyboard.type('uname -sr; ls --color=always /usr; tmux list-sessions');
    await page.keyboard.press('Enter');
    await expect.poll(() => terminalText(page)).toContain('(created');
    await page.screenshot({ path: screenshot });
  }
});

test('shows bad values beside their fields and saves nothing', async ({ page, webHost }) => {
  await page.goto(webHost.url);
  await page.getByRole('button', { name: 'Add host' }).click();
  const dialog = page.getByRole('dialog');
  await dialog.getByLabel('Name', { exact: true }).fill('broken');
  await dialog.getByLabel('User', { exact: true }).fill('someone');
  await dialog.getByLabel('Port', { exact: true }).fill('70000');
  await dialog.getByLabel('Private key', { exact: true }).fill('/nonexistent/holdfast/key');
  await dialog.getByRole('button', { name: 'Save' }).click();
  await expect(dialog.getByText('Host is required')).toBeVisible();
  await expect(dialog.getByText('Port must be between 1 and 65535')).toBeVisible();

  await dialog.getByLabel('Host', { exact: true }).fill('example.invalid');
  await dialog.getByLabel('Port', { exact: true }).fill('22');
  await dialog.getByRole('button', { name: 'Save' }).click();
  await expect(dialog.getByText(/No file at \/nonexistent\/holdfast\/key/)).toBeVisible();

  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await expect(page.getByTestId('host-row')).toHaveCount(0);
  await page.reload();
  await expect(page.getByText('No hosts yet.')).toBeVisible();
});

test('opens a second session on the same host as a second tab over one SSH connection; closing a tab detaches', async ({ page, sshd, webHost }) => {
  sshd.runAsUser('tmux new-session -d -s e2e-a -x 80 -y 24 && tmux new-session -d -s e2e-b -x 80 -y 24');
  await page.goto(webHost.url);
  await addHost(page, { name: 'shared', host: sshd.host, port: sshd.port, user: sshd.user, privateKey: sshd.clientKeyPath });
  const connectionsBefore = sshd.connectionCount();
  await openHostAcceptingKey(page, 'shared', sshd.hostKeyFingerprint);

  await page.getByTestId('session-row').filter({ hasText: 'e2e-a' }).click();
  await expect(page.getByTestId('pane').first()).toHaveAttribute('data-pane-state', 'attached');
  await page.getByTestId('session-row').filter({ hasText: 'e2e-b' }).click();
  await expect(page.getByTestId('tab')).toHaveCount(2);
  await expect(page.locator('[data-testid="pane"]:not([hidden])')).toHaveAttribute('data-pane-state', 'attached');

  await expect.poll(() => sshd.runAsUser("tmux list-sessions -F '#{session_name}:#{session_attached}' | grep -E '^e2e-[ab]:' | sort")).toBe('e2e-a:1\ne2e-b:1\n');
  // One TCP connection for the listing and both panes.
  expect(sshd.connectionCount() - connectionsBefore).toBe(1);

  await page.getByTestId('tab').filter({ hasText: 'e2e-a' }).getByRole('button', { name: /Detach/ }).click();
  await expect(page.getByTestId('tab')).toHaveCount(1);
  await expect.poll(() => sshd.runAsUser("tmux list-sessions -F '#{session_name}:#{session_attached}' | grep -E '^e2e-[ab]:' | sort")).toBe('e2e-a:0\ne2e-b:1\n');
});

test('New session creates a session with its start command and attaches it', async ({ page, sshd, webHost }) => {
  await page.goto(webHost.url);
  await addHost(page, { name: 'creator', host: sshd.host, port: sshd.port, user: sshd.user, privateKey: sshd.clientKeyPath });
  await openHostAcceptingKey(page, 'creator', sshd.hostKeyFingerprint);
  await expect(page.getByRole('button', { name: 'New session' })).toBeVisible();

  await page.getByRole('button', { name: 'New session' }).click();
  const dialog = page.getByRole('dialog');
  await dialog.getByLabel(/name/i).first().fill('e2e-created');
  await dialog.getByLabel(/command/i).fill("bash -c 'echo started-by-holdfast; exec bash'");
  await dialog.getByRole('button', { name: /Create|Start|Open/ }).click();

  await expect(page.getByTestId('tab').filter({ hasText: 'e2e-created' })).toBeVisible();
  await expect.poll(() => terminalText(page)).toContain('started-by-holdfast');
  expect(sshd.runAsUser("tmux has-session -t '=e2e-created' && echo yes").trim()).toBe('yes');
});

test('keeps hosts across a restart of the app', async ({ page, sshd, webHost }) => {
  await page.goto(webHost.url);
  await addHost(page, { name: 'persistent', host: sshd.host, port: sshd.port, user: sshd.user, privateKey: sshd.clientKeyPath });
  const url = await webHost.restart();
  await page.goto(url);
  await expect(page.getByTestId('host-row').filter({ hasText: 'persistent' })).toBeVisible();
});

test('says clearly when the connection is refused', async ({ page, sshd, webHost }) => {
  await page.goto(webHost.url);
  // A port on loopback where nothing listens: the sshd's own port, once it is stopped, is one.
  const { freePort } = await import('../test/harness/sshd');
  await addHost(page, { name: 'nobody home', host: '127.0.0.1', port: await freePort(), user: sshd.user, privateKey: sshd.clientKeyPath });
  await page.getByTestId('host-row').filter({ hasText: 'nobody home' }).getByRole('button', { name: 'nobody home' }).first().click();
  await expect(page.getByTestId('sessions-error')).toContainText(/refused/i);
});

test('reloading the page keeps its tab on the same tmux client; the session keeps running either way', async ({ page, sshd, webHost }) => {
  sshd.runAsUser('tmux has-session -t =e2e-reload 2>/dev/null || tmux new-session -d -s e2e-reload -x 80 -y 24');
  const attached = () => sshd.runAsUser("tmux display -p -t e2e-reload '#{session_attached}'").trim();
  const clients = () => sshd.runAsUser("tmux list-clients -t e2e-reload -F '#{client_pid}'").trim();
  await page.goto(webHost.url);
  await addHost(page, { name: 'reloaded', host: sshd.host, port: sshd.port, user: sshd.user, privateKey: sshd.clientKeyPath });
  await openHostAcceptingKey(page, 'reloaded', sshd.hostKeyFingerprint);
  await page.getByTestId('session-row').filter({ hasText: 'e2e-reload' }).click();
  await expect(page.getByTestId('pane').first()).toHaveAttribute('data-pane-state', 'attached');
  await expect.poll(attached).toBe('1');
  const client = clients();

  await page.reload();
  await expect(page.getByTestId('tab')).toHaveCount(1);
  await expect(page.getByTestId('pane').first()).toHaveAttribute('data-pane-state', 'attached');
  // The same tmux client: the pane was kept for the reload, not attached again.
  expect(clients()).toBe(client);
  expect(sshd.runAsUser("tmux has-session -t '=e2e-reload' && echo yes").trim()).toBe('yes');
});
