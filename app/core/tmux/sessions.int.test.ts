// tmux over a real sshd: listing, exact has-session, no server, and tmux missing, through the same functions the
// app uses.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HoldfastError } from '../../shared/contract';
import { startSshd, type TestSshd } from '../../../test/harness/sshd';
import type { ISshConnection } from '../interfaces';
import { interpretListResult, listSessionsCommand, newSessionCommand, shellQuote, tmuxStoredName } from './commands';
import { hasSession, listSessions } from './sessions';
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
        server.runAsUser(`tmux kill-session -t ${shellQuote(`=${name}`)}`);
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

  it('has-session matches the exact name, not a prefix', async () => {
    const name = `hf-exact-${tag}-long`;
    makeSession(name);
    expect(await hasSession(conn, name)).toBe(true);
    expect(await hasSession(conn, `hf-exact-${tag}`)).toBe(false);
    expect(await hasSession(conn, `hf exact with 'quote' ${tag}`)).toBe(false);
  });

  it('a name with quotes survives the shell both ways', async () => {
    const name = `it's "quoted" ${tag}`;
    makeSession(name);
    expect(await hasSession(conn, name)).toBe(true);
    expect((await listSessions(conn)).map((s) => s.name)).toContain(name);
  });

  it('tmuxStoredName predicts the name tmux keeps for what new-session was asked to create', async () => {
    const names = ['x$y', 'x${y', 'a\\b', 't\tab', 'p#{host}', `q'uote "d"`, 'ü日', 'x$1 $'];
    const socket = `hf-names-${tag}`;
    // A private server (-L), so the shared one is left alone.
    const script = [
      ...names.map((n) => newSessionCommand(n).replace(/^tmux -u new-session -A/, `tmux -L ${socket} -u new-session -d -A`)),
      `tmux -L ${socket} -u list-sessions -F '#{session_name}'`,
      `tmux -L ${socket} kill-server`,
    ].join('\n');
    const result = await conn.exec(script);
    expect(result.stderr).toBe('');
    const listed = result.stdout.split('\n').filter(Boolean);
    expect([...listed].sort()).toEqual(names.map(tmuxStoredName).sort());
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
});
