// Needs you as the user sees it: a waiting prompt of a session no tab shows appears in the panel with its choices,
// a choice answers it (the program gets exactly that key) and the item goes; the window title counts the items;
// a notification (the browser's Notification API, granted) names host and session, and clicking it opens the pane.
import { rmSync } from 'node:fs';
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
