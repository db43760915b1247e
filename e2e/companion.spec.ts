// A phone paired with the desktop: the desktop shows a one-time link (and its QR code), a phone-sized touch page
// opens it and names itself, sees the hosts and sessions, attaches, types (the key bar too), answers a waiting
// prompt with a quick answer — and the tmux window keeps the size it had. Revoke closes the phone's socket at once
// and refuses its next request.
import { createHash, X509Certificate } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { addHost, expect, terminalText, test } from './fixtures';
import { copyPromptFixtures } from '../test/harness/promptFixtures';

let fixtures: string;
test.beforeAll(() => {
  fixtures = copyPromptFixtures();
});
test.afterAll(() => rmSync(fixtures, { recursive: true, force: true }));

const shots = process.env.HOLDFAST_SHOTS;

test('pairs a phone through the link; it attaches, types, answers a prompt, never resizes the window; Revoke ends it', async ({ page, browser, sshd, webHost }) => {
  const tmux = (command: string) => sshd.runAsUser(`tmux ${command}`).trim();
  for (const s of ['e2e-phone', 'e2e-phone-agent']) tmux(`kill-session -t =${s} 2>/dev/null; true`);
  tmux('new-session -d -s e2e-phone -x 120 -y 40');
  const size = () => tmux("display -p -t '=e2e-phone:' '#{window_width}x#{window_height}'");
  const sizeBefore = size();

  // The desktop: a host (its key accepted and remembered), then Pair a device.
  await page.goto(webHost.url);
  await addHost(page, { name: 'phone host', host: sshd.host, port: sshd.port, user: sshd.user, privateKey: sshd.clientKeyPath });
  await page.getByTestId('host-row').filter({ hasText: 'phone host' }).getByRole('button', { name: 'phone host' }).first().click();
  await page.getByRole('dialog', { name: 'Host key check' }).getByRole('button', { name: 'Accept and remember' }).click();
  await expect(page.getByTestId('session-row').filter({ hasText: 'e2e-phone' }).first()).toBeVisible();
  await page.getByRole('button', { name: 'Pair a device' }).click();
  const dialog = page.getByTestId('devices-dialog');
  await dialog.getByRole('button', { name: 'Show pairing code' }).click();
  await expect(dialog.getByRole('img', { name: 'QR code of the pairing link' }).locator('svg')).toBeVisible();
  const link = await dialog.getByRole('textbox', { name: 'Pairing link' }).inputValue();
  expect(link).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/pair\?code=/);
  expect(link).not.toContain('token=');
  if (shots) await page.screenshot({ path: `${shots}/pair-desktop.png` });

  // The phone opens the link and names itself.
  const phoneContext = await browser.newContext({ viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true, deviceScaleFactor: 3 });
  const phone = await phoneContext.newPage();
  await phone.goto(link);
  await phone.getByLabel('Name this device').fill('Pixel');
  await phone.getByRole('button', { name: 'Pair' }).click();
  await expect(phone.getByRole('heading')).toHaveText('Paired as “Pixel”');
  await phone.getByRole('link', { name: 'Open Holdfast' }).click();
  // The link worked once.
  const again = await (await phoneContext.newPage()).goto(link);
  expect(again?.status()).toBe(410);

  // The phone sees the host and its sessions, and attaches one.
  await expect(phone.locator('.device-chip')).toHaveText('Pixel');
  await phone.getByTestId('host-row').filter({ hasText: 'phone host' }).getByRole('button', { name: 'phone host' }).first().tap();
  await phone.locator('[data-testid="session-row"][data-session-name="e2e-phone"]').tap();
  const pane = phone.locator('[data-testid="pane"]:not([hidden])');
  await expect(pane).toHaveAttribute('data-pane-state', 'attached');
  await expect(phone.getByTestId('key-bar')).toBeVisible();
  await pane.getByTestId('terminal').first().tap();
  await phone.keyboard.type('echo from-phone-$((6*7))\n');
  await expect.poll(() => tmux("capture-pane -p -t '=e2e-phone:'")).toContain('from-phone-42');
  await expect.poll(() => terminalText(phone)).toContain('from-phone-42');
  if (shots) {
    await phone.screenshot({ path: `${shots}/phone-session.png` });
    await phone.setViewportSize({ width: 844, height: 390 });
    await phone.screenshot({ path: `${shots}/phone-session-landscape.png` });
    await phone.setViewportSize({ width: 390, height: 844 });
  }
  // The key bar's Ctrl-C reaches the program.
  await phone.keyboard.type('sleep 300\n');
  await expect.poll(() => tmux("display -p -t '=e2e-phone:' '#{pane_current_command}'")).toBe('sleep');
  await phone.getByTestId('key-bar').getByRole('button', { name: 'Ctrl-C' }).tap();
  await expect.poll(() => tmux("display -p -t '=e2e-phone:' '#{pane_current_command}'")).not.toBe('sleep');
  // Looking from the phone never resized the window.
  expect(size()).toBe(sizeBefore);

  // A waiting prompt, answered from the phone's Needs you list.
  tmux(`new-session -d -s e2e-phone-agent -x 100 -y 30 ${join(fixtures, 'claude-permission.sh')}`);
  await phone.getByRole('button', { name: '‹ Sessions' }).tap();
  const item = phone.getByRole('region', { name: 'Needs you' }).getByTestId('needs-item').filter({ hasText: 'e2e-phone-agent' });
  await expect(item).toBeVisible({ timeout: 20_000 });
  if (shots) {
    await phone.screenshot({ path: `${shots}/phone-needs.png` });
    await phone.setViewportSize({ width: 844, height: 390 });
    await phone.screenshot({ path: `${shots}/phone-needs-landscape.png` });
    await phone.setViewportSize({ width: 390, height: 844 });
  }
  await item.getByRole('button', { name: 'Yes', exact: true }).tap();
  await expect.poll(() => tmux("capture-pane -p -t '=e2e-phone-agent:'")).toContain('received: [1]');

  // Revoke: the phone's socket closes at once, and its next request is refused.
  await expect(dialog.getByTestId('device-row').filter({ hasText: 'Pixel' })).toBeVisible();
  await dialog.getByTestId('device-row').filter({ hasText: 'Pixel' }).getByRole('button', { name: 'Revoke' }).click();
  await expect(phone.getByTestId('connection-lost')).toBeVisible();
  await expect(dialog.getByTestId('device-row')).toHaveCount(0);
  const refused = await phone.reload();
  expect(refused?.status()).toBe(403);
  await phoneContext.close();
  for (const s of ['e2e-phone', 'e2e-phone-agent']) tmux(`kill-session -t =${s} 2>/dev/null; true`);
});

test.describe('over the local network', () => {
  // 127.0.0.2 stands in for the computer's Wi-Fi address (a test may use loopback only): the same listener, TLS and
  // certificate as on a real network.
  test.use({ webHostArgs: ['--companion-address', '127.0.0.2'] });

  test('pairs over HTTPS with the certificate Holdfast made, once the phone trusts it; plain HTTP there is refused', async ({ page, browser, launchOptions, sshd, webHost }) => {
    await page.goto(webHost.url);
    await addHost(page, { name: 'tls host', host: sshd.host, port: sshd.port, user: sshd.user, privateKey: sshd.clientKeyPath });
    await page.getByRole('button', { name: 'Pair a device' }).click();
    const dialog = page.getByTestId('devices-dialog');
    await dialog.getByRole('radio', { name: /Local network over HTTPS/ }).check();
    await dialog.getByRole('button', { name: 'Show pairing code' }).click();
    const link = await dialog.getByRole('textbox', { name: 'Pairing link' }).inputValue();
    expect(link).toMatch(/^https:\/\/127\.0\.0\.2:\d+\/pair\?code=/);
    // The fingerprint shown is the kept certificate's, the one the phone's browser will show.
    const cert = new X509Certificate(readFileSync(join(webHost.dataDir, 'tls', 'cert.pem'), 'utf8'));
    await expect(dialog.locator('.fingerprint')).toHaveText(cert.fingerprint256);
    if (shots) await page.screenshot({ path: `${shots}/pair-https-desktop.png` });

    // A browser that was not told about the certificate refuses it (the warning a phone shows once).
    const stranger = await browser.newContext();
    await expect((await stranger.newPage()).goto(link)).rejects.toThrow(/ERR_CERT/);
    await stranger.close();

    // The phone's browser trusts this certificate's key (as a user does by accepting it after comparing).
    const spki = createHash('sha256').update(cert.publicKey.export({ type: 'spki', format: 'der' })).digest('base64');
    const phoneBrowser = await browser.browserType().launch({ ...launchOptions, args: [...(launchOptions.args ?? []), `--ignore-certificate-errors-spki-list=${spki}`] });
    try {
      const phoneContext = await phoneBrowser.newContext({ viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true, deviceScaleFactor: 1 });
      const phone = await phoneContext.newPage();
      const opened = await phone.goto(link);
      expect(opened?.status()).toBe(200);
      expect(phone.url()).toMatch(/^https:/);
      await phone.getByLabel('Name this device').fill('iPad');
      await phone.getByRole('button', { name: 'Pair' }).click();
      await expect(phone.getByRole('heading')).toHaveText('Paired as “iPad”');
      await phone.getByRole('link', { name: 'Open Holdfast' }).click();
      // The UI and its socket work over TLS: the phone sees the desktop's host.
      await expect(phone.locator('.device-chip')).toHaveText('iPad');
      await expect(phone.getByTestId('host-row').filter({ hasText: 'tls host' })).toBeVisible();
      await expect(dialog.getByTestId('device-row').filter({ hasText: 'iPad' })).toBeVisible();
      await phoneContext.close();
    } finally {
      await phoneBrowser.close();
    }

    // Plain HTTP on that address and port gets no page.
    const port = new URL(link).port;
    const plain = await fetch(`http://127.0.0.2:${port}/`).then(
      (r) => `status ${r.status}`,
      (err: unknown) => `error ${String(err)}`,
    );
    expect(plain).toMatch(/^error/);
  });
});
