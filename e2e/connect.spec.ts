// Issue 3 through the real UI: ~/.ssh/config import, password authentication, a changed host key, and a corrupt
// settings file — each against a real sshd.
import { copyFileSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startSshd } from '../test/harness/sshd';
import { addHost, expect, openHostAcceptingKey, test } from './fixtures';

test('imports hosts from ~/.ssh/config with a preview, connects to one, and adds no duplicates the second time', async ({ page, sshd, webHost }) => {
  const sshDir = join(webHost.home, '.ssh');
  mkdirSync(sshDir, { recursive: true });
  copyFileSync(sshd.clientKeyPath, join(sshDir, 'id_holdfast_test'));
  writeFileSync(join(sshDir, 'extra.conf'), `Host e2e-included\n    HostName 127.0.0.1\n    Port ${sshd.port}\n`);
  writeFileSync(
    join(sshDir, 'config'),
    [
      '# defaults for everything',
      'Include extra.conf',
      'Host e2e-imported',
      '\tHostName 127.0.0.1',
      `  Port=${sshd.port}`,
      '  IdentityFile ~/.ssh/id_holdfast_test',
      '  LocalForward 8080 localhost:80',
      'Host *.wild',
      '  User nobody',
      'Host *',
      `  User ${sshd.user}`,
      '  ServerAliveInterval 7',
      '',
    ].join('\n'),
  );

  await page.goto(webHost.url);
  await page.getByRole('button', { name: 'Import from ~/.ssh/config' }).click();
  const dialog = page.getByTestId('import-dialog');
  const candidates = dialog.getByTestId('import-candidate');
  await expect(candidates).toHaveCount(2);
  await expect(candidates.filter({ hasText: 'e2e-imported' })).toContainText('LocalForward 8080 localhost:80');
  await expect(candidates.filter({ hasText: 'e2e-included' })).toBeVisible();
  await dialog.getByRole('button', { name: /^Import/ }).click();
  await expect(page.getByTestId('host-row')).toHaveCount(2);

  sshd.runAsUser('tmux new-session -d -s e2e-imported-session');
  await openHostAcceptingKey(page, 'e2e-imported', sshd.hostKeyFingerprint);
  await expect(page.getByTestId('session-row').filter({ hasText: 'e2e-imported-session' })).toBeVisible();

  await page.getByRole('button', { name: 'Import from ~/.ssh/config' }).click();
  await expect(page.getByTestId('import-candidate').filter({ hasText: 'e2e-imported' })).toContainText(/already/i);
  await page.getByTestId('import-dialog').getByRole('button', { name: 'Cancel' }).click();
  await expect(page.getByTestId('host-row')).toHaveCount(2);
});

test('connects with a password typed into the form', async ({ page, sshd, webHost }) => {
  sshd.runAsUser('tmux new-session -d -s e2e-password');
  await page.goto(webHost.url);
  await addHost(page, { name: 'by password', host: sshd.host, port: sshd.port, user: sshd.user, password: sshd.password });
  await openHostAcceptingKey(page, 'by password', sshd.hostKeyFingerprint);
  await expect(page.getByTestId('session-row').filter({ hasText: 'e2e-password' })).toBeVisible();
  expect(sshd.log()).toMatch(new RegExp(`Accepted password for ${sshd.user}`));
});

test('refuses a changed host key with a warning, and asks again only after the user replaces the stored key', async ({ page, webHost }) => {
  const server = await startSshd();
  try {
    server.runAsUser('tmux has-session -t =e2e-rekeyed 2>/dev/null || tmux new-session -d -s e2e-rekeyed');
    await page.goto(webHost.url);
    await addHost(page, { name: 'rekeyed', host: server.host, port: server.port, user: server.user, privateKey: server.clientKeyPath });
    await page.getByTestId('host-row').filter({ hasText: 'rekeyed' }).getByRole('button', { name: 'rekeyed' }).first().click();
    await page.getByRole('dialog').getByRole('button', { name: 'Accept and remember' }).click();
    await expect(page.getByTestId('session-row').filter({ hasText: 'e2e-rekeyed' })).toBeVisible();

    await server.restart({ newHostKey: true });
    const acceptedBefore = server.acceptedCount();
    const logBefore = server.log().length;
    await page.goto(await webHost.restart());
    await page.getByTestId('host-row').filter({ hasText: 'rekeyed' }).getByRole('button', { name: 'rekeyed' }).first().click();
    const error = page.getByTestId('sessions-error');
    await expect(error).toHaveAttribute('data-error-code', 'HOST_KEY_CHANGED');
    await expect(error).toContainText('the host key changed');
    // The fingerprints are one click away, not a wall of text in the sidebar.
    await expect(error).not.toContainText(server.hostKeyFingerprint);
    await error.getByRole('button', { name: 'Details' }).click();
    await expect(error).toContainText(server.hostKeyFingerprint);
    // Refused before authentication: the server saw no login attempt.
    expect(server.acceptedCount()).toBe(acceptedBefore);
    const afterChange = server.log().slice(logBefore);
    expect(afterChange).toMatch(/Connection from/);
    expect(afterChange).not.toMatch(/Failed|Postponed|Accepted/);

    await error.getByRole('button', { name: 'Replace stored key' }).click();
    await page.getByTestId('confirm-dialog').getByRole('button', { name: 'Forget stored key' }).click();
    // Forgetting the key reconnects, and the new key is shown for the user to check: nothing is trusted silently.
    await expect(page.getByTestId('host-key-fingerprint')).toHaveText(server.hostKeyFingerprint);
  } finally {
    await server.dispose();
  }
});

test('a host key changed while reconnecting is one failed state, shown the same in the pane and the sidebar, with its actions right there', async ({ page, webHost }) => {
  const server = await startSshd();
  try {
    server.runAsUser('tmux has-session -t =e2e-rekey-live 2>/dev/null || tmux new-session -d -s e2e-rekey-live');
    await page.goto(webHost.url);
    await addHost(page, { name: 'rekey live', host: server.host, port: server.port, user: server.user, privateKey: server.clientKeyPath });
    await page.getByTestId('host-row').filter({ hasText: 'rekey live' }).getByRole('button', { name: 'rekey live' }).first().click();
    await page.getByRole('dialog').getByRole('button', { name: 'Accept and remember' }).click();
    await page.getByTestId('session-row').filter({ hasText: 'e2e-rekey-live' }).click();
    const pane = page.locator('[data-testid="pane"]:not([hidden])');
    await expect(pane).toHaveAttribute('data-pane-state', 'attached');

    // The server comes back with another key: the automatic reconnect must stop and say so.
    await server.restart({ newHostKey: true });
    server.dropConnections();
    const overlay = pane.getByTestId('pane-host-state');
    await expect(overlay).toHaveAttribute('data-state', 'failed');
    await expect(overlay).toContainText('Cannot reconnect to rekey live');
    await expect(overlay).toContainText('failed: the host key changed');
    // A failed state never spins, and the action its message names is a button right here.
    await expect(pane.getByTestId('pane-overlay').locator('.spinner')).toHaveCount(0);
    await expect(overlay.getByRole('button', { name: 'Replace stored key' })).toBeVisible();
    await expect(overlay.getByRole('button', { name: 'Retry now' })).toBeVisible();
    // The sidebar says the same, in the same words, and the session row is not shown as live and attached.
    const sidebar = page.getByTestId('host-status').filter({ has: page.locator(`[data-state="failed"]`) });
    await expect(sidebar).toContainText('failed: the host key changed');
    const row = page.getByTestId('session-row').filter({ hasText: 'e2e-rekey-live' });
    await expect(row).toHaveAttribute('data-live', 'false');
    await expect(row.locator('.session-dot.attached')).toHaveCount(0);
    if (process.env.HOLDFAST_SCREENSHOTS) await page.screenshot({ path: `${process.env.HOLDFAST_SCREENSHOTS}/rekeyed-on-reconnect.png` });

    await overlay.getByRole('button', { name: 'Replace stored key' }).click();
    await page.getByTestId('confirm-dialog').getByRole('button', { name: 'Forget stored key' }).click();
    // Forgetting reconnects at once, and the new key is shown for the user to check.
    await expect(page.getByTestId('host-key-fingerprint')).toHaveText(server.hostKeyFingerprint);
    await page.getByRole('dialog').getByRole('button', { name: 'Accept', exact: true }).click();
    await expect(pane).toHaveAttribute('data-pane-state', 'attached');
  } finally {
    await server.dispose();
  }
});

test('moves a corrupt settings file aside, says so, and starts with what it could read', async ({ page, sshd, webHost }) => {
  await page.goto(webHost.url);
  await addHost(page, { name: 'kept', host: sshd.host, port: sshd.port, user: sshd.user });
  await webHost.stop();
  const file = join(webHost.dataDir, 'profiles.json');
  expect(existsSync(file)).toBe(true);
  writeFileSync(file, '{ "version": 1, "profiles": [ {"id": "x", "name": "half-writ');

  await page.goto(await webHost.restart());
  await expect(page.locator('.notice').filter({ hasText: /moved/i }).first()).toBeVisible();
  expect(readdirSync(webHost.dataDir).some((f) => f.startsWith('profiles.json.corrupt-'))).toBe(true);
  await expect(page.getByText('No hosts yet.')).toBeVisible();
  // The app still works: a host can be added and is kept.
  await addHost(page, { name: 'after recovery', host: sshd.host, port: sshd.port, user: sshd.user });
  await page.goto(await webHost.restart());
  await expect(page.getByTestId('host-row').filter({ hasText: 'after recovery' })).toBeVisible();
});
