// Every question Holdfast asks while connecting, answered through the real dialogs against a real sshd: a password,
// a key's passphrase, PAM's keyboard-interactive prompt, a key of another type than the trusted one; and the
// message for a server without tmux.
import { appendFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateKey, startSshd } from '../test/harness/sshd';
import { addHost, expect, openHostAcceptingKey, test } from './fixtures';

const shots = process.env.HOLDFAST_SCREENSHOTS;

test('asks for the password in its dialog, says when it was wrong, and signs in with the right one', async ({ page, sshd, webHost }) => {
  sshd.runAsUser('tmux has-session -t =e2e-pw-dialog 2>/dev/null || tmux new-session -d -s e2e-pw-dialog');
  await page.goto(webHost.url);
  await addHost(page, { name: 'asks password', host: sshd.host, port: sshd.port, user: sshd.user });
  await openHostAcceptingKey(page, 'asks password', sshd.hostKeyFingerprint);
  const dialog = page.getByTestId('prompt-secret');
  await expect(dialog).toContainText('Password');
  await dialog.getByLabel('Password', { exact: true }).fill('not the password');
  await dialog.getByRole('button', { name: 'Continue' }).click();
  await expect(page.getByTestId('prompt-secret')).toContainText(/wrong|incorrect|try again/i);
  if (shots) await page.screenshot({ path: `${shots}/prompt-password-retry.png` });
  await page.getByTestId('prompt-secret').getByLabel('Password', { exact: true }).fill(sshd.password);
  await page.getByTestId('prompt-secret').getByRole('button', { name: 'Continue' }).click();
  await expect(page.getByTestId('session-row').filter({ hasText: 'e2e-pw-dialog' })).toBeVisible();
});

test('asks for the passphrase of an encrypted key and signs in with it', async ({ page, sshd, webHost }) => {
  const keyPath = join(webHost.home, 'id_encrypted');
  generateKey(keyPath, 'ed25519', 'open sesame');
  appendFileSync(sshd.authorizedKeysPath, readFileSync(`${keyPath}.pub`));
  sshd.runAsUser('tmux has-session -t =e2e-passphrase 2>/dev/null || tmux new-session -d -s e2e-passphrase');
  await page.goto(webHost.url);
  await addHost(page, { name: 'encrypted key', host: sshd.host, port: sshd.port, user: sshd.user, privateKey: keyPath });
  await openHostAcceptingKey(page, 'encrypted key', sshd.hostKeyFingerprint);
  const dialog = page.getByTestId('prompt-secret');
  await expect(dialog).toContainText(keyPath);
  if (shots) await page.screenshot({ path: `${shots}/prompt-passphrase.png` });
  await dialog.getByLabel('Passphrase', { exact: true }).fill('open sesame');
  await dialog.getByRole('button', { name: 'Continue' }).click();
  await expect(page.getByTestId('session-row').filter({ hasText: 'e2e-passphrase' })).toBeVisible();
});

test("shows PAM's keyboard-interactive prompt and signs in with the answer", async ({ page, webHost }) => {
  const pam = await startSshd({ extraConfig: 'UsePAM yes\nKbdInteractiveAuthentication yes\nPasswordAuthentication no' });
  try {
    pam.runAsUser('tmux has-session -t =e2e-pam 2>/dev/null || tmux new-session -d -s e2e-pam');
    await page.goto(webHost.url);
    await addHost(page, { name: 'pam host', host: pam.host, port: pam.port, user: pam.user });
    await openHostAcceptingKey(page, 'pam host', pam.hostKeyFingerprint);
    const dialog = page.getByTestId('prompt-keyboard-interactive');
    await expect(dialog).toContainText('Password:');
    if (shots) await page.screenshot({ path: `${shots}/prompt-keyboard-interactive.png` });
    await dialog.getByLabel(/Password/).fill(pam.password);
    await dialog.getByRole('button', { name: 'Continue' }).click();
    await expect(page.getByTestId('session-row').filter({ hasText: 'e2e-pam' })).toBeVisible();
  } finally {
    await pam.dispose();
  }
});

test('warns loudly when the server offers another key type than the trusted one, and accepting takes a deliberate act', async ({ page, webHost }) => {
  const server = await startSshd({ hostKeyType: 'ed25519' });
  try {
    await page.goto(webHost.url);
    await addHost(page, { name: 'downgrade', host: server.host, port: server.port, user: server.user, privateKey: server.clientKeyPath });
    await page.getByTestId('host-row').filter({ hasText: 'downgrade' }).getByRole('button', { name: 'downgrade' }).first().click();
    await page.getByRole('dialog').getByRole('button', { name: 'Accept and remember' }).click();
    await expect(page.getByTestId('session-row').first().or(page.getByText('No tmux sessions on this host yet.'))).toBeVisible();
    const trusted = server.hostKeyFingerprint;

    // The same address now answers with an ECDSA key only.
    await server.restart({ newHostKey: true, hostKeyType: 'ecdsa' });
    await page.goto(await webHost.restart());
    await page.getByTestId('host-row').filter({ hasText: 'downgrade' }).getByRole('button', { name: 'downgrade' }).first().click();
    const dialog = page.getByTestId('prompt-host-key');
    await expect(dialog).toContainText('Warning: a different host key');
    await expect(dialog).toContainText(trusted);
    await expect(dialog.getByTestId('host-key-fingerprint')).toHaveText(server.hostKeyFingerprint);
    await expect(dialog.getByRole('button', { name: 'Accept', exact: true })).toBeDisabled();
    if (shots) await page.screenshot({ path: `${shots}/prompt-host-key-other-type.png` });
    await dialog.getByLabel(/I checked this new fingerprint/).check();
    await dialog.getByRole('button', { name: 'Accept', exact: true }).click();
    await expect(page.getByTestId('host-status').or(page.getByTestId('session-row')).or(page.getByText('No tmux sessions on this host yet.')).first()).toBeVisible();
    await expect(page.getByTestId('prompt-host-key')).toHaveCount(0);
  } finally {
    await server.dispose();
  }
});

test('says tmux is not installed on a server without it, and how to install it', async ({ page, webHost }) => {
  const bare = await startSshd({ extraConfig: 'SetEnv PATH=/nonexistent-holdfast-bin' });
  try {
    await page.goto(webHost.url);
    await addHost(page, { name: 'no tmux', host: bare.host, port: bare.port, user: bare.user, privateKey: bare.clientKeyPath });
    await openHostAcceptingKey(page, 'no tmux', bare.hostKeyFingerprint);
    const error = page.getByTestId('sessions-error');
    await expect(error).toHaveAttribute('data-error-code', 'TMUX_MISSING');
    await expect(error).toContainText('tmux is not installed');
    // The main area says so too, rather than "click a host".
    await expect(page.locator('.empty-failure')).toContainText('no tmux: failed: tmux is not installed');
    await error.getByRole('button', { name: 'Details' }).click();
    await expect(error).toContainText('sudo apt install tmux');
    if (shots) await page.screenshot({ path: `${shots}/tmux-missing.png` });
  } finally {
    await bare.dispose();
  }
});

test('takes the token out of the address bar after the first load, and a reload still works', async ({ page, webHost }) => {
  await page.goto(webHost.url);
  await expect(page.getByRole('button', { name: 'Add host' })).toBeVisible();
  await expect.poll(() => page.url()).not.toContain('token=');
  await page.reload();
  await expect(page.getByRole('button', { name: 'Add host' })).toBeVisible();
  await expect(page.getByTestId('connection-lost')).toHaveCount(0);
});
