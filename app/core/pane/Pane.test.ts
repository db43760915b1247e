import { describe, expect, it } from 'vitest';
import { HoldfastError } from '../../shared/contract';
import type { ExecResult } from '../interfaces';
import { IMMEDIATE_BATCHES } from './OutputBatcher';
import { Pane, stateAfterClientExit, type PaneExit, type PaneStateChange } from './Pane';
import { TERMINAL_RESET } from './terminalReset';
import { FakeSshConnection, ManualClock } from './testFakes';

const decoder = new TextDecoder();

/** A server whose tmux knows the sessions in `sessions`; has-session answers from it. */
function fakeServer(sessions: Set<string>, options: { tmuxMissing?: boolean } = {}) {
  return (command: string): ExecResult => {
    if (options.tmuxMissing) return { code: 127, stdout: '', stderr: 'bash: tmux: command not found' };
    const match = /^tmux has-session -t '=(.*)'$/.exec(command);
    if (!match) return { code: 1, stdout: '', stderr: `unexpected command ${command}` };
    const name = match[1]!.replace(/'\\''/g, "'");
    return sessions.has(name) ? { code: 0, stdout: '', stderr: '' } : { code: 1, stdout: '', stderr: `can't find session: =${name}` };
  };
}

function setup(options: { sessions?: string[]; startCommand?: string; flow?: { high: number; low: number }; tmuxMissing?: boolean } = {}) {
  const sessions = new Set(options.sessions ?? ['my work']);
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
  const exits: PaneExit[] = [];
  pane.onData((d) => output.push(d));
  pane.onDidChangeState((e) => states.push(e));
  pane.onExit((e) => exits.push(e));
  const newConnection = () => new FakeSshConnection(fakeServer(sessions, { tmuxMissing: options.tmuxMissing }));
  const text = () => output.map((d) => decoder.decode(d)).join('');
  return { pane, clock, sessions, output, states, exits, newConnection, text };
}

/** Lets the pane's promise chains (exec, openPty) run. */
async function settle(): Promise<void> {
  for (let i = 0; i < 10; i++) await Promise.resolve();
}

describe('Pane attach', () => {
  it('with create, runs new-session -A with the start command and no has-session check', async () => {
    const { pane, newConnection } = setup({ startCommand: 'claude --continue' });
    const conn = newConnection();
    await pane.attach(conn, { create: true });
    expect(conn.execs).toEqual([]);
    expect(conn.lastChannel!.options).toEqual({
      command: "tmux -u new-session -A -s 'my work' 'claude --continue'",
      cols: 80,
      rows: 24,
      term: 'xterm-256color',
    });
    expect(pane.state).toBe('attached');
    expect(pane.info()).toEqual({ paneId: 'p1', hostId: 'host-1', sessionName: 'my work', startCommand: 'claude --continue', state: 'attached' });
  });

  it('without create, checks has-session for the exact name and then attaches to it', async () => {
    const { pane, states, newConnection } = setup();
    const conn = newConnection();
    await pane.attach(conn);
    expect(conn.execs).toEqual(["tmux has-session -t '=my work'"]);
    expect(conn.lastChannel!.options.command).toBe("tmux -u attach-session -t '=my work'");
    expect(states.map((s) => s.state)).toEqual(['attaching', 'attached']);
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

  it('an attach whose channel fails on a link that still answers is a real failure, shown with its error', async () => {
    const { pane, newConnection } = setup();
    const conn = newConnection();
    conn.openPty = async () => {
      throw new Error('administratively prohibited: open failed');
    };
    await expect(pane.attach(conn)).rejects.toThrow(/administratively prohibited/);
    expect(pane.state).toBe('failed');
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
    expect(conn1.closeListenerCount).toBe(0);
    old.emit('stale');
    clock.advance(16);
    expect(text()).not.toContain('stale');
  });
});

describe('Pane session names', () => {
  it('a created name that tmux keeps escaped is targeted as tmux keeps it, and recreated as typed', async () => {
    const sessions = new Set<string>(['cost\\$HOME']);
    const pane = new Pane({ paneId: 'p', hostId: 'h', sessionName: 'cost$HOME', cols: 80, rows: 24, scheduler: new ManualClock() });
    const conn = new FakeSshConnection(fakeServer(sessions));
    await pane.attach(conn, { create: true });
    expect(conn.lastChannel!.options.command).toBe("tmux -u new-session -A -s 'cost$HOME'");
    expect(pane.info().sessionName).toBe('cost\\$HOME');
    pane.linkLost();
    await pane.attach(conn);
    expect(conn.execs).toEqual(["tmux has-session -t '=cost\\$HOME'"]);
    expect(pane.state).toBe('attached');
    await pane.recreate(conn);
    expect(conn.lastChannel!.options.command).toBe("tmux -u new-session -A -s 'cost$HOME'");
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
    const { pane, newConnection } = setup();
    const conn = newConnection();
    const attaching = pane.attach(conn, { create: true });
    pane.resize(132, 50);
    await attaching;
    expect(conn.lastChannel!.options).toMatchObject({ cols: 80, rows: 24 });
    expect(conn.lastChannel!.resizes).toEqual([[132, 50]]);
  });

  it('pauses the channel when the view is behind and resumes when it acknowledges', async () => {
    const { pane, clock, newConnection } = setup({ flow: { high: 10, low: 4 } });
    const conn = newConnection();
    await pane.attach(conn);
    const channel = conn.lastChannel!;
    channel.emit('0123456789AB');
    clock.advance(16);
    expect(channel.paused).toBe(true);
    pane.ack(6);
    expect(channel.paused).toBe(true);
    pane.ack(6);
    expect(channel.paused).toBe(false);
  });
});

describe('Pane when the tmux client ends', () => {
  it('the link died: reconnecting, no exit event and no has-session over the dead link', async () => {
    const { pane, exits, newConnection } = setup();
    const conn = newConnection();
    await pane.attach(conn);
    conn.kill();
    conn.lastChannel!.close(255);
    await settle();
    expect(pane.state).toBe('reconnecting');
    expect(exits).toEqual([]);
    expect(conn.execs).toEqual(["tmux has-session -t '=my work'"]); // only the one before attaching
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
    const { pane, exits, newConnection } = setup();
    const conn = newConnection();
    await pane.attach(conn);
    conn.lastChannel!.close(0);
    await settle();
    expect(pane.state).toBe('closed');
    expect(exits).toEqual([{ reason: 'detached', exitCode: 0 }]);
  });

  it('the link is fine and the session is gone: session-gone', async () => {
    const { pane, exits, sessions, states, newConnection } = setup();
    const conn = newConnection();
    await pane.attach(conn);
    sessions.delete('my work');
    conn.lastChannel!.close(0);
    await settle();
    expect(pane.state).toBe('session-gone');
    expect(states[states.length - 1]!.error?.code).toBe('SESSION_GONE');
    expect(exits).toEqual([{ reason: 'session-gone', exitCode: 0 }]);
  });

  it('exit 127 from the pty (tmux not found by the shell) fails the pane with TMUX_MISSING', async () => {
    const { pane, states, newConnection } = setup();
    const conn = newConnection();
    await pane.attach(conn, { create: true });
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
    const { pane, clock, text, sessions, newConnection } = setup({ startCommand: 'htop' });
    const conn = newConnection();
    await pane.attach(conn);
    sessions.clear();
    conn.lastChannel!.close(0);
    await settle();
    expect(pane.state).toBe('session-gone');
    await pane.recreate(conn);
    expect(pane.state).toBe('attached');
    expect(conn.lastChannel!.options.command).toBe("tmux -u new-session -A -s 'my work' htop");
    conn.lastChannel!.emit('fresh');
    clock.advance(16);
    expect(text()).toBe(`${TERMINAL_RESET}fresh`);
  });

  it('a link loss during the has-session check wins: the late answer binds no channel', async () => {
    const { pane } = setup();
    let answer!: (r: ExecResult) => void;
    const conn = new FakeSshConnection(() => new Promise<ExecResult>((resolve) => (answer = resolve)));
    const attaching = pane.attach(conn);
    await settle();
    pane.linkLost();
    answer({ code: 0, stdout: '', stderr: '' });
    await attaching;
    await settle();
    expect(conn.channels.every((c) => c.disposed)).toBe(true);
    expect(pane.state).toBe('reconnecting');
  });

  it('detach closes the channel (the tmux client detaches) and the pane is closed', async () => {
    const { pane, newConnection } = setup();
    const conn = newConnection();
    await pane.attach(conn);
    pane.detach();
    expect(conn.lastChannel!.disposed).toBe(true);
    expect(pane.state).toBe('closed');
  });

  it('dispose closes the channel and leaves no listener on the channel or the connection', async () => {
    const { pane, newConnection } = setup();
    const conn = newConnection();
    await pane.attach(conn);
    pane.dispose();
    expect(conn.lastChannel!.disposed).toBe(true);
    expect(conn.lastChannel!.listenerCount).toBe(0);
    expect(conn.closeListenerCount).toBe(0);
  });

  it('an attach failure other than a dead link is a failed pane and a rejected promise', async () => {
    const { pane } = setup();
    const conn = new FakeSshConnection(() => ({ code: 0, stdout: '', stderr: '' }));
    conn.openPty = async () => {
      throw new HoldfastError({ code: 'INTERNAL', message: 'Channel open failure' });
    };
    await expect(pane.attach(conn)).rejects.toThrow(/Channel open failure/);
    expect(pane.state).toBe('failed');
  });
});
