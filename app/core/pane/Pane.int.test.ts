// A Pane against real tmux over a real sshd: attach and type, reattach after a dropped link onto a clean screen,
// session-gone after kill-session, detach from elsewhere, create and recreate with a start command.
import headless from '@xterm/headless';
import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startSshd, type TestSshd } from '../../../test/harness/sshd';
import type { ISshConnection } from '../interfaces';
import { shellQuote } from '../tmux/shell';
import { listSessions, lookUpSession } from '../tmux/sessions';
import { TERMINAL_RESET_BYTES } from './terminalReset';
import { connectToTestServer } from '../tmux/testConnection';
import { Pane } from './Pane';

const { Terminal } = headless;
type Terminal = InstanceType<typeof Terminal>;

const tag = randomBytes(3).toString('hex');
let counter = 0;
const uniqueName = (label: string) => `hf ${label} ${tag} ${++counter}`;

/** Polls until `check` passes; fails with the last error after a generous bound. Not a timing assertion. */
async function eventually<T>(check: () => T | Promise<T>, what: string, limitMs = 15_000): Promise<T> {
  const end = Date.now() + limitMs;
  let last: unknown;
  for (;;) {
    try {
      return await check();
    } catch (err) {
      last = err;
    }
    if (Date.now() > end) throw new Error(`Gave up waiting for ${what}: ${String(last)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A view: subscribed to the pane, its output rendered by xterm's headless terminal, acknowledging as it parses. */
class View {
  readonly term: Terminal = new Terminal({ cols: 80, rows: 24, allowProposedApi: true });
  /** Every byte the pane sent, as it came: what the parsed screen cannot show (escape sequences). */
  readonly raw: Uint8Array[] = [];
  constructor(readonly pane: Pane) {
    pane.subscribe('view', (data) => {
      this.raw.push(data);
      this.term.write(data, () => pane.ack('view', data.length));
    });
  }
  screen(): string {
    const buffer = this.term.buffer.active;
    const lines: string[] = [];
    for (let y = 0; y < this.term.rows; y++) lines.push(buffer.getLine(buffer.viewportY + y)?.translateToString(true) ?? '');
    return lines.join('\n');
  }
  async waitForScreen(text: string): Promise<void> {
    await eventually(() => {
      if (!this.screen().includes(text)) throw new Error(`screen is:\n${this.screen()}`);
    }, `"${text}" on screen`);
  }
  dispose(): void {
    this.term.dispose();
  }
}

describe('Pane over real tmux', () => {
  let server: TestSshd;
  let conn: ISshConnection;
  const cleanups: Array<() => void> = [];
  const sessions: string[] = [];

  function makeSession(name: string): void {
    server.runAsUser(`tmux new-session -d -s ${shellQuote(name)} -x 80 -y 24`);
    sessions.push(name);
  }

  function open(name: string, startCommand?: string): { pane: Pane; view: View } {
    const pane = new Pane({ paneId: `p${counter}`, hostId: 'h', sessionName: name, startCommand, cols: 80, rows: 24 });
    const view = new View(pane);
    cleanups.push(() => {
      pane.dispose();
      view.dispose();
    });
    sessions.push(name);
    return { pane, view };
  }

  async function attachedClients(name: string): Promise<number | undefined> {
    return (await listSessions(conn)).find((s) => s.name === name)?.attachedClients;
  }

  beforeAll(async () => {
    server = await startSshd();
    conn = await connectToTestServer(server);
  });

  afterEach(() => {
    for (const fn of cleanups.splice(0)) fn();
  });

  afterAll(async () => {
    for (const name of sessions) {
      try {
        const id = (await listSessions(conn)).find((x) => x.name === name)?.id;
        if (id) server.runAsUser(`tmux kill-session -t ${shellQuote(id)}`);
      } catch {
        // already gone
      }
    }
    conn?.dispose();
    await server?.dispose();
  });

  it('attaches to an existing session and shows what an echo prints', async () => {
    const name = uniqueName('echo');
    makeSession(name);
    const { pane, view } = open(name);
    await pane.attach(conn);
    expect(pane.state).toBe('attached');
    pane.write('echo hf-$((6*7))\r');
    await view.waitForScreen('hf-42');
    expect(await attachedClients(name)).toBe(1);
  });

  it('reattaches after a dropped link onto a clean screen, with one client and no duplicated output', async () => {
    const name = uniqueName('reattach');
    makeSession(name);
    const { pane, view } = open(name);
    const first = await connectToTestServer(server);
    await pane.attach(first);
    pane.write('echo marker-$((1000+337))\r');
    await view.waitForScreen('marker-1337');

    pane.linkLost();
    first.dispose();
    expect(pane.state).toBe('reconnecting');
    pane.write('typed into the dead link\r');
    const before = view.raw.length;

    await pane.attach(conn);
    await eventually(() => expect(Buffer.concat(view.raw.slice(before)).length).toBeGreaterThan(TERMINAL_RESET_BYTES.length), 'the redraw');
    await view.waitForScreen('marker-1337');
    const screen = view.screen();
    expect(screen.split('marker-1337').length - 1).toBe(1);
    expect(screen).not.toContain('typed into the dead link');
    expect(screen).not.toMatch(/\[\?\d+[hl]/); // no escape codes shown as text
    // The raw stream after the drop starts with the reset, before the first byte of the new tmux client.
    const after = Buffer.concat(view.raw.slice(before));
    expect(after.subarray(0, TERMINAL_RESET_BYTES.length)).toEqual(Buffer.from(TERMINAL_RESET_BYTES));
    expect(view.term.buffer.active.type).toBe('alternate'); // tmux's own screen again
    await eventually(async () => expect(await attachedClients(name)).toBe(1), 'the old client to be gone');
  });

  it('becomes session-gone when the session is killed, and says so', async () => {
    const name = uniqueName('killed');
    makeSession(name);
    const { pane } = open(name);
    const states: string[] = [];
    pane.onDidChangeState((e) => states.push(e.state));
    await pane.attach(conn);
    server.runAsUser(`tmux kill-session -t ${shellQuote(pane.sessionId!)}`);
    await eventually(() => expect(pane.state).toBe('session-gone'), 'session-gone');
    // Attaching again (as after a reconnect) finds it gone too.
    await pane.attach(conn);
    expect(pane.state).toBe('session-gone');
    expect(states).not.toContain('reconnecting');
  });

  it('is closed when detached from elsewhere, and the session keeps running', async () => {
    const name = uniqueName('detached');
    makeSession(name);
    const { pane } = open(name);
    const states: string[] = [];
    pane.onDidChangeState((e) => states.push(e.state));
    await pane.attach(conn);
    server.runAsUser(`tmux detach-client -s ${shellQuote(pane.sessionId!)}`);
    await eventually(() => expect(pane.state).toBe('closed'), 'closed');
    expect(states).toEqual(['attaching', 'attached', 'closed']);
    expect(await lookUpSession(conn, { name })).toBeDefined();
  });

  it('creates a session with a start command, and recreates it with the same command after it was killed', async () => {
    const name = uniqueName('create $HOME');
    const { pane, view } = open(name, 'echo started-$((40+2)); exec sleep 600');
    await pane.attach(conn, { create: true });
    await view.waitForScreen('started-42');
    const first = pane.sessionId!;
    expect(await lookUpSession(conn, { id: first, name: '' })).toMatchObject({ id: first, name: pane.sessionName });
    sessions.push(pane.sessionName);

    server.runAsUser(`tmux kill-session -t ${shellQuote(first)}`);
    await eventually(() => expect(pane.state).toBe('session-gone'), 'session-gone');
    await pane.recreate(conn);
    expect(pane.state).toBe('attached');
    await view.waitForScreen('started-42');
    expect(pane.sessionId).not.toBe(first);
    expect(await lookUpSession(conn, { id: pane.sessionId, name: '' })).toMatchObject({ name: pane.sessionName });
  });

  it('types into the session it was opened on even when another session is named like its id ("$0")', async () => {
    const victim = uniqueName('victim');
    makeSession(victim);
    const victimId = (await lookUpSession(conn, { name: victim }))!.id;
    // A session whose *name* is the victim's id: tmux reads `-t '=$N'` as the id, so a name target would type
    // into the victim.
    server.runAsUser(`tmux new-session -d -s ${shellQuote(victimId)} -x 80 -y 24`);
    sessions.push(victimId);
    const { pane, view } = open(victimId);
    await pane.attach(conn);
    expect(pane.sessionId).not.toBe(victimId);
    pane.write('echo typed-into-$((6*7))\r');
    await view.waitForScreen('typed-into-42');
    expect(server.runAsUser(`tmux capture-pane -p -t ${shellQuote(pane.sessionId!)}`)).toContain('typed-into-42');
    expect(server.runAsUser(`tmux capture-pane -p -t ${shellQuote(victimId)}`)).not.toContain('typed-into-42');
  });

  it('hands a start command that begins with "-" to the shell, not to tmux as options', async () => {
    // As a tmux option, -d would just make a plain detached session with a shell; as a command, the shell refuses it.
    const name = uniqueName('dash');
    const { pane } = open(name, '-d');
    await pane.attach(conn, { create: true }).catch(() => {});
    sessions.push(pane.sessionName);
    // (tmux 3.3a sometimes never learns the status of a command that exits at once; the pane is dead either way.)
    await eventually(() => expect(server.runAsUser(`tmux display -p -t ${shellQuote(pane.sessionId!)} '#{pane_dead}'`).trim()).toBe('1'), 'the shell to refuse "-d"');
    expect(server.runAsUser(`tmux capture-pane -p -S - -t ${shellQuote(pane.sessionId!)}`)).toMatch(/-d: invalid option|illegal option/i);
  });

  it('says when a start command ends at once, with its output and status; an edited command makes the session again', async () => {
    const name = uniqueName('typo');
    const { pane } = open(name, 'echo about-to-fail; sleep 0.2; claud-no-such-command --continue');
    const states: Array<{ state: string; exit?: { status?: number; output: string } }> = [];
    pane.onDidChangeState((e) => states.push(e));
    await pane.attach(conn, { create: true });
    sessions.push(pane.sessionName);
    await eventually(() => expect(pane.state).toBe('exited'), 'the pane to see the command end');
    const exit = states.at(-1)!.exit!;
    // tmux 3.3a now and then never learns the status of a command that dies this young; it is 127 when it does.
    if (exit.status !== undefined) expect(exit.status).toBe(127);
    expect(exit.output).toMatch(/about-to-fail\n.*claud-no-such-command: command not found/s);
    expect(exit.output).not.toMatch(/Pane is dead/);
    const dead = pane.sessionId!;

    await pane.recreate(conn, 'echo fixed-$((40+2)); exec sleep 600');
    expect(pane.state).toBe('attached');
    expect(pane.sessionId).not.toBe(dead);
    expect(await lookUpSession(conn, { id: dead, name: '\u0000' })).toBeUndefined();
    await eventually(() => expect(server.runAsUser(`tmux capture-pane -p -t ${shellQuote(pane.sessionId!)}`)).toContain('fixed-42'), 'the new command to run');
  });

  it('dispose detaches the tmux client and leaves the session running', async () => {
    const name = uniqueName('dispose');
    makeSession(name);
    const { pane } = open(name);
    await pane.attach(conn);
    await eventually(async () => expect(await attachedClients(name)).toBe(1), 'the client to attach');
    pane.dispose();
    await eventually(async () => expect(await attachedClients(name)).toBe(0), 'the client to detach');
    expect(await lookUpSession(conn, { name })).toBeDefined();
  });
});

describe('Pane on a server that limits sessions per connection (MaxSessions)', () => {
  it('says why it cannot attach while every channel is taken, and attaches on the same connection once one is free', async () => {
    const limited = await startSshd({ extraConfig: 'MaxSessions 1' });
    const conn = await connectToTestServer(limited);
    const connections = limited.connectionCount();
    const name = uniqueName('maxsessions');
    // The view knows the session's id from its listing: the pane would open its pty and the check at once, which is
    // two channels where this server allows one.
    const sessionId = limited.runAsUser(`tmux new-session -d -P -F '#{session_id}' -s ${shellQuote(name)} -x 80 -y 24`).trim();
    const pane = new Pane({ paneId: 'max', hostId: 'h', sessionName: name, sessionId, cols: 80, rows: 24 });
    const states: Array<{ state: string; message?: string }> = [];
    pane.onDidChangeState((e) => states.push(e));
    try {
      // Another tab's channel holds the one slot sshd allows on this connection.
      const hog = await conn.openPty({ command: 'exec sleep 600', cols: 80, rows: 24 });
      await pane.attach(conn);
      expect(pane.state).toBe('reconnecting');
      expect(states[states.length - 1]?.message).toMatch(/Could not reattach on the open connection.*MaxSessions/);
      hog.dispose();
      // Its retries back off (2, 4, 8, 16, 30 s): on a busy machine the slot may be free only for a later one.
      await eventually(() => expect(pane.state).toBe('attached'), 'the pane to attach on the same connection', 75_000);
      expect(pane.sessionId).toBe(sessionId);
      expect(limited.connectionCount()).toBe(connections);
    } finally {
      pane.dispose();
      conn.dispose();
      limited.runAsUser('tmux kill-server 2>/dev/null; true');
      await limited.dispose();
    }
  }, 100_000);
});
