import { describe, expect, it } from 'vitest';
import { IMMEDIATE_BATCHES } from './OutputBatcher';
import { Pane, stateAfterClientExit, type PaneStateChange } from './Pane';
import { TERMINAL_RESET } from './terminalReset';
import { FakeConnection, FakeExecChannel, FakeTmuxServer, ManualClock, tmuxArgsOf, waitFor } from '../testing';

const decoder = new TextDecoder();

function setup(options: { sessions?: string[]; startCommand?: string; flow?: { high: number; low: number }; tmuxMissing?: boolean } = {}) {
  const tmux = new FakeTmuxServer(options.sessions ?? ['my work']);
  tmux.tmuxMissing = options.tmuxMissing ?? false;
  const clock = new ManualClock();
  const pane = new Pane({
    paneId: 'p1',
    hostId: 'host-1',
    sessionName: 'my work',
    startCommand: options.startCommand,
    cols: 80,
    rows: 24,
    scheduler: clock,
    flow: options.flow,
  });
  const output: Uint8Array[] = [];
  const states: PaneStateChange[] = [];
  pane.onData((d) => output.push(d));
  pane.onDidChangeState((e) => states.push(e));
  const newConnection = () => new FakeConnection({ exec: tmux.exec });
  const text = () => output.map((d) => decoder.decode(d)).join('');
  return { pane, clock, tmux, output, states, newConnection, text };
}

/** Lets the pane's promise chains (exec, openPty) run. */
async function settle(): Promise<void> {
  for (let i = 0; i < 10; i++) await Promise.resolve();
}

describe('Pane attach', () => {
  it('with create, makes the session detached at the view size with its start command, then attaches to its id', async () => {
    const { pane, tmux, newConnection } = setup({ sessions: [], startCommand: 'claude --continue' });
    const conn = newConnection();
    await pane.attach(conn, { create: true });
    expect(conn.execs.map((c) => tmuxArgsOf(c)?.[0])).toEqual(['new-session']);
    const made = tmux.calls[0]!;
    expect(made.slice(made.indexOf('-s'), made.indexOf('-s') + 6)).toEqual(['-s', 'my work', '-x', '80', '-y', '24']);
    expect(made).toContain('claude --continue');
    expect(tmux.attachTarget(conn.lastChannel!.options.command)).toBe('$0');
    expect(conn.lastChannel!.options).toMatchObject({ cols: 80, rows: 24, term: 'xterm-256color' });
    expect(pane.state).toBe('attached');
    expect(pane.info()).toEqual({ paneId: 'p1', hostId: 'host-1', sessionName: 'my work', sessionId: '$0', startCommand: 'claude --continue', state: 'attached', mode: 'classic' });
  });

  it('without create, looks the session up by its exact name and attaches to its id', async () => {
    const { pane, tmux, states, newConnection } = setup({ sessions: ['my work-long', 'my work'] });
    const conn = newConnection();
    await pane.attach(conn);
    expect(conn.execs.map((c) => tmuxArgsOf(c)?.[0])).toEqual(['list-sessions']);
    expect(tmux.attachTarget(conn.lastChannel!.options.command)).toBe('$1');
    expect(states.map((s) => s.state)).toEqual(['attaching', 'attached']);
  });

  it('with a known id, opens the pty together with the check (one round trip) and attaches to that id', async () => {
    const { tmux, newConnection } = setup({ sessions: ['other', 'my work'] });
    const pane = new Pane({ paneId: 'p2', hostId: 'h', sessionName: 'renamed since', sessionId: '$1', cols: 80, rows: 24, scheduler: new ManualClock() });
    const conn = newConnection();
    let ptysOpenedBeforeListing = -1;
    const exec = conn.exec.bind(conn);
    conn.exec = async (command) => {
      ptysOpenedBeforeListing = conn.channels.length;
      return exec(command);
    };
    await pane.attach(conn);
    expect(ptysOpenedBeforeListing).toBe(1);
    expect(conn.channels).toHaveLength(1);
    expect(tmux.attachTarget(conn.lastChannel!.options.command)).toBe('$1');
    expect(pane.sessionName).toBe('my work');
  });

  it('attaches to the session that has the name now when its old id is gone (made again after a server restart)', async () => {
    const { tmux, newConnection } = setup({ sessions: [] });
    const gone = tmux.add('work');
    tmux.remove('work');
    const again = tmux.add('work');
    const pane = new Pane({ paneId: 'p3', hostId: 'h', sessionName: 'work', sessionId: gone.id, cols: 80, rows: 24, scheduler: new ManualClock() });
    const conn = newConnection();
    await pane.attach(conn);
    expect(conn.channels[0]!.disposed).toBe(true);
    expect(tmux.attachTarget(conn.lastChannel!.options.command)).toBe(again.id);
    expect(pane.state).toBe('attached');
  });

  it('never attaches to a session whose name looks like its id', async () => {
    const { tmux, newConnection } = setup({ sessions: ['real'] });
    tmux.add('$0');
    const pane = new Pane({ paneId: 'p4', hostId: 'h', sessionName: '$0', cols: 80, rows: 24, scheduler: new ManualClock() });
    const conn = newConnection();
    await pane.attach(conn);
    expect(tmux.attachTarget(conn.lastChannel!.options.command)).toBe('$1');
  });

  it('without create, a missing session makes the pane session-gone with SESSION_GONE and leaves no channel open', async () => {
    const { pane, states, output, newConnection } = setup({ sessions: [] });
    const conn = newConnection();
    await pane.attach(conn);
    await settle();
    expect(pane.state).toBe('session-gone');
    // The pty went out together with the check; it is closed unbound, so nothing of it reaches the view.
    expect(conn.channels.every((c) => c.disposed)).toBe(true);
    expect(states.map((s) => s.state)).not.toContain('attached');
    expect(output).toHaveLength(0);
    const last = states[states.length - 1]!;
    expect(last.error?.code).toBe('SESSION_GONE');
    expect(last.message).toMatch(/no longer exists on the server/);
  });

  it('tmux missing on the server fails the attach with TMUX_MISSING', async () => {
    const { pane, states, newConnection } = setup({ tmuxMissing: true });
    await expect(pane.attach(newConnection())).rejects.toMatchObject({ code: 'TMUX_MISSING' });
    expect(pane.state).toBe('failed');
    expect(states[states.length - 1]!.error?.code).toBe('TMUX_MISSING');
  });

  it('an attach whose channel fails before the connection reports its end waits for the reconnect instead of failing', async () => {
    const { pane, states, newConnection } = setup();
    const conn = newConnection();
    // The channel request fails while the close event is still on its way: the probe finds the link dead.
    conn.openPty = async () => {
      conn.closed = true;
      throw new Error('No response from server');
    };
    await pane.attach(conn);
    expect(pane.state).toBe('reconnecting');
    expect(states.map((s) => s.state)).not.toContain('failed');
  });

  it('an attach whose channel is refused on a link that still answers says why and tries again on that link, with backoff', async () => {
    const { pane, clock, states, newConnection } = setup();
    const conn = newConnection();
    const openPty = conn.openPty.bind(conn);
    let refusals = 2;
    conn.openPty = async (options) => {
      if (refusals-- > 0) throw new Error('Could not open a channel on h:22: (SSH) Channel open failure: open failed');
      return openPty(options);
    };
    await pane.attach(conn);
    await settle();
    expect(pane.state).toBe('reconnecting');
    expect(states[states.length - 1]!.message).toMatch(/Could not reattach on the open connection: .*open failed.*MaxSessions.*Trying again in 2 s/);
    clock.advance(2000);
    await settle();
    expect(states[states.length - 1]!.message).toMatch(/Trying again in 4 s/);
    clock.advance(3999);
    await settle();
    expect(pane.state).toBe('reconnecting');
    clock.advance(1);
    await settle();
    expect(pane.state).toBe('attached');
    expect(states.map((s) => s.state)).not.toContain('failed');
  });

  it('an attach that fails on a link that does not answer a probe in time (a busy machine), while the link is open, asks the host to look at the link and tries again on it meanwhile', async () => {
    const { pane, clock, states, newConnection } = setup();
    const conn = newConnection();
    const openPty = conn.openPty.bind(conn);
    let refusals = 1;
    conn.openPty = async (options) => {
      if (refusals-- > 0) throw new Error('Could not open a channel on h:22: (SSH) Channel open failure: open failed');
      return openPty(options);
    };
    conn.probeResult = false;
    let doubts = 0;
    pane.onLinkInDoubt(() => doubts++);
    await pane.attach(conn);
    await settle();
    expect(doubts).toBe(1);
    expect(pane.state).toBe('reconnecting');
    expect(states[states.length - 1]!.message).toMatch(/Trying again in 2 s/);
    clock.advance(2000);
    await settle();
    // Not stuck waiting for a reconnect that an open link never brings.
    expect(pane.state).toBe('attached');
  });

  it('a link that closes while its probe is pending makes the pane wait for the reconnect, without a retry of its own', async () => {
    const { pane, newConnection } = setup();
    const conn = newConnection();
    conn.openPty = async () => {
      throw new Error('No response from server');
    };
    conn.probeResult = async () => {
      conn.kill();
      return false;
    };
    await pane.attach(conn);
    await settle();
    expect(pane.state).toBe('reconnecting');
    expect(pane.awaitingLink).toBe(true);
  });

  it('a session lookup that fails after the tmux client ended, on a link that answers, is retried on that link', async () => {
    const { pane, clock, tmux, newConnection } = setup();
    const conn = newConnection();
    await pane.attach(conn);
    const handler = conn.execHandler;
    conn.execHandler = () => ({ code: 255, stdout: '', stderr: 'channel refused' });
    conn.lastChannel!.close(0);
    await settle();
    expect(pane.state).toBe('reconnecting');
    conn.execHandler = handler;
    clock.advance(2000);
    await settle();
    expect(pane.state).toBe('attached');
    expect(tmux.attachTarget(conn.lastChannel!.options.command)).toBe('$0');
  });

  it('output is batched per frame and reaches the view whole, a character split across chunks included', async () => {
    const { pane, clock, output, text, newConnection } = setup();
    const conn = newConnection();
    await pane.attach(conn);
    const euro = new TextEncoder().encode('€');
    conn.lastChannel!.emit('price: ');
    conn.lastChannel!.emit(euro.slice(0, 1));
    expect(output).toHaveLength(0);
    clock.advance(16);
    conn.lastChannel!.emit(euro.slice(1));
    clock.advance(16);
    expect(text()).toBe('price: €');
    expect(output.map((b) => decoder.decode(b))).toEqual(['price: ', '€']);
  });

  it('a reattach writes the reset before any new output, after the old stream\'s last bytes', async () => {
    const { pane, clock, text, newConnection } = setup();
    const conn1 = newConnection();
    await pane.attach(conn1);
    conn1.lastChannel!.emit('old screen');
    clock.advance(16);
    pane.linkLost();
    const conn2 = newConnection();
    await pane.attach(conn2);
    conn2.lastChannel!.emit('redraw');
    clock.advance(16);
    expect(text()).toBe(`old screen${TERMINAL_RESET}redraw`);
  });

  it('a pane\'s very first attach sends nothing before the session\'s own output', async () => {
    const { pane, clock, text, newConnection } = setup();
    const conn = newConnection();
    await pane.attach(conn);
    conn.lastChannel!.emit('hello');
    clock.advance(16);
    expect(text()).toBe('hello');
  });

  it('keeps exactly one live channel: a reattach disposes the old one and its listeners, and its late output is ignored', async () => {
    const { pane, clock, text, newConnection } = setup();
    const conn1 = newConnection();
    await pane.attach(conn1);
    const old = conn1.lastChannel!;
    expect(old.listenerCount).toBe(2);
    const conn2 = newConnection();
    await pane.attach(conn2);
    expect(old.disposed).toBe(true);
    expect(old.listenerCount).toBe(0);
    expect(conn1.listenerCount).toBe(0);
    old.emit('stale');
    clock.advance(16);
    expect(text()).not.toContain('stale');
  });
});

describe('Pane when a start command ends at once', () => {
  it('shows how it ended and its last lines, stops the channel, and is not pulled back by a reconnect', async () => {
    const { pane, clock, tmux, states, newConnection } = setup({ sessions: [], startCommand: 'claud --continue' });
    const conn = newConnection();
    await pane.attach(conn, { create: true });
    tmux.byName('my work')!.dead = { status: 127, output: 'bash: claud: command not found' };
    clock.advance(300);
    await settle();
    expect(pane.state).toBe('exited');
    expect(conn.lastChannel!.disposed).toBe(true);
    const last = states[states.length - 1]!;
    expect(last.exit).toEqual({ status: 127, output: 'bash: claud: command not found' });
    expect(last.message).toMatch(/ended at once with status 127/);
    expect(pane.info()).toMatchObject({ state: 'exited', exit: { status: 127 } });
    pane.linkLost();
    await pane.attach(newConnection());
    expect(pane.state).toBe('exited');
  });

  it('waits a moment for the status of a pane tmux found dead before it reaped the process', async () => {
    const { pane, clock, tmux, states, newConnection } = setup({ sessions: [], startCommand: 'false' });
    await pane.attach(newConnection(), { create: true });
    const session = tmux.byName('my work')!;
    session.dead = { output: '' };
    clock.advance(300);
    await settle();
    expect(pane.state).toBe('attached');
    session.dead = { status: 1, output: '' };
    clock.advance(150);
    await settle();
    expect(pane.state).toBe('exited');
    expect(states.at(-1)!.exit).toEqual({ status: 1, output: '' });
  });

  it('says the status is unknown when tmux never learns it', async () => {
    const { pane, clock, tmux, states, newConnection } = setup({ sessions: [], startCommand: 'false' });
    await pane.attach(newConnection(), { create: true });
    tmux.byName('my work')!.dead = { output: 'x' };
    for (let i = 0; i < 6; i++) {
      clock.advance(300);
      await settle();
    }
    expect(pane.state).toBe('exited');
    expect(states.at(-1)!.message).toMatch(/not known/);
  });

  it('stops looking once the command has run a while', async () => {
    const { pane, clock, tmux, newConnection } = setup({ sessions: [], startCommand: 'sleep 1000' });
    const conn = newConnection();
    await pane.attach(conn, { create: true });
    for (const step of [300, 1200, 3500]) {
      clock.advance(step);
      await settle();
    }
    const checks = tmux.calls.filter((c) => c[0] === 'display-message').length;
    expect(checks).toBe(3);
    clock.advance(60_000);
    await settle();
    expect(tmux.calls.filter((c) => c[0] === 'display-message').length).toBe(checks);
    expect(pane.state).toBe('attached');
  });

  it('watches a session made just now with its start command (Rescue) the same way, and Recreate makes it with that command', async () => {
    const { pane, clock, tmux, newConnection } = setup({ sessions: ['my work'], startCommand: 'claude --continue' });
    const conn = newConnection();
    await pane.attach(conn, { justMade: true });
    expect(tmux.calls.filter((c) => c[0] === 'new-session')).toEqual([]);
    tmux.byName('my work')!.dead = { status: 127, output: 'bash: claude: command not found' };
    clock.advance(300);
    await settle();
    expect(pane.info()).toMatchObject({ state: 'exited', exit: { status: 127, output: 'bash: claude: command not found' }, startCommand: 'claude --continue' });
    await pane.recreate(conn);
    const made = tmux.calls.filter((c) => c[0] === 'new-session').at(-1)!;
    expect(made[made.indexOf('--') + 1]).toBe('claude --continue');
    expect(pane.state).toBe('attached');
  });

  it('recreate with an edited command ends the dead session and makes a new one with the new command', async () => {
    const { pane, clock, tmux, newConnection } = setup({ sessions: [], startCommand: 'claud' });
    const conn = newConnection();
    await pane.attach(conn, { create: true });
    const first = tmux.byName('my work')!;
    first.dead = { status: 127, output: 'not found' };
    clock.advance(300);
    await settle();
    await pane.recreate(conn, 'claude --continue');
    expect(tmux.sessions.find((x) => x.id === first.id)).toBeUndefined();
    const made = tmux.calls.filter((c) => c[0] === 'new-session').at(-1)!;
    expect(made[made.indexOf('--') + 1]).toBe('claude --continue');
    expect(pane.startCommand).toBe('claude --continue');
    expect(pane.state).toBe('attached');
  });
});

describe('Pane input', () => {
  it('goes to the channel while attached', async () => {
    const { pane, newConnection } = setup();
    const conn = newConnection();
    await pane.attach(conn);
    pane.write('ls\r');
    expect(conn.lastChannel!.written).toEqual(['ls\r']);
  });

  it('its echo reaches the view on the next tick even when the interval\'s budget for other output is used', async () => {
    const { pane, clock, output, newConnection } = setup();
    const conn = newConnection();
    await pane.attach(conn);
    for (let i = 0; i < IMMEDIATE_BATCHES; i++) {
      conn.lastChannel!.emit('status ');
      clock.advance(0);
    }
    expect(output).toHaveLength(IMMEDIATE_BATCHES);
    pane.write('k');
    conn.lastChannel!.emit('k');
    clock.advance(0);
    expect(output.map((b) => decoder.decode(b)).at(-1)).toBe('k');
  });

  it('is discarded while reconnecting, reported once per outage, and never replayed after the reattach', async () => {
    const { pane, states, newConnection } = setup();
    const conn1 = newConnection();
    await pane.attach(conn1);
    pane.linkLost();
    states.length = 0;
    pane.write('rm -rf build\r');
    pane.write('more');
    expect(states).toEqual([{ state: 'reconnecting', message: 'Input discarded while reconnecting' }]);

    const conn2 = newConnection();
    await pane.attach(conn2);
    expect(conn2.lastChannel!.written).toEqual([]);
    expect(conn1.lastChannel!.written).toEqual([]);
    pane.write('x');
    expect(conn2.lastChannel!.written).toEqual(['x']);

    // A new outage reports again.
    pane.linkLost();
    states.length = 0;
    pane.write('y');
    expect(states.filter((s) => s.message)).toHaveLength(1);
  });

  it('is discarded while the session is gone', async () => {
    const { pane, states, newConnection } = setup({ sessions: [] });
    await pane.attach(newConnection());
    states.length = 0;
    pane.write('x');
    expect(states).toHaveLength(1);
    expect(states[0]!.message).toMatch(/discarded/i);
    expect(states[0]!.state).toBe('session-gone');
  });
});

describe('Pane size and flow control', () => {
  it('a resize goes to the live channel and is used by the next attach', async () => {
    const { pane, newConnection } = setup();
    const conn1 = newConnection();
    await pane.attach(conn1);
    pane.resize(120, 40);
    expect(conn1.lastChannel!.resizes).toEqual([[120, 40]]);
    pane.linkLost();
    pane.resize(100, 30);
    const conn2 = newConnection();
    await pane.attach(conn2);
    expect(conn2.lastChannel!.options).toMatchObject({ cols: 100, rows: 30 });
  });

  it('a resize while the channel is opening is applied once it is open', async () => {
    const { pane, newConnection } = setup({ sessions: [] });
    const conn = newConnection();
    const attaching = pane.attach(conn, { create: true });
    pane.resize(132, 50);
    await attaching;
    expect(conn.lastChannel!.options).toMatchObject({ cols: 80, rows: 24 });
    expect(conn.lastChannel!.resizes).toEqual([[132, 50]]);
  });

  it('pauses the channel when a view is behind and resumes when it acknowledges', async () => {
    const { pane, clock, newConnection } = setup({ flow: { high: 10, low: 4 } });
    const conn = newConnection();
    await pane.attach(conn);
    const channel = conn.lastChannel!;
    const got: Uint8Array[] = [];
    pane.subscribe('view', (d) => got.push(d));
    // The screen comes first; once the view has parsed it, nothing is outstanding.
    await waitFor(() => got.length === 1, 'the screen');
    pane.ack('view', got[0]!.length);
    channel.emit('0123456789AB');
    clock.advance(16);
    expect(channel.paused).toBe(true);
    // The pane's own mirror parses it soon; the view has not acknowledged yet, so the channel stays paused.
    await waitFor(() => pane.stream.mirror.pendingBytes === 0, 'the mirror to parse the output');
    expect(channel.paused).toBe(true);
    pane.ack('view', 6);
    expect(channel.paused).toBe(true);
    pane.ack('view', 6);
    expect(channel.paused).toBe(false);
  });
});

describe('Pane when the tmux client ends', () => {
  it('the link died: reconnecting, and no has-session over the dead link', async () => {
    const { pane, newConnection } = setup();
    const conn = newConnection();
    await pane.attach(conn);
    conn.kill();
    conn.lastChannel!.close(255);
    await settle();
    expect(pane.state).toBe('reconnecting');
    expect(conn.execs.map((c) => tmuxArgsOf(c)?.[0])).toEqual(['list-sessions']); // only the one before attaching
  });

  it('linkLost drops the channel and waits for the reconnect', async () => {
    const { pane, newConnection } = setup();
    const conn = newConnection();
    await pane.attach(conn);
    pane.linkLost();
    expect(pane.state).toBe('reconnecting');
    expect(conn.lastChannel!.disposed).toBe(true);
  });

  it('the link is fine and the session still exists: detached from elsewhere, the pane is closed', async () => {
    const { pane, states, newConnection } = setup();
    const conn = newConnection();
    await pane.attach(conn);
    conn.lastChannel!.close(0);
    await settle();
    expect(pane.state).toBe('closed');
    expect(states[states.length - 1]!.message).toMatch(/detached from elsewhere/);
  });

  it('the link is fine and the session is gone: session-gone', async () => {
    const { pane, tmux, states, newConnection } = setup();
    const conn = newConnection();
    await pane.attach(conn);
    tmux.remove('my work');
    conn.lastChannel!.close(0);
    await settle();
    expect(pane.state).toBe('session-gone');
    expect(states[states.length - 1]!.error?.code).toBe('SESSION_GONE');
  });

  it('exit 127 from the pty (tmux not found by the shell) fails the pane with TMUX_MISSING', async () => {
    const { pane, states, newConnection } = setup();
    const conn = newConnection();
    await pane.attach(conn);
    conn.lastChannel!.close(127);
    await settle();
    expect(pane.state).toBe('failed');
    expect(states[states.length - 1]!.error?.code).toBe('TMUX_MISSING');
  });

  it('a pane detached from elsewhere is not pulled back by a reconnect', async () => {
    const { pane, newConnection } = setup();
    const conn = newConnection();
    await pane.attach(conn);
    conn.lastChannel!.close(0);
    await settle();
    pane.linkLost();
    const conn2 = newConnection();
    await pane.attach(conn2);
    expect(pane.state).toBe('closed');
    expect(conn2.channels).toHaveLength(0);
  });

  it.each([
    [{ linkAlive: false, sessionExists: true }, 'reconnecting'],
    [{ linkAlive: false }, 'reconnecting'],
    [{ linkAlive: true }, 'reconnecting'],
    [{ linkAlive: true, sessionExists: true }, 'closed'],
    [{ linkAlive: true, sessionExists: false }, 'session-gone'],
  ] as const)('stateAfterClientExit(%j) is %s', (check, expected) => {
    expect(stateAfterClientExit(check)).toBe(expected);
  });
});

describe('Pane recreate, detach and dispose', () => {
  it('recreate after session-gone makes the session again with its start command, on a reset view', async () => {
    const { pane, clock, text, tmux, newConnection } = setup({ startCommand: 'htop' });
    const conn = newConnection();
    await pane.attach(conn);
    tmux.remove('my work');
    conn.lastChannel!.close(0);
    await settle();
    expect(pane.state).toBe('session-gone');
    await pane.recreate(conn);
    expect(pane.state).toBe('attached');
    const made = tmux.calls[tmux.calls.length - 1]!;
    expect([made[0], made[made.indexOf('-s') + 1], made[made.indexOf('--') + 1]]).toEqual(['new-session', 'my work', 'htop']);
    expect(tmux.attachTarget(conn.lastChannel!.options.command)).toBe(tmux.byName('my work')!.id);
    conn.lastChannel!.emit('fresh');
    clock.advance(16);
    expect(text()).toBe(`${TERMINAL_RESET}fresh`);
  });

  it('a link loss during the session check wins: the late answer binds no channel', async () => {
    const tmux = new FakeTmuxServer(['my work']);
    const pane = new Pane({ paneId: 'p', hostId: 'h', sessionName: 'my work', sessionId: '$0', cols: 80, rows: 24, scheduler: new ManualClock() });
    let answer!: () => void;
    const conn = new FakeConnection({ exec: (command) => new Promise((resolve) => (answer = () => resolve(tmux.exec(command)))) });
    const attaching = pane.attach(conn);
    await settle();
    expect(conn.channels).toHaveLength(1);
    pane.linkLost();
    answer();
    await attaching;
    await settle();
    expect(conn.channels.every((c) => c.disposed)).toBe(true);
    expect(pane.state).toBe('reconnecting');
  });

  it('dispose closes the channel and leaves no listener on the channel or the connection', async () => {
    const { pane, newConnection } = setup();
    const conn = newConnection();
    await pane.attach(conn);
    pane.dispose();
    expect(conn.lastChannel!.disposed).toBe(true);
    expect(conn.lastChannel!.listenerCount).toBe(0);
    expect(conn.listenerCount).toBe(0);
  });

  it('a new session tmux refuses to make is a failed pane and a rejected promise, not a retry', async () => {
    const { pane, clock, newConnection } = setup();
    const conn = newConnection();
    await expect(pane.attach(conn, { create: true })).rejects.toMatchObject({ code: 'VALIDATION', message: expect.stringMatching(/already exists/) });
    expect(pane.state).toBe('failed');
    clock.advance(60_000);
    expect(conn.channels).toHaveLength(0);
  });
});

describe('Pane choosing how to attach', () => {
  /** A tmux that refuses `attach-session -f` as tmux 3.1 does. */
  const oldTmux = (command: string) => {
    const channel = new FakeExecChannel(command);
    setTimeout(() => {
      channel.emitStderr('attach-session: unknown option -- f\nusage: attach-session [-dErx] [-c working-directory] [-t target-session]\n');
      channel.close(1);
    }, 0);
    return channel;
  };

  it('in auto mode falls back to a classic attach on a tmux older than 3.2, and says why', async () => {
    const tmux = new FakeTmuxServer(['my work']);
    const pane = new Pane({ paneId: 'p', hostId: 'h', sessionName: 'my work', cols: 80, rows: 24, scheduler: new ManualClock(), attachPolicy: () => ({ mode: 'auto', historyLines: 100 }) });
    const conn = new FakeConnection({ exec: tmux.exec, openExec: oldTmux });
    await pane.attach(conn);
    expect(conn.execChannels).toHaveLength(1);
    expect(pane.state).toBe('attached');
    expect(pane.mode).toEqual({ kind: 'classic', because: expect.stringMatching(/older than 3\.2/) });
    expect(tmux.attachTarget(conn.lastChannel!.options.command)).toBe('$0');
    // It does not try control mode again on this session.
    pane.linkLost();
    const again = new FakeConnection({ exec: tmux.exec, openExec: oldTmux });
    await pane.attach(again);
    expect(again.execChannels).toHaveLength(0);
    expect(pane.info()).toMatchObject({ mode: 'classic', modeNote: expect.stringMatching(/older than 3\.2/) });
  });

  it('with control mode required, fails with what tmux said instead of falling back', async () => {
    const tmux = new FakeTmuxServer(['my work']);
    const pane = new Pane({ paneId: 'p', hostId: 'h', sessionName: 'my work', cols: 80, rows: 24, scheduler: new ManualClock(), attachPolicy: () => ({ mode: 'control', historyLines: 100 }) });
    const conn = new FakeConnection({ exec: tmux.exec, openExec: oldTmux });
    await expect(pane.attach(conn)).rejects.toMatchObject({ message: expect.stringMatching(/control mode cannot be used.*older than 3\.2/) });
    expect(pane.state).toBe('failed');
    expect(conn.channels).toHaveLength(0);
  });

  it('in classic mode never opens a control client', async () => {
    const tmux = new FakeTmuxServer(['my work']);
    const pane = new Pane({ paneId: 'p', hostId: 'h', sessionName: 'my work', cols: 80, rows: 24, scheduler: new ManualClock(), attachPolicy: () => ({ mode: 'classic', historyLines: 100 }) });
    const conn = new FakeConnection({ exec: tmux.exec });
    await pane.attach(conn);
    expect(conn.execChannels).toHaveLength(0);
    expect(pane.mode).toEqual({ kind: 'classic' });
  });
});
