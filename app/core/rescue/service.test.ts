import { describe, expect, it } from 'vitest';
import { HoldfastError } from '../../shared/contract';
import { FakeConnection } from '../testing';
import { moveCheckCommand, scanCommand } from './rescue';
import { RescueService } from './service';

const RS = '\x1e';

interface World {
  /** ps rows: pid, ppid, tty, seconds, name; and each one's directory and start time. */
  processes: { pid: number; ppid: number; tty: string; comm: string; args?: string; cwd?: string; started: string }[];
  members: string[];
  sessions: string[];
}

function listing(world: World): string {
  const ps = world.processes.map((p) => `${p.pid} ${p.ppid} ${p.tty} 900 ${p.comm}\n`).join('');
  const args = world.processes.map((p) => `${p.pid} ${p.args ?? p.comm}\n`).join('');
  const proc = world.processes.map((p) => [String(p.pid), p.cwd ?? '', p.tty === '?' ? '' : `/dev/${p.tty}`, p.started].map((f) => `${f}\0`).join('')).join('');
  return `${RS}self 99999\n${RS}panes\n/dev/pts/9\n${RS}ps\n${ps}${RS}args\n${args}${RS}proc\n${proc}${RS}end\n`;
}

/** A server in memory: the listing, the move check and tmux's sessions answer from `world`. */
function server(world: World) {
  const connection = new FakeConnection({
    exec: (command) => {
      if (command === scanCommand()) return { code: 0, stdout: listing(world), stderr: '' };
      const check = /^exec \/bin\/sh -c 'p=(\d+);/.exec(command);
      if (check && command === moveCheckCommand(Number(check[1]))) {
        const p = world.processes.find((x) => x.pid === Number(check[1]));
        const out = p ? `reptyr=yes\nscope=0\nalive=yes\nstarted=${p.started}\ntty=${p.tty}\nname=${p.comm}\n${world.members.map((m) => `member=${m}\n`).join('')}os=debian\n` : 'reptyr=yes\nscope=0\nalive=no\nstarted=\ntty=\nname=\nos=debian\n';
        return { code: 0, stdout: out, stderr: '' };
      }
      if (command.includes('list-sessions')) return { code: 0, stdout: world.sessions.map((name, i) => `$${i}\t1\t0\t1\t1\t${name}\n`).join(''), stderr: '' };
      if (command.includes('new-session')) {
        world.sessions.push('made');
        return { code: 0, stdout: `$${world.sessions.length}\tmade\n`, stderr: '' };
      }
      return { code: 127, stdout: '', stderr: 'unexpected' };
    },
  });
  return connection;
}

const sshd = { pid: 10, ppid: 1, tty: '?', comm: 'sshd', args: 'sshd: ada@pts/0', started: '1' };
const claude = { pid: 20, ppid: 10, tty: 'pts/0', comm: 'claude', cwd: '/home/ada/app', started: '500' };
const service = () => new RescueService({ now: () => 1000, extraNames: () => [], resumeCommands: () => ({}) });

describe('RescueService', () => {
  it('sends exactly the command the plan showed, and refuses one that is not the command it would send now', async () => {
    const world: World = { processes: [sshd, claude], members: [], sessions: [] };
    const conn = server(world);
    const rescue = service();
    await rescue.scan('h', conn);
    const plan = await rescue.plan('h', conn, { kind: 'move', pid: 20 });
    expect(plan).toMatchObject({ ok: true, problems: [], children: [], sessionName: 'claude-app' });
    await expect(rescue.run('h', conn, { kind: 'move', pid: 20 }, `${plan.command} `)).rejects.toMatchObject({ code: 'STALE' });
    expect(conn.execs.filter((c) => c.includes('new-session'))).toEqual([]);
    const made = await rescue.run('h', conn, { kind: 'move', pid: 20 }, plan.command);
    expect(conn.execs.filter((c) => c.includes('new-session'))).toEqual([plan.command]);
    expect(made).toEqual({ sessionId: '$1', sessionName: 'made', startCommand: plan.program });
    // The program checks the start time and name the listing saw.
    expect(plan.program).toContain('p=20; want=500; name="claude";');
  });

  it('takes a free name, and a name taken after the plan was shown changes the command: nothing runs', async () => {
    const world: World = { processes: [sshd, claude], members: [], sessions: ['claude-app'] };
    const conn = server(world);
    const rescue = service();
    await rescue.scan('h', conn);
    const plan = await rescue.plan('h', conn, { kind: 'move', pid: 20 });
    expect(plan.sessionName).toBe('claude-app-2');
    world.sessions.push('claude-app-2');
    await expect(rescue.run('h', conn, { kind: 'move', pid: 20 }, plan.command)).rejects.toMatchObject({ code: 'STALE' });
  });

  it('finds children in the plan: not ok, named, nothing else in the way; run refuses while they run', async () => {
    const world: World = { processes: [sshd, claude], members: ['21 20 bash', '22 21 npm test'], sessions: [] };
    const conn = server(world);
    const rescue = service();
    await rescue.scan('h', conn);
    const plan = await rescue.plan('h', conn, { kind: 'move', pid: 20 });
    expect(plan).toMatchObject({ ok: false, problems: [], children: [{ pid: 21, command: 'bash' }, { pid: 22, command: 'npm test' }] });
    const err = await rescue.run('h', conn, { kind: 'move', pid: 20 }, plan.command).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HoldfastError);
    expect((err as HoldfastError).message).toMatch(/runs other programs now \(bash 21, npm test 22\)/);
    world.members = [];
    expect((await rescue.plan('h', conn, { kind: 'move', pid: 20 })).ok).toBe(true);
  });

  it('refuses a pid that names another process now (another start time)', async () => {
    const world: World = { processes: [sshd, claude], members: [], sessions: [] };
    const conn = server(world);
    const rescue = service();
    await rescue.scan('h', conn);
    world.processes = [sshd, { ...claude, started: '900' }];
    const plan = await rescue.plan('h', conn, { kind: 'move', pid: 20 });
    expect(plan.ok).toBe(false);
    expect(plan.problems).toEqual(['Process 20 is not the claude that was listed: that one ended, and another program has its pid now. Refresh the host.']);
  });

  it('calls an agent gone only when it runs no more: one moved into tmux runs, and is not listed as gone', async () => {
    const world: World = { processes: [sshd, claude], members: [], sessions: [] };
    const conn = server(world);
    const rescue = service();
    expect((await rescue.scan('h', conn)).processes.map((p) => p.pid)).toEqual([20]);
    // Moved: it runs on, now on a tmux pane's terminal.
    world.processes = [sshd, { ...claude, tty: 'pts/9' }];
    expect(await rescue.scan('h', conn)).toMatchObject({ processes: [], gone: [] });
    // Ended in tmux later: not one a drop killed outside tmux.
    world.processes = [sshd];
    expect((await rescue.scan('h', conn)).gone).toEqual([]);
  });

  it('does not forget an agent whose SSH terminal went a moment before it ended: gone once it has', async () => {
    const world: World = { processes: [sshd, claude], members: [], sessions: [] };
    const conn = server(world);
    const rescue = service();
    await rescue.scan('h', conn);
    // The SSH session ended; the hangup has not reached the agent yet.
    world.processes = [claude];
    expect(await rescue.scan('h', conn)).toMatchObject({ processes: [], gone: [] });
    world.processes = [];
    expect((await rescue.scan('h', conn)).gone).toEqual([{ agent: 'claude', cwd: '/home/ada/app', lastSeenAt: 1000 }]);
  });

  it('calls nothing gone from a listing that was cut', async () => {
    const world: World = { processes: [sshd, claude], members: [], sessions: [] };
    const conn = server(world);
    const rescue = service();
    await rescue.scan('h', conn);
    world.processes = [sshd, ...Array.from({ length: 5001 }, (_, i) => ({ pid: 1000 + i, ppid: 1, tty: '?', comm: 'sleep', started: '1' }))];
    expect((await rescue.scan('h', conn)).gone).toEqual([]);
  });

  it('calls an agent that ended outside tmux gone (even if its pid is another process now), and no longer once resumed', async () => {
    const world: World = { processes: [sshd, claude], members: [], sessions: [] };
    const conn = server(world);
    const rescue = service();
    await rescue.scan('h', conn);
    world.processes = [sshd, { pid: 20, ppid: 1, tty: '?', comm: 'cron', started: '9000' }];
    const after = await rescue.scan('h', conn);
    expect(after.gone).toEqual([{ agent: 'claude', cwd: '/home/ada/app', lastSeenAt: 1000 }]);
    const plan = await rescue.plan('h', conn, { kind: 'resume', agent: 'claude', cwd: '/home/ada/app' });
    expect(plan).toMatchObject({ ok: true, sessionName: 'claude-app' });
    await rescue.run('h', conn, { kind: 'resume', agent: 'claude', cwd: '/home/ada/app' }, plan.command);
    expect((await rescue.scan('h', conn)).gone).toEqual([]);
  });

  it('says that resuming a live agent starts a second one beside it', async () => {
    const conn = server({ processes: [sshd, claude], members: [], sessions: [] });
    const rescue = service();
    await rescue.scan('h', conn);
    expect((await rescue.plan('h', conn, { kind: 'resume', agent: 'claude', cwd: '/home/ada/app' })).hint).toMatch(/claude \(pid 20\) still runs outside tmux in this directory/);
  });
});
