// A pane is a stream with owners: each page gets the output of the panes it shows and no other's, two pages can
// show one pane, and a page's tabs come back after a reload (the same panes) and after a restart of the web host
// (attached again by themselves).
import type { Page } from '@playwright/test';
import { addHost, expect, terminalText, test } from './fixtures';

/** The pane ids of every binary frame (pane output) a page receives over its socket. */
function recordPaneFrames(page: Page): Set<string> {
  const seen = new Set<string>();
  page.on('websocket', (ws) => {
    ws.on('framereceived', ({ payload }) => {
      if (typeof payload === 'string') return;
      const frame = Buffer.from(payload);
      if (frame[0] !== 1 || frame.length < 3) return;
      const length = (frame[1]! << 8) | frame[2]!;
      seen.add(frame.subarray(3, 3 + length).toString('utf8'));
    });
  });
  return seen;
}

const activePane = (page: Page) => page.locator('[data-testid="pane"]:not([hidden])');

async function openSession(page: Page, session: string): Promise<string> {
  await page.getByTestId('session-row').filter({ hasText: session }).click();
  await expect(activePane(page)).toHaveAttribute('data-pane-state', 'attached');
  await expect(page.getByTestId('tab').filter({ hasText: session })).toHaveCount(1);
  return (await activePane(page).getAttribute('data-pane-id'))!;
}

async function typeInto(page: Page, text: string): Promise<void> {
  await activePane(page).getByTestId('terminal').click();
  await page.keyboard.type(text);
}

/** Adds the test's host and lists its sessions, accepting (and remembering) the host key. */
async function addAndOpenHost(page: Page, sshd: { host: string; port: number; user: string; clientKeyPath: string; hostKeyFingerprint: string }, name: string): Promise<void> {
  await addHost(page, { name, host: sshd.host, port: sshd.port, user: sshd.user, privateKey: sshd.clientKeyPath });
  await page.getByTestId('host-row').filter({ hasText: name }).getByRole('button', { name }).first().click();
  const prompt = page.getByRole('dialog', { name: 'Host key check' });
  await expect(prompt.getByTestId('host-key-fingerprint')).toHaveText(sshd.hostKeyFingerprint);
  await prompt.getByRole('button', { name: 'Accept and remember' }).click();
}

test('two pages on two different panes each get only their own pane\'s output', async ({ page, sshd, webHost }) => {
  for (const s of ['e2e-ws-a', 'e2e-ws-b']) sshd.runAsUser(`tmux has-session -t =${s} 2>/dev/null || tmux new-session -d -s ${s}`);
  const framesA = recordPaneFrames(page);
  await page.goto(webHost.url);
  await addAndOpenHost(page, sshd, 'two pages');
  const other = await page.context().newPage();
  const framesB = recordPaneFrames(other);
  await other.goto(webHost.url);
  await other.getByTestId('host-row').filter({ hasText: 'two pages' }).getByRole('button', { name: 'two pages' }).first().click();

  const paneA = await openSession(page, 'e2e-ws-a');
  const paneB = await openSession(other, 'e2e-ws-b');
  expect(paneA).not.toBe(paneB);
  await typeInto(page, 'echo only-a-$((40+2))\n');
  await typeInto(other, 'echo only-b-$((40+2))\n');
  await expect.poll(() => terminalText(page)).toContain('only-a-42');
  await expect.poll(() => terminalText(other)).toContain('only-b-42');

  // A frame is addressed to the pane, or to one tmux pane of it (`paneId/%5`) in control mode.
  const panesOf = (frames: Set<string>) => [...new Set([...frames].map((id) => id.split('/')[0]))];
  expect(panesOf(framesA)).toEqual([paneA]);
  expect(panesOf(framesB)).toEqual([paneB]);
  expect(await terminalText(page)).not.toContain('only-b-42');
});

test('two pages on one session share its pane: both see what either types, over one tmux client', async ({ page, sshd, webHost }) => {
  sshd.runAsUser('tmux has-session -t =e2e-ws-shared 2>/dev/null || tmux new-session -d -s e2e-ws-shared');
  const attached = () => sshd.runAsUser("tmux display -p -t '=e2e-ws-shared:' '#{session_attached}'").trim();
  await page.goto(webHost.url);
  await addAndOpenHost(page, sshd, 'shared');
  const first = await openSession(page, 'e2e-ws-shared');
  await typeInto(page, 'echo before-second-$((1+1))\n');
  await expect.poll(() => terminalText(page)).toContain('before-second-2');

  // A new page starts with the tabs the first one saved: the same pane, drawn as it is now.
  const other = await page.context().newPage();
  await other.goto(webHost.url);
  await expect(other.getByTestId('tab').filter({ hasText: 'e2e-ws-shared' })).toHaveCount(1);
  await expect(activePane(other)).toHaveAttribute('data-pane-id', first);
  await expect(activePane(other)).toHaveAttribute('data-pane-state', 'attached');
  await expect.poll(() => terminalText(other)).toContain('before-second-2');

  await typeInto(other, 'echo from-second-$((2+2))\n');
  await expect.poll(() => terminalText(page)).toContain('from-second-4');
  await typeInto(page, 'echo from-first-$((3+3))\n');
  await expect.poll(() => terminalText(other)).toContain('from-first-6');
  expect(attached()).toBe('1');

  // Closing the tab in one page leaves the other's.
  await other.getByRole('button', { name: 'Detach e2e-ws-shared' }).click();
  await typeInto(page, 'echo still-here-$((4+4))\n');
  await expect.poll(() => terminalText(page)).toContain('still-here-8');
  expect(attached()).toBe('1');
});

test('a reload gives the page its tabs back, in order, with the same one active, and typing works without a click', async ({ page, sshd, webHost }) => {
  for (const s of ['e2e-ws-one', 'e2e-ws-two']) sshd.runAsUser(`tmux has-session -t =${s} 2>/dev/null || tmux new-session -d -s ${s}`);
  await page.goto(webHost.url);
  await addAndOpenHost(page, sshd, 'reload');
  await openSession(page, 'e2e-ws-one');
  await openSession(page, 'e2e-ws-two');
  await page.getByTestId('tab').filter({ hasText: 'e2e-ws-one' }).getByRole('tab').click();
  await typeInto(page, 'echo before-reload-$((5+5))\n');
  await expect.poll(() => terminalText(page)).toContain('before-reload-10');

  await page.reload();
  await expect(page.getByTestId('tab')).toHaveText(['e2e-ws-one×', 'e2e-ws-two×']);
  await expect(page.getByTestId('tab').filter({ hasText: 'e2e-ws-one' }).getByRole('tab')).toHaveAttribute('aria-selected', 'true');
  await expect(activePane(page)).toHaveAttribute('data-pane-state', 'attached');
  // The screen as it was, without waiting for new output.
  await expect.poll(() => terminalText(page)).toContain('before-reload-10');
  await page.keyboard.type('echo after-reload-$((6+6))\n');
  await expect.poll(() => terminalText(page)).toContain('after-reload-12');
});

test('after the web host restarts on the same data dir, the tabs reopen and attach by themselves', async ({ page, sshd, webHost }) => {
  for (const s of ['e2e-ws-r1', 'e2e-ws-r2']) sshd.runAsUser(`tmux has-session -t =${s} 2>/dev/null || tmux new-session -d -s ${s}`);
  const attached = (s: string) => sshd.runAsUser(`tmux display -p -t '=${s}:' '#{session_attached}'`).trim();
  await page.goto(webHost.url);
  await addAndOpenHost(page, sshd, 'restart');
  await openSession(page, 'e2e-ws-r1');
  await openSession(page, 'e2e-ws-r2');

  await page.goto(await webHost.restart());
  await expect(page.getByTestId('tab')).toHaveText(['e2e-ws-r1×', 'e2e-ws-r2×']);
  await expect(activePane(page)).toHaveAttribute('data-pane-state', 'attached');
  await expect.poll(() => attached('e2e-ws-r2')).toBe('1');
  await expect.poll(() => attached('e2e-ws-r1')).toBe('1');
  // No question was asked: the host key was remembered.
  await expect(page.getByRole('dialog')).toHaveCount(0);
  await page.keyboard.type('echo restored-$((7+7))\n');
  await expect.poll(() => terminalText(page)).toContain('restored-14');
});

test.describe('a page that goes for good', () => {
  test.use({ webHostArgs: ['--keep-tabs', '1'] });

  test('lets go of its panes once the time to come back is over; the sessions keep running', async ({ page, sshd, webHost }) => {
    sshd.runAsUser('tmux has-session -t =e2e-ws-gone 2>/dev/null || tmux new-session -d -s e2e-ws-gone');
    const attached = () => sshd.runAsUser("tmux display -p -t '=e2e-ws-gone:' '#{session_attached}'").trim();
    await page.goto(webHost.url);
    await addAndOpenHost(page, sshd, 'gone');
    await openSession(page, 'e2e-ws-gone');
    expect(attached()).toBe('1');
    await page.close();
    await expect.poll(attached).toBe('0');
    expect(sshd.runAsUser("tmux has-session -t '=e2e-ws-gone' && echo yes").trim()).toBe('yes');
  });
});
