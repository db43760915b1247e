// Needs you as the user sees it: a waiting prompt of a session no tab shows appears in the panel with its choices,
// a choice answers it (the program gets exactly that key) and the item goes; the window title counts the items;
// a notification (the browser's Notification API, granted) names host and session, and clicking it opens the pane.
// Each item shows what it approves (the command, the packages) above its buttons, on the desktop and on a paired
// phone; the panel folds to its count; the Timeline lists the answer with the device that gave it.
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { addHost, expect, openHostAcceptingKey, test } from './fixtures';
import { copyPromptFixtures } from '../test/harness/promptFixtures';

let fixtures: string;
test.beforeAll(() => {
  fixtures = copyPromptFixtures();
});
test.afterAll(() => rmSync(fixtures, { recursive: true, force: true }));

test('a waiting prompt shows in Needs you with its own choices; one click answers it once', async ({ page, sshd, webHost }) => {
  const tmux = (command: string) => sshd.runAsUser(`tmux ${command}`).trim();
  tmux(`kill-session -t =e2e-agent 2>/dev/null; true`);
  await page.goto(webHost.url);
  await addHost(page, { name: 'agents', host: sshd.host, port: sshd.port, user: sshd.user, privateKey: sshd.clientKeyPath });
  await openHostAcceptingKey(page, 'agents', sshd.hostKeyFingerprint);
  tmux(`new-session -d -s e2e-agent -x 100 -y 30 ${join(fixtures, 'claude-permission.sh')}`);

  const panel = page.getByRole('region', { name: 'Needs you' });
  const item = panel.getByTestId('needs-item').filter({ hasText: 'e2e-agent' });
  await expect(item).toBeVisible({ timeout: 20_000 });
  await expect(item).toContainText('Do you want to make this edit to app.py?');
  await expect(item).toContainText('agents');
  await expect(item.locator('.needs-choices button')).toHaveText(['Yes', "Yes, and don't ask again this session", 'No, and tell Claude what to do differently', 'Open']);
  await expect(page).toHaveTitle('(1) Holdfast');
  // The session's row in the list is marked as waiting.
  await expect(page.getByTestId('session-row').filter({ hasText: 'e2e-agent' })).toHaveAttribute('data-mark', 'waiting');

  await item.getByRole('button', { name: 'Yes', exact: true }).click();
  await expect.poll(() => tmux(`capture-pane -p -t '=e2e-agent:'`)).toContain('received: [1]');
  await expect(item).toHaveCount(0);
  await expect(page).toHaveTitle('Holdfast');
  // Nothing more was typed: the next key the program gets is a marker typed now.
  tmux(`send-keys -t '=e2e-agent:' z Enter`);
  await expect.poll(() => tmux(`capture-pane -p -t '=e2e-agent:'`)).toContain('also received: [z]');
  expect(/also received: \[(.*)\]/.exec(tmux(`capture-pane -p -t '=e2e-agent:'`))?.[1]).toBe('z');
  tmux(`kill-session -t '=e2e-agent'`);
});

test('a notification names host and session, and clicking it opens the pane', async ({ page, sshd, webHost, context }) => {
  const tmux = (command: string) => sshd.runAsUser(`tmux ${command}`).trim();
  tmux(`kill-session -t =e2e-notify 2>/dev/null; true`);
  // Record the notifications the page makes, and let the test click one.
  await context.grantPermissions(['notifications']);
  await page.addInitScript(() => {
    const made: { title: string; body: string; click: () => void }[] = [];
    (window as unknown as { holdfastNotifications: typeof made }).holdfastNotifications = made;
    const Real = window.Notification;
    class Recorded extends Real {
      constructor(title: string, options?: NotificationOptions) {
        super(title, options);
        made.push({ title, body: options?.body ?? '', click: () => this.onclick?.call(this, new Event('click')) });
      }
    }
    Object.defineProperty(window, 'Notification', { value: Recorded });
  });
  await page.goto(webHost.url);
  await addHost(page, { name: 'notifier', host: sshd.host, port: sshd.port, user: sshd.user, privateKey: sshd.clientKeyPath });
  await openHostAcceptingKey(page, 'notifier', sshd.hostKeyFingerprint);
  tmux(`new-session -d -s e2e-notify -x 100 -y 30 ${join(fixtures, 'codex-approval.sh')}`);

  const shown = () => page.evaluate(() => (window as unknown as { holdfastNotifications: { title: string; body: string }[] }).holdfastNotifications.map((n) => ({ title: n.title, body: n.body })));
  await expect.poll(shown, { timeout: 20_000 }).toContainEqual({ title: 'e2e-notify needs you', body: 'notifier · e2e-notify\nWould you like to run the following command?' });
  await page.evaluate(() => (window as unknown as { holdfastNotifications: { click: () => void }[] }).holdfastNotifications.at(-1)!.click());
  const pane = page.locator('[data-testid="pane"]:not([hidden])');
  await expect(page.getByTestId('tab').filter({ hasText: 'e2e-notify' })).toHaveCount(1);
  await expect(pane).toHaveAttribute('data-pane-state', 'attached');
  tmux(`kill-session -t '=e2e-notify'`);
});

test('several sessions waiting at once: each is an item with its own answers, and the title counts them', async ({ page, sshd, webHost }) => {
  const tmux = (command: string) => sshd.runAsUser(`tmux ${command}`).trim();
  const sessions = ['e2e-many-claude', 'e2e-many-codex', 'e2e-many-yn'];
  for (const s of sessions) tmux(`kill-session -t =${s} 2>/dev/null; true`);
  await page.goto(webHost.url);
  await addHost(page, { name: 'many', host: sshd.host, port: sshd.port, user: sshd.user, privateKey: sshd.clientKeyPath });
  await openHostAcceptingKey(page, 'many', sshd.hostKeyFingerprint);
  tmux(`new-session -d -s e2e-many-claude -x 100 -y 30 ${join(fixtures, 'claude-permission.sh')}`);
  tmux(`new-session -d -s e2e-many-codex -x 100 -y 30 ${join(fixtures, 'codex-approval.sh')}`);
  tmux(`new-session -d -s e2e-many-yn -x 100 -y 30 "sh -c 'echo Upgrading 3 packages; printf \\"Continue? [y/N] \\"; read a; echo got \\$a; sleep 600'"`);

  const items = page.getByRole('region', { name: 'Needs you' }).getByTestId('needs-item');
  await expect(items).toHaveCount(3, { timeout: 20_000 });
  await expect(page).toHaveTitle('(3) Holdfast');
  // The host's open list shows the sessions made on the server meanwhile, without Refresh (well before its 30 s relist).
  await expect(page.getByTestId('session-row').filter({ hasText: 'e2e-many-yn' })).toHaveAttribute('data-mark', 'waiting', { timeout: 10_000 });
  await expect(items.filter({ hasText: 'e2e-many-yn' }).locator('.needs-choices button')).toHaveText(['Yes', 'No', 'Open']);
  await expect(items.filter({ hasText: 'e2e-many-codex' })).toContainText('Would you like to run the following command?');
  if (process.env.HOLDFAST_SHOTS) await page.screenshot({ path: `${process.env.HOLDFAST_SHOTS}/needs-several.png` });

  await items.filter({ hasText: 'e2e-many-yn' }).getByRole('button', { name: 'No', exact: true }).click();
  await expect.poll(() => tmux(`capture-pane -p -t '=e2e-many-yn:'`)).toContain('got n');
  await expect(items).toHaveCount(2);
  await expect(page).toHaveTitle('(2) Holdfast');
  for (const s of sessions) tmux(`kill-session -t =${s} 2>/dev/null; true`);
});

test('an item shows what it approves before its buttons, on the desktop and a paired phone; the Timeline names who answered', async ({ page, browser, sshd, webHost }) => {
  const shots = process.env.HOLDFAST_SHOTS;
  const tmux = (command: string) => sshd.runAsUser(`tmux ${command}`).trim();
  const sessions = ['e2e-trust-claude', 'e2e-trust-apt', 'e2e-trust-codex'];
  for (const s of sessions) tmux(`kill-session -t =${s} 2>/dev/null; true`);
  await page.setViewportSize({ width: 1440, height: 900 });
  await page.goto(webHost.url);
  await addHost(page, { name: 'trust', host: sshd.host, port: sshd.port, user: sshd.user, privateKey: sshd.clientKeyPath });
  await page.getByTestId('host-row').filter({ hasText: 'trust' }).getByRole('button', { name: 'trust' }).first().click();
  await page.getByRole('dialog', { name: 'Host key check' }).getByRole('button', { name: 'Accept and remember' }).click();
  tmux(`new-session -d -s e2e-trust-claude -x 100 -y 30 ${join(fixtures, 'claude-permission.sh')}`);
  tmux(`new-session -d -s e2e-trust-apt -x 100 -y 30 ${join(fixtures, 'apt-install.sh')}`);
  tmux(`new-session -d -s e2e-trust-codex -x 100 -y 30 ${join(fixtures, 'codex-approval.sh')}`);

  const panel = page.getByRole('region', { name: 'Needs you' });
  const items = panel.getByTestId('needs-item');
  await expect(items).toHaveCount(3, { timeout: 20_000 });
  // What each answer approves is on screen, above the buttons.
  const claude = items.filter({ hasText: 'e2e-trust-claude' });
  await expect(claude.getByTestId('needs-region')).toContainText('src/app.py: run() -> run(fast=True)');
  await expect(items.filter({ hasText: 'e2e-trust-apt' }).getByTestId('needs-region')).toContainText('curl libcurl4');
  await expect(items.filter({ hasText: 'e2e-trust-codex' }).getByTestId('needs-region')).toContainText('$ rm -rf build');
  const regionBox = (await claude.getByTestId('needs-region').boundingBox())!;
  const buttonBox = (await claude.getByRole('button', { name: 'Yes', exact: true }).boundingBox())!;
  expect(regionBox.y + regionBox.height).toBeLessThanOrEqual(buttonBox.y);
  await expect(claude.getByTestId('needs-today')).toContainText('today');
  if (shots) await page.screenshot({ path: `${shots}/needs-desktop-1440.png` });

  // The panel folds to its count, and opens again.
  await panel.getByRole('button', { name: /Needs you/ }).click();
  await expect(items).toHaveCount(0);
  await expect(panel.getByTestId('needs-count')).toHaveText('3');
  if (shots) await page.screenshot({ path: `${shots}/needs-desktop-folded.png` });
  await panel.getByRole('button', { name: /Needs you/ }).click();
  await expect(items).toHaveCount(3);

  // A phone paired with the desktop sees the same, and answers.
  await page.getByRole('button', { name: 'Pair a device' }).click();
  const devices = page.getByTestId('devices-dialog');
  await devices.getByRole('button', { name: 'Show pairing code' }).click();
  const link = await devices.getByRole('textbox', { name: 'Pairing link' }).inputValue();
  await devices.getByRole('button', { name: 'Close' }).click();
  const phoneContext = await browser.newContext({ viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true, deviceScaleFactor: 2 });
  const phone = await phoneContext.newPage();
  await phone.goto(link);
  await phone.getByLabel('Name this device').fill('Pixel');
  await phone.getByRole('button', { name: 'Pair' }).click();
  await phone.getByRole('link', { name: 'Open Holdfast' }).click();
  const phoneItems = phone.getByRole('region', { name: 'Needs you' }).getByTestId('needs-item');
  await expect(phoneItems).toHaveCount(3, { timeout: 20_000 });
  const phoneClaude = phoneItems.filter({ hasText: 'e2e-trust-claude' });
  await expect(phoneClaude.getByTestId('needs-region')).toContainText('src/app.py: run() -> run(fast=True)');
  if (shots) await phone.screenshot({ path: `${shots}/needs-phone-390.png` });
  await phoneClaude.getByRole('button', { name: 'Yes', exact: true }).tap();
  await expect.poll(() => tmux(`capture-pane -p -t '=e2e-trust-claude:'`)).toContain('received: [1]');
  await expect(phoneItems).toHaveCount(2);

  // The desktop answers the apt question; the Timeline names both devices.
  await items.filter({ hasText: 'e2e-trust-apt' }).getByRole('button', { name: 'No', exact: true }).click();
  await expect.poll(() => tmux(`capture-pane -p -t '=e2e-trust-apt:'`)).toContain('got n');
  await page.getByRole('button', { name: 'Timeline' }).click();
  const timeline = page.getByTestId('timeline-dialog');
  const answers = timeline.getByTestId('timeline-entry').and(timeline.locator('[data-kind="answer"]'));
  await expect(answers).toHaveCount(2);
  await expect(answers.filter({ hasText: 'e2e-trust-claude' })).toContainText('Answered “Yes” from Pixel');
  await expect(answers.filter({ hasText: 'e2e-trust-apt' })).toContainText('Answered “No” from this computer');
  await expect(timeline.getByTestId('timeline-entry').and(timeline.locator('[data-kind="prompt"]')).filter({ hasText: 'e2e-trust-claude' })).toContainText('Waited');
  if (shots) await page.screenshot({ path: `${shots}/timeline-desktop-1440.png` });
  const download = page.waitForEvent('download');
  await timeline.getByRole('button', { name: 'Export' }).click();
  const exported = await (await download).path();
  const lines = readFileSync(exported, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { kind: string; device?: { label: string } });
  expect(lines.filter((l) => l.kind === 'answer').map((l) => l.device?.label).sort()).toEqual(['Pixel', 'this computer']);
  await timeline.getByRole('button', { name: 'Close' }).click();

  // The phone has the Timeline too.
  await phone.getByRole('button', { name: 'Timeline' }).tap();
  await expect(phone.getByTestId('timeline-dialog').getByTestId('timeline-entry').first()).toBeVisible();
  if (shots) await phone.screenshot({ path: `${shots}/timeline-phone-390.png` });
  await phoneContext.close();
  for (const s of sessions) tmux(`kill-session -t =${s} 2>/dev/null; true`);
});

test('while the host reconnects the items stay, marked as not current, and keep their waiting time', async ({ page, sshd, webHost }) => {
  const tmux = (command: string) => sshd.runAsUser(`tmux ${command}`).trim();
  for (const s of ['e2e-outage-agent', 'e2e-outage-tab']) tmux(`kill-session -t =${s} 2>/dev/null; true`);
  tmux('new-session -d -s e2e-outage-tab -x 100 -y 30');
  await page.goto(webHost.url);
  await addHost(page, { name: 'outage', host: sshd.host, port: sshd.port, user: sshd.user, privateKey: sshd.clientKeyPath });
  await openHostAcceptingKey(page, 'outage', sshd.hostKeyFingerprint);
  // A tab keeps the host connected, so that it reconnects after the drop.
  await page.getByTestId('session-row').filter({ hasText: 'e2e-outage-tab' }).click();
  await expect(page.locator('[data-testid="pane"]:not([hidden])')).toHaveAttribute('data-pane-state', 'attached');
  tmux(`new-session -d -s e2e-outage-agent -x 100 -y 30 ${join(fixtures, 'claude-permission.sh')}`);
  const item = page.getByRole('region', { name: 'Needs you' }).getByTestId('needs-item').filter({ hasText: 'e2e-outage-agent' });
  await expect(item).toHaveAttribute('data-current', 'true', { timeout: 20_000 });
  const since = await item.getAttribute('data-since');

  await sshd.stop();
  sshd.dropConnections();
  await expect(item).toHaveAttribute('data-current', 'false', { timeout: 20_000 });
  await expect(item.getByTestId('needs-stale')).toContainText('not current');
  await expect(item.getByRole('button', { name: 'Yes', exact: true })).toBeDisabled();
  await expect(item).toHaveAttribute('data-since', since!);
  // The window title still counts it, beside the active tab's name.
  await expect(page).toHaveTitle('(1) e2e-outage-tab — Holdfast');
  if (process.env.HOLDFAST_SHOTS) await page.screenshot({ path: `${process.env.HOLDFAST_SHOTS}/needs-reconnecting.png` });

  await sshd.start();
  await expect(item).toHaveAttribute('data-current', 'true', { timeout: 45_000 });
  await expect(item).toHaveAttribute('data-since', since!);
  for (const s of ['e2e-outage-agent', 'e2e-outage-tab']) tmux(`kill-session -t =${s} 2>/dev/null; true`);
});
