// tmux over a real sshd: listing, looking up, creating, no server, tmux missing, and a login shell that is fish,
// through the same functions the app uses.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HoldfastError } from '../../shared/contract';
import { startSshd, type TestSshd } from '../../../test/harness/sshd';
import type { ISshConnection } from '../interfaces';
import { run } from '../../../test/harness/tools';
import { interpretListResult, listSessionsCommand } from './sessions';
import { shellQuote } from './shell';
import { createSession, listSessions, lookUpSession } from './sessions';
import { connectToTestServer } from './testConnection';

const tag = randomBytes(3).toString('hex');

describe('tmux sessions over ssh', () => {
  let server: TestSshd;
  let conn: ISshConnection;
  const made: string[] = [];

  function makeSession(name: string): void {
    server.runAsUser(`tmux new-session -d -s ${shellQuote(name)} -x 80 -y 24`);
    made.push(name);
  }

  beforeAll(async () => {
    server = await startSshd();
    conn = await connectToTestServer(server);
  });

  afterAll(async () => {
    for (const name of made) {
      try {
        const id = server.runAsUser(`tmux list-sessions -F '#{session_id}\t#{session_name}'`).split('\n').find((l) => l.slice(l.indexOf('\t') + 1) === name)?.split('\t')[0];
        if (id) server.runAsUser(`tmux kill-session -t ${shellQuote(id)}`);
      } catch {
        // already gone
      }
    }
    conn?.dispose();
    await server?.dispose();
  });

  it('lists a session whose name has spaces and non-ASCII characters, with times in epoch milliseconds', async () => {
    const name = `hf list ü 日本 ${tag}`;
    const before = Number(server.runAsUser('date +%s').trim());
    makeSession(name);
    const after = Number(server.runAsUser('date +%s').trim());
    const sessions = await listSessions(conn);
    const found = sessions.find((s) => s.name === name);
    expect(found).toBeDefined();
    expect(found!.windows).toBe(1);
    expect(found!.attachedClients).toBe(0);
    expect(found!.created).toBeGreaterThanOrEqual(before * 1000);
    expect(found!.created).toBeLessThanOrEqual(after * 1000);
    expect(found!.lastActivity).toBeGreaterThanOrEqual(found!.created);
  });

  it('looks a session up by exact name, not a prefix, and by id even after a rename', async () => {
    const name = `hf-exact-${tag}-long`;
    makeSession(name);
    const found = await lookUpSession(conn, { name });
    expect(found?.name).toBe(name);
    expect(await lookUpSession(conn, { name: `hf-exact-${tag}` })).toBeUndefined();
    const renamed = `${name}-renamed`;
    server.runAsUser(`tmux rename-session -t ${shellQuote(found!.id)} ${shellQuote(renamed)}`);
    made.push(renamed);
    expect(await lookUpSession(conn, { id: found!.id, name })).toMatchObject({ id: found!.id, name: renamed });
  });

  it('a name with quotes survives the shell both ways', async () => {
    const name = `it's "quoted" ${tag}`;
    makeSession(name);
    expect((await listSessions(conn)).map((s) => s.name)).toContain(name);
  });

  it('creates a detached session at the given size, learning its id and the name tmux stored', async () => {
    for (const requested of [`x$y ${tag}`, `p#{host} ${tag}`, `q'uote "d" ${tag}`, `ü日 ${tag}`]) {
      const made_ = await createSession(conn, requested, { cols: 100, rows: 30 });
      made.push(made_.name);
      const listed = await lookUpSession(conn, { id: made_.id, name: '' });
      expect(listed).toMatchObject({ id: made_.id, name: made_.name });
      expect(server.runAsUser(`tmux display -p -t ${shellQuote(made_.id)} '#{window_width}x#{window_height}'`).trim()).toBe('100x30');
    }
    await expect(createSession(conn, `ü日 ${tag}`, { cols: 80, rows: 24 })).rejects.toMatchObject({ code: 'VALIDATION' });
  });

  it('a user without a tmux server has an empty list, not an error', async () => {
    // An empty socket directory: the real "no server" answer, without stopping the shared server. (tmux falls
    // back to /tmp when TMUX_TMPDIR does not exist, hence the mkdir.)
    const dir = `/tmp/hf-no-server-${tag}`;
    const result = await conn.exec(`mkdir -p ${dir} && TMUX_TMPDIR=${dir} ${listSessionsCommand()}; status=$?; rm -rf ${dir}; exit $status`);
    expect(result.code).not.toBe(0);
    expect(interpretListResult(result)).toEqual([]);
  });

  it.each([
    ['bash', (cmd: string) => `PATH=/nonexistent ${cmd}`],
    ['dash', (cmd: string) => `sh -c ${shellQuote(`PATH=/nonexistent; ${cmd}`)}`],
  ])('tmux missing from the PATH (%s) is TMUX_MISSING with an install hint', async (_shell, wrap) => {
    const result = await conn.exec(wrap(listSessionsCommand()));
    let caught: unknown;
    try {
      interpretListResult(result);
    } catch (e) {
      caught = e;
    }
    expect(caught, `stderr was: ${result.stderr}`).toBeInstanceOf(HoldfastError);
    expect((caught as HoldfastError).code).toBe('TMUX_MISSING');
    expect((caught as HoldfastError).hint).toMatch(/apt install tmux/);
  });

  it('works the same when the login shell is fish', async () => {
    run('usermod', ['-s', '/usr/bin/fish', server.user]);
    try {
      const fishConn = await connectToTestServer(server);
      try {
        expect((await fishConn.exec('echo $version')).stdout).toMatch(/^\d+\.\d+/);
        // (tmux itself escapes `\` and `$x` in names it stores, so the name has none; the command has both.)
        const requested = `fish 'trap' "dq" ${tag}`;
        const made_ = await createSession(fishConn, requested, { cols: 80, rows: 24, startCommand: "printf '%s\\n' \"it's\" 'back\\slash' \"$HOME\"; exec sleep 600" });
        made.push(made_.name);
        expect(made_.name).toBe(requested);
        expect((await listSessions(fishConn)).find((s) => s.id === made_.id)?.name).toBe(requested);
        for (let i = 0; i < 100 && !server.runAsUser(`tmux capture-pane -p -t ${shellQuote(made_.id)}`).includes('slash'); i++) await new Promise((r) => setTimeout(r, 50));
        expect(server.runAsUser(`tmux capture-pane -p -t ${shellQuote(made_.id)}`)).toContain(`it's\nback\\slash\n${server.home}`);
      } finally {
        fishConn.dispose();
      }
    } finally {
      run('usermod', ['-s', '/bin/bash', server.user]);
    }
  });
});
