// tmux windows and panes as the app's own sub-tabs and splits (control mode), kept in sync both ways: what is done
// in tmux shows at once, what is done here is done in tmux, and keys go to the focused pane only.
import type { Page } from '@playwright/test';
import { addHost, expect, openHostAcceptingKey, terminalText, test } from './fixtures';

const SESSION = 'e2e-win';
const activePane = (page: Page) => page.locator('[data-testid="pane"]:not([hidden])');

test('shows a session\'s windows as sub-tabs and its panes as native splits, and keeps them in sync with tmux both ways', async ({ page, sshd, webHost }) => {
  const tmux = (command: string) => sshd.runAsUser(`tmux ${command}`).trim();
  tmux(`kill-session -t =${SESSION} 2>/dev/null; true`);
  tmux(`new-session -d -s ${SESSION} -n editor \\; split-window -h -t '=${SESSION}:editor' \\; new-window -d -t '=${SESSION}:' -n logs`);
  const paneIds = () => tmux(`list-panes -t '=${SESSION}:editor' -F '#{pane_id}'`).split('\n');
  const [left, right] = paneIds();

  await page.goto(webHost.url);
  await addHost(page, { name: 'windows', host: sshd.host, port: sshd.port, user: sshd.user, privateKey: sshd.clientKeyPath });
  await openHostAcceptingKey(page, 'windows', sshd.hostKeyFingerprint);
  await page.getByTestId('session-row').filter({ hasText: SESSION }).click();
  const pane = activePane(page);
  await expect(pane).toHaveAttribute('data-pane-state', 'attached');
  await expect(pane).toHaveAttribute('data-pane-mode', 'control');

  // Two windows as sub-tabs, the active one's two panes side by side.
  const windowTabs = pane.getByTestId('window-tab');
  await expect(windowTabs).toHaveCount(2);
  await expect(windowTabs.nth(0)).toContainText('editor');
  await expect(windowTabs.nth(1)).toContainText('logs');
  await expect(windowTabs.nth(0)).toHaveAttribute('aria-selected', 'true');
  const natives = pane.getByTestId('native-pane');
  await expect(natives).toHaveCount(2);
  const leftBox = (await pane.locator(`[data-tmux-pane="${left}"]`).boundingBox())!;
  const rightBox = (await pane.locator(`[data-tmux-pane="${right}"]`).boundingBox())!;
  expect(rightBox.x).toBeGreaterThan(leftBox.x + leftBox.width - 2);
  expect(Math.abs(rightBox.height - leftBox.height)).toBeLessThan(2);
  // The window is as big as the view has room for, and the panes are tmux's.
  const [w, h] = tmux(`display -p -t '=${SESSION}:editor' '#{window_width} #{window_height}'`).split(' ').map(Number);
  expect(w).toBeGreaterThan(100);
  expect(h).toBeGreaterThan(20);

  // Keys go to the focused pane only; clicking a pane focuses it in tmux too.
  await pane.locator(`[data-tmux-pane="${left}"]`).click();
  await expect.poll(() => tmux(`display -p -t '=${SESSION}:' '#{pane_id}'`)).toBe(left);
  await expect(pane.locator(`[data-tmux-pane="${left}"]`)).toHaveAttribute('data-focused', 'true');
  await page.keyboard.type('echo typed-left-$((6*7))\n');
  await expect.poll(() => tmux(`capture-pane -p -t '${left}'`)).toContain('typed-left-42');
  expect(tmux(`capture-pane -p -t '${right}'`)).not.toContain('typed-left-42');
  await expect.poll(() => terminalText(page)).toContain('typed-left-42');

  await pane.locator(`[data-tmux-pane="${right}"]`).click();
  await expect.poll(() => tmux(`display -p -t '=${SESSION}:' '#{pane_id}'`)).toBe(right);
  await page.keyboard.type('echo typed-right-$((6*7))\n');
  await expect.poll(() => tmux(`capture-pane -p -t '${right}'`)).toContain('typed-right-42');
  expect(tmux(`capture-pane -p -t '${left}'`)).not.toContain('typed-right-42');

  // Split down from here: tmux has three panes, and so has the view.
  await pane.getByRole('button', { name: 'Split down' }).click();
  await expect.poll(() => paneIds().length).toBe(3);
  await expect(natives).toHaveCount(3);
  const shots = process.env.HOLDFAST_SHOTS;
  if (shots) {
    // The split layout at a large and a small window, once tmux has the size the view asked for.
    for (const [width, height] of [[1680, 1050], [800, 520], [1280, 800]] as const) {
      await page.setViewportSize({ width, height });
      const view = pane.getByTestId('session-view');
      await expect.poll(async () => (await view.getAttribute('data-requested-size')) === tmux(`display -p -t '=${SESSION}:editor' '#{window_width}x#{window_height}'`)).toBe(true);
      await page.screenshot({ path: `${shots}/splits-${width}x${height}.png` });
    }
  }

  // Done in tmux by someone else: a window renamed, another switched to.
  tmux(`rename-window -t '=${SESSION}:logs' build`);
  await expect(windowTabs.nth(1)).toContainText('build');
  tmux(`select-window -t '=${SESSION}:build'`);
  await expect(windowTabs.nth(1)).toHaveAttribute('aria-selected', 'true');
  await expect(natives).toHaveCount(1);

  // Clicking a sub-tab switches the window in tmux.
  await windowTabs.nth(0).click();
  await expect.poll(() => tmux(`display -p -t '=${SESSION}:' '#{window_name}'`)).toBe('editor');
  await expect(natives).toHaveCount(3);

  // New window, then Close pane on it closes it.
  await pane.getByRole('button', { name: 'New window' }).click();
  await expect(windowTabs).toHaveCount(3);
  await expect.poll(() => tmux(`list-windows -t '=${SESSION}' -F x`).split('\n').length).toBe(3);
  await pane.getByRole('button', { name: 'Close pane' }).click();
  await expect(windowTabs).toHaveCount(2);

  // Zoom: one pane fills the window, and again restores the split.
  await pane.getByRole('button', { name: 'Zoom' }).click();
  await expect.poll(() => tmux(`display -p -t '=${SESSION}:editor' '#{window_zoomed_flag}'`)).toBe('1');
  await expect(natives).toHaveCount(1);
  await pane.getByRole('button', { name: 'Unzoom' }).click();
  await expect(natives).toHaveCount(3);

  // Rename window from here.
  await pane.getByRole('button', { name: 'Rename window' }).click();
  await pane.getByLabel('Window name').fill('agent');
  await pane.getByLabel('Window name').press('Enter');
  await expect.poll(() => tmux(`display -p -t '=${SESSION}:' '#{window_name}'`)).toBe('agent');
  await expect(windowTabs.nth(0)).toContainText('agent');

  tmux(`kill-session -t '=${SESSION}'`);
});

test('dragging a divider resizes the panes in tmux', async ({ page, sshd, webHost }) => {
  const tmux = (command: string) => sshd.runAsUser(`tmux ${command}`).trim();
  const session = 'e2e-drag';
  tmux(`kill-session -t =${session} 2>/dev/null; true`);
  tmux(`new-session -d -s ${session} \\; split-window -h -t '=${session}:'`);
  const left = tmux(`list-panes -t '=${session}:' -F '#{pane_id}'`).split('\n')[0]!;
  await page.goto(webHost.url);
  await addHost(page, { name: 'drag', host: sshd.host, port: sshd.port, user: sshd.user, privateKey: sshd.clientKeyPath });
  await openHostAcceptingKey(page, 'drag', sshd.hostKeyFingerprint);
  await page.getByTestId('session-row').filter({ hasText: session }).click();
  const pane = activePane(page);
  await expect(pane.getByTestId('native-pane')).toHaveCount(2);
  // Settled first: tmux has the size the session view asks for, so nothing resizes the panes but the drag.
  const requested = async () => (await pane.getByTestId('session-view').getAttribute('data-requested-size')) ?? '';
  await expect.poll(async () => (await requested()) === tmux(`display -p -t '=${session}:' '#{window_width}x#{window_height}'`)).toBe(true);
  const leftBox = async () => (await pane.locator(`[data-tmux-pane="${left}"]`).boundingBox())!;
  await expect.poll(async () => (await leftBox()).width > 200).toBe(true);
  const before = Number(tmux(`display -p -t '${left}' '#{pane_width}'`));
  const widthBefore = (await leftBox()).width;
  const divider = pane.getByTestId('split-divider');
  const box = (await divider.boundingBox())!;
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.mouse.down();
  await page.mouse.move(box.x - 200, box.y + box.height / 2, { steps: 5 });
  await page.mouse.up();
  await expect.poll(() => Number(tmux(`display -p -t '${left}' '#{pane_width}'`))).toBeLessThan(before - 10);
  // The view follows tmux's new layout: the left pane is narrower than it was before the drag.
  await expect.poll(async () => (await leftBox()).width).toBeLessThan(widthBefore - 100);
  tmux(`kill-session -t '=${session}'`);
});
