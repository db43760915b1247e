// SshConnector and SshConnection against a real OpenSSH sshd (and ssh2's own Server for keyboard-interactive,
// which sshd cannot offer here without PAM).
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server as NetServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Server as Ssh2Server } from 'ssh2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, generateKey, startSshd, type TestSshd } from '../../../test/harness/sshd';
import { run } from '../../../test/harness/tools';
import { waitFor } from '../../../test/harness/wait';
import { HoldfastError } from '../../shared/contract';
import type { HostProfile, PromptAnswer } from '../../shared/model';
import type { ISshConnection } from '../interfaces';
import type { HopLink, SshConnection } from './connection';
import { SshConnector } from './connector';
import { sha256Fingerprint } from './fingerprint';
import { MemoryKnownHostsStore, MemoryProfiles, MemorySecretStore, ScriptedPrompter, makeProfile, type AskedPrompt, keychain } from '../testing';

let server: TestSshd;
let work: string;
/** A home without ~/.ssh keys, so only what a test sets up is tried. */
let emptyHome: string;

beforeAll(async () => {
  server = await startSshd();
  work = mkdtempSync(join(tmpdir(), 'hf-ssh-int-'));
  emptyHome = join(work, 'home');
  mkdirSync(join(emptyHome, '.ssh'), { recursive: true });
});
afterAll(async () => {
  await server?.dispose();
  rmSync(work, { recursive: true, force: true });
});

function hostKeyLine(host: string, port: number): string {
  const [type, base64] = readFileSync(join(server.dir, 'host_key.pub'), 'utf8').trim().split(/\s+/);
  return `[${host}]:${port} ${type} ${base64}\n`;
}

interface Setup {
  profiles?: MemoryProfiles;
  secrets?: MemorySecretStore;
  knownHosts?: MemoryKnownHostsStore;
  knownHostsFiles?: string[];
  agentSocket?: string;
  answer?: (prompt: AskedPrompt, index: number) => PromptAnswer | Promise<PromptAnswer>;
  /** Replaces the default prompter, host-key answers included. */
  prompter?: ScriptedPrompter;
}

/** A connector whose prompter accepts the test server's host key (only that one) and answers the rest from `answer`. */
function setup(options: Setup = {}) {
  const prompter =
    options.prompter ??
    new ScriptedPrompter((prompt, index) => {
      if (prompt.kind === 'host-key') {
        return prompt.fingerprint === server.hostKeyFingerprint ? { kind: 'host-key', remember: true } : { kind: 'cancel' };
      }
      return options.answer ? options.answer(prompt, index) : { kind: 'cancel' };
    });
  const secrets = options.secrets ?? keychain();
  const knownHosts = options.knownHosts ?? new MemoryKnownHostsStore();
  const connector = new SshConnector({
    profiles: options.profiles ?? new MemoryProfiles(),
    secrets,
    prompter,
    knownHosts,
    knownHostsFiles: options.knownHostsFiles ?? [join(work, 'no_known_hosts')],
    agentSocket: options.agentSocket ?? '',
    homeDir: emptyHome,
  });
  return { connector, prompter, secrets, knownHosts };
}

function profile(fields: Partial<HostProfile> = {}): HostProfile {
  return makeProfile({ host: server.host, port: server.port, user: server.user, ...fields });
}

async function expectError(promise: Promise<unknown>, code: string): Promise<HoldfastError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(HoldfastError);
  expect((err as HoldfastError).code).toBe(code);
  return err as HoldfastError;
}

/** The part of the sshd log written while `fn` ran, once sshd has logged the end of that connection. */
async function logDuring(sshd: TestSshd, fn: () => Promise<unknown>): Promise<string> {
  const before = sshd.log().length;
  await fn();
  return waitFor(() => {
    const part = sshd.log().slice(before);
    return /Connection closed|Disconnected|disconnect/i.test(part) && part;
  }, 'sshd to log the end of the connection');
}

describe('SshConnector against OpenSSH', () => {
  it('authenticates with a key, runs a command, opens a pty and answers a probe', async () => {
    const { connector, prompter, knownHosts } = setup();
    const conn = (await connector.connect(profile({ privateKeyPath: server.clientKeyPath }), {})) as SshConnection;
    try {
      expect(prompter.kinds()).toEqual(['host-key']);
      expect(knownHosts.list()).toHaveLength(1);

      const result = await conn.exec('echo out; echo err >&2; exit 3', { timeoutMs: 10_000 });
      expect(result).toEqual({ code: 3, signal: undefined, stdout: 'out\n', stderr: 'err\n' });

      // The command waits for a line, so the channel is surely open when counted and no output comes before the listener.
      const pty = await conn.openPty({ command: 'read -r -t 20 _; echo "hi $TERM"; tty', cols: 90, rows: 30 });
      expect(conn.openChannels).toBe(1);
      const chunks: Uint8Array[] = [];
      pty.onData((d) => chunks.push(d));
      pty.write('\r');
      const closed = await new Promise<{ exitCode?: number }>((resolve) => pty.onClose(resolve));
      const text = Buffer.concat(chunks).toString('utf8');
      expect(text).toContain('hi xterm-256color');
      expect(text).toMatch(/\/dev\/pts\/\d+/);
      expect(closed.exitCode).toBe(0);
      expect(conn.openChannels).toBe(0);

      expect(await conn.probe(5_000)).toBe(true);
    } finally {
      conn.dispose();
    }
  });

  it('trusts a host key it was told to remember without asking again', async () => {
    const knownHosts = new MemoryKnownHostsStore();
    const first = setup({ knownHosts });
    (await first.connector.connect(profile({ privateKeyPath: server.clientKeyPath }), {})).dispose();
    const second = setup({ knownHosts });
    const conn = await second.connector.connect(profile({ privateKeyPath: server.clientKeyPath }), { unattended: true });
    conn.dispose();
    expect(first.prompter.kinds()).toEqual(['host-key']);
    expect(second.prompter.asked).toEqual([]);
  });

  it('resizes a pty and passes typed input through', async () => {
    const { connector } = setup();
    const conn = await connector.connect(profile({ privateKeyPath: server.clientKeyPath }), {});
    try {
      // The remote side reports its size once the window-change has reached the pty, then reads a line.
      const pty = await conn.openPty({
        command: 'until [ "$(stty size)" = "40 100" ]; do sleep 0.02; done; echo "size:$(stty size)"; read line; echo "got:$line"',
        cols: 80,
        rows: 24,
      });
      let text = '';
      pty.onData((d) => (text += Buffer.from(d).toString('utf8')));
      const closed = new Promise<void>((resolve) => pty.onClose(() => resolve()));
      pty.resize(100, 40);
      await waitFor(() => text.includes('size:'), 'the pty to see the new size');
      pty.write('hello\r');
      await closed;
      expect(text).toContain('40 100');
      expect(text).toContain('got:hello');
    } finally {
      conn.dispose();
    }
  });

  it('fires onDidClose once with "disposed", closes the pty, and rejects new work', async () => {
    const { connector } = setup();
    const conn = (await connector.connect(profile({ privateKeyPath: server.clientKeyPath }), {})) as SshConnection;
    const reasons: string[] = [];
    conn.onDidClose((e) => reasons.push(e.reason));
    const pty = await conn.openPty({ command: 'sleep 30', cols: 80, rows: 24 });
    const ptyClosed = new Promise<void>((resolve) => pty.onClose(() => resolve()));
    conn.dispose();
    conn.dispose();
    await ptyClosed;
    expect(reasons).toEqual(['disposed']);
    expect(conn.openChannels).toBe(0);
    expect(await conn.probe(1_000)).toBe(false);
    await expectError(conn.exec('true'), 'NETWORK');
  });

  it('leaves no listener on the ssh2 client once disposed and closed', async () => {
    const { connector } = setup();
    const conn = (await connector.connect(profile({ privateKeyPath: server.clientKeyPath }), {})) as SshConnection;
    const client = (conn as unknown as { _links: HopLink[] })._links[0]!.client;
    const pty = await conn.openPty({ command: 'sleep 30', cols: 80, rows: 24 });
    pty.onData(() => {});
    await conn.exec('true');
    expect(client.eventNames().length).toBeGreaterThan(0);
    const clientClosed = new Promise<void>((resolve) => client.once('close', () => resolve()));
    conn.dispose();
    await clientClosed;
    await new Promise((r) => setImmediate(r));
    expect(client.eventNames()).toEqual([]);
    expect(conn.openChannels).toBe(0);
  });

  it('reports a server-side close as "closed" or "error", never "disposed" or "keepalive"', async () => {
    const { connector } = setup();
    const conn = await connector.connect(profile({ privateKeyPath: server.clientKeyPath }), {});
    const closed = new Promise<{ reason: string; message?: string }>((resolve) => conn.onDidClose(resolve));
    // Kill this connection's sshd session process from the server side.
    const r = await conn.exec('echo $PPID', { timeoutMs: 10_000 });
    run('kill', [r.stdout.trim()]);
    const event = await closed;
    // sshd's monitor may end the TCP connection with a FIN ("closed") or a reset ("error"); either is the server's doing.
    expect(['closed', 'error']).toContain(event.reason);
    expect(event.message).toContain(`${server.host}:${server.port}`);
    conn.dispose();
  });

  it('times out a command that runs too long and closes its channel', async () => {
    const { connector } = setup();
    const conn = (await connector.connect(profile({ privateKeyPath: server.clientKeyPath }), {})) as SshConnection;
    try {
      await expectError(conn.exec('sleep 20', { timeoutMs: 300 }), 'TIMEOUT');
      await waitFor(() => conn.openChannels === 0, 'the timed-out channel to close');
      expect((await conn.exec('echo still-here')).stdout).toBe('still-here\n');
    } finally {
      conn.dispose();
    }
  });

  it('asks for the passphrase of an encrypted key, re-asks after a wrong one, and remembers it when told to', async () => {
    const keyPath = join(work, 'id_encrypted');
    generateKey(keyPath, 'ed25519', 'correct horse');
    appendFileSync(server.authorizedKeysPath, readFileSync(`${keyPath}.pub`));
    const answers = ['wrong', 'correct horse'];
    const { connector, prompter, secrets, knownHosts } = setup({
      answer: (p) => (p.kind === 'passphrase' ? { kind: 'secret', value: answers.shift() ?? '', remember: true } : { kind: 'cancel' }),
    });
    const conn = await connector.connect(profile({ privateKeyPath: keyPath }), {});
    conn.dispose();
    const asked = prompter.asked.filter((p) => p.kind === 'passphrase');
    expect(asked.map((p) => (p.kind === 'passphrase' ? [p.keyPath, p.retry] : []))).toEqual([
      [keyPath, undefined],
      [keyPath, true],
    ]);
    expect(secrets.values.get(`passphrase:${keyPath}`)).toBe('correct horse');

    // An automatic reconnect uses the remembered passphrase and asks nothing.
    const again = setup({ secrets, knownHosts });
    (await again.connector.connect(profile({ privateKeyPath: keyPath }), { unattended: true })).dispose();
    expect(again.prompter.asked).toEqual([]);
  });

  it('authenticates with a key held by a real ssh-agent', async () => {
    const keyPath = join(work, 'id_agent');
    generateKey(keyPath, 'ed25519');
    appendFileSync(server.authorizedKeysPath, readFileSync(`${keyPath}.pub`));
    const agentFingerprint = sha256Fingerprint(Buffer.from(readFileSync(`${keyPath}.pub`, 'utf8').split(/\s+/)[1]!, 'base64'));
    const socket = join(work, 'agent.sock');
    const agent: ChildProcess = spawn('ssh-agent', ['-D', '-a', socket], { stdio: 'ignore' });
    try {
      await waitFor(() => existsSync(socket), 'ssh-agent to listen');
      run('env', [`SSH_AUTH_SOCK=${socket}`, 'ssh-add', keyPath]);
      const { connector, prompter } = setup({ agentSocket: socket });
      const log = await logDuring(server, async () => {
        const conn = await connector.connect(profile(), {});
        conn.dispose();
      });
      expect(prompter.kinds()).toEqual(['host-key']);
      expect(log).toContain(`Accepted publickey for ${server.user}`);
      expect(log).toContain(agentFingerprint);
    } finally {
      agent.kill();
    }
  });

  it('asks for a password, and remembers it only after the server accepted it', async () => {
    const { connector, prompter, secrets } = setup({ answer: (p) => (p.kind === 'password' ? { kind: 'secret', value: server.password, remember: true } : { kind: 'cancel' }) });
    const p = profile();
    const conn = await connector.connect(p, {});
    conn.dispose();
    expect(prompter.kinds()).toEqual(['host-key', 'password']);
    const asked = prompter.asked[1]!;
    expect(asked.kind === 'password' && asked.user === server.user && asked.canRemember).toBe(true);
    expect(secrets.values.get(`password:${p.id}`)).toBe(server.password);
  });

  it('forgets a remembered password the server rejects and asks again with retry', async () => {
    const p = profile();
    const secrets = keychain();
    secrets.values.set(`password:${p.id}`, 'stale-password');
    const { connector, prompter } = setup({ secrets, answer: (q) => (q.kind === 'password' ? { kind: 'secret', value: server.password, remember: false } : { kind: 'cancel' }) });
    (await connector.connect(p, {})).dispose();
    const passwordPrompts = prompter.asked.filter((q) => q.kind === 'password');
    expect(passwordPrompts).toHaveLength(1);
    expect(passwordPrompts[0]!.kind === 'password' && passwordPrompts[0]!.retry).toBe(true);
    expect(secrets.values.has(`password:${p.id}`)).toBe(false);
  });

  it('fails with AUTH_FAILED after three wrong passwords, without asking a fourth time', async () => {
    const { connector, prompter } = setup({ answer: () => ({ kind: 'secret', value: 'not-the-password', remember: true }) });
    let err!: HoldfastError;
    const log = await logDuring(server, async () => {
      err = await expectError(connector.connect(profile(), {}), 'AUTH_FAILED');
    });
    const prompts = prompter.asked.filter((q) => q.kind === 'password');
    expect(prompts.map((q) => q.kind === 'password' && q.retry)).toEqual([undefined, true, true]);
    expect(err.message).toContain(`Authentication failed for ${server.user}@${server.host}`);
    expect(err.message).toContain('password');
    expect((log.match(/Failed password/g) ?? []).length).toBe(3);
  });

  it('never prompts when unattended and fails with AUTH_FAILED when no secret is stored', async () => {
    const knownHosts = new MemoryKnownHostsStore();
    (await setup({ knownHosts }).connector.connect(profile({ privateKeyPath: server.clientKeyPath }), {})).dispose();
    const { connector, prompter } = setup({ knownHosts, answer: () => ({ kind: 'secret', value: server.password, remember: false }) });
    const err = await expectError(connector.connect(profile(), { unattended: true }), 'AUTH_FAILED');
    expect(prompter.asked).toEqual([]);
    expect(err.message).toMatch(/automatic reconnect does not ask/);
  });

  it('refuses a changed host key before sending any credentials, naming the file and both fingerprints', async () => {
    const knownHostsFile = join(work, 'known_hosts_changed');
    writeFileSync(knownHostsFile, `# old key\n${hostKeyLine(server.host, server.port)}`);
    const fileBefore = readFileSync(knownHostsFile, 'utf8');
    const oldFingerprint = server.hostKeyFingerprint;
    await server.restart({ newHostKey: true });
    const { connector, prompter } = setup({ knownHostsFiles: [knownHostsFile], answer: () => ({ kind: 'secret', value: server.password, remember: false }) });
    let err!: HoldfastError;
    const log = await logDuring(server, async () => {
      err = await expectError(connector.connect(profile({ privateKeyPath: server.clientKeyPath }), {}), 'HOST_KEY_CHANGED');
    });
    expect(prompter.asked).toEqual([]);
    expect(err.message).toContain(oldFingerprint);
    expect(err.message).toContain(server.hostKeyFingerprint);
    expect(err.message).toContain('ssh-ed25519');
    expect(err.message).toContain(knownHostsFile);
    expect(err.message).toContain(`${server.host}:${server.port}`);
    expect(err.hint).toMatch(/explicit confirmation/);
    expect(log).toContain('Connection from');
    expect(log).not.toMatch(/Accepted|Failed|Postponed|authenticating user|userauth/i);
    // The file is only read, never rewritten.
    expect(readFileSync(knownHostsFile, 'utf8')).toBe(fileBefore);
  });

  it('refuses an unknown host key the user cancels, and asks nothing else', async () => {
    const prompter = new ScriptedPrompter(() => ({ kind: 'cancel' }));
    const { connector } = setup({ prompter, knownHostsFiles: [] });
    const log = await logDuring(server, () => expectError(connector.connect(profile({ privateKeyPath: server.clientKeyPath }), {}), 'HOST_KEY_REJECTED'));
    expect(prompter.asked).toEqual([
      { kind: 'host-key', hostId: expect.any(String), host: server.host, port: server.port, keyType: 'ssh-ed25519', fingerprint: server.hostKeyFingerprint },
    ]);
    expect(log).not.toMatch(/Accepted|Failed|Postponed|authenticating user/i);
  });

  it('refuses an unknown host key without asking when unattended', async () => {
    const { connector, prompter } = setup();
    await expectError(connector.connect(profile({ privateKeyPath: server.clientKeyPath }), { unattended: true }), 'HOST_KEY_REJECTED');
    expect(prompter.asked).toEqual([]);
  });
});

describe('SshConnector network errors', () => {
  it('leads with the key problem when the key file cannot be used (it changed since the profile was saved)', async () => {
    const notAKey = join(work, 'not-a-key');
    writeFileSync(notAKey, 'this is not a key\n');
    const { connector } = setup();
    const err = await expectError(connector.connect(profile({ privateKeyPath: notAKey, authOrder: ['publickey'] }), {}), 'AUTH_FAILED');
    expect(err.message).toMatch(new RegExp(`^The key ${notAKey} is not a private key Holdfast can use .*\\. Authentication failed for`));
  });

  it('maps a refused connection to CONNECTION_REFUSED naming host:port', async () => {
    const port = await freePort();
    const { connector } = setup();
    const err = await expectError(connector.connect(makeProfile({ host: '127.0.0.1', port, user: 'x' }), {}), 'CONNECTION_REFUSED');
    expect(err.message).toContain(`127.0.0.1:${port}`);
  });

  it.each(['ENOTFOUND', 'EAI_AGAIN'])('maps a name the resolver does not know (%s) to HOST_NOT_FOUND, naming it', async (code) => {
    // The resolver is ours to give: what this machine's DNS says about any name is not the test's business.
    const asked: string[] = [];
    const connector = new SshConnector({
      profiles: new MemoryProfiles(),
      secrets: keychain(),
      prompter: new ScriptedPrompter(() => ({ kind: 'cancel' })),
      knownHosts: new MemoryKnownHostsStore(),
      knownHostsFiles: [],
      agentSocket: '',
      homeDir: emptyHome,
      lookup: async (host) => {
        asked.push(host);
        throw Object.assign(new Error(`getaddrinfo ${code} ${host}`), { code });
      },
    });
    const err = await expectError(connector.connect(makeProfile({ host: 'build.example.invalid', port: 22, user: 'x' }), {}), 'HOST_NOT_FOUND');
    expect(err.message).toContain('build.example.invalid');
    expect(asked).toEqual(['build.example.invalid']);
  });

  it('connects by a name the resolver maps to the server, and trusts its key under that name', async () => {
    const { connector, prompter, knownHosts } = setup();
    const local = new SshConnector({
      ...(connector as unknown as { _options: ConstructorParameters<typeof SshConnector>[0] })._options,
      lookup: async () => ({ address: server.host }),
    });
    const conn = await local.connect(profile({ host: 'box.example.test', privateKeyPath: server.clientKeyPath }), {});
    conn.dispose();
    // The host key is asked about, and kept, for the name the user gave, not the address it resolved to.
    expect(prompter.asked).toMatchObject([{ kind: 'host-key', host: 'box.example.test' }]);
    expect(knownHosts.list().map((e) => e.host)).toEqual(['box.example.test']);
  });

  describe('against a server that accepts and then says nothing', () => {
    let silent: NetServer;
    let port: number;
    const sockets = new Set<Socket>();
    beforeAll(async () => {
      silent = createServer((s) => {
        sockets.add(s);
        // Read (and drop) what arrives, so the client's FIN is noticed and the socket closes.
        s.resume();
        s.on('close', () => sockets.delete(s));
      });
      await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
      port = (silent.address() as { port: number }).port;
    });
    afterAll(async () => {
      for (const s of sockets) s.destroy();
      await new Promise((r) => silent.close(r));
    });

    it('gives up with TIMEOUT after readyTimeoutMs', async () => {
      const { connector } = setup();
      const err = await expectError(connector.connect(makeProfile({ host: '127.0.0.1', port, user: 'x' }), { readyTimeoutMs: 300 }), 'TIMEOUT');
      expect(err.message).toContain(`127.0.0.1:${port}`);
    });

    it('stops with CANCELLED when the signal aborts', async () => {
      const { connector } = setup();
      const controller = new AbortController();
      const attempt = connector.connect(makeProfile({ host: '127.0.0.1', port, user: 'x' }), { signal: controller.signal, readyTimeoutMs: 60_000 });
      setTimeout(() => controller.abort(), 50);
      await expectError(attempt, 'CANCELLED');
      await waitFor(() => sockets.size === 0, 'the cancelled attempt to close its socket');
    });
  });
});

describe('keyboard-interactive against OpenSSH with PAM', () => {
  let pam: TestSshd;
  beforeAll(async () => {
    // PAM asks for the password through keyboard-interactive, as on most Linux servers; plain password auth is off.
    pam = await startSshd({ extraConfig: 'UsePAM yes\nKbdInteractiveAuthentication yes\nPasswordAuthentication no' });
  });
  afterAll(async () => {
    await pam?.dispose();
  });

  function pamSetup(answers: string[]) {
    const prompter = new ScriptedPrompter((prompt) => {
      if (prompt.kind === 'host-key') return { kind: 'host-key', remember: true };
      if (prompt.kind === 'keyboard-interactive') return { kind: 'keyboard-interactive', responses: prompt.prompts.map(() => answers.shift() ?? '') };
      return { kind: 'cancel' };
    });
    const knownHosts = new MemoryKnownHostsStore();
    const connector = new SshConnector({ profiles: new MemoryProfiles(), secrets: keychain(), prompter, knownHosts, knownHostsFiles: [], agentSocket: '', homeDir: emptyHome });
    return { connector, prompter, knownHosts };
  }

  it("shows PAM's own prompt, signs in with the answer, and asks again after a wrong one", async () => {
    const { connector, prompter } = pamSetup(['not-the-password', pam.password]);
    const conn = await connector.connect(makeProfile({ host: pam.host, port: pam.port, user: pam.user }), {});
    try {
      expect((await conn.exec('whoami')).stdout.trim()).toBe(pam.user);
    } finally {
      conn.dispose();
    }
    const asked = prompter.asked.filter((p) => p.kind === 'keyboard-interactive');
    expect(asked).toHaveLength(2);
    expect(asked[0]).toMatchObject({ user: pam.user, prompts: [{ prompt: expect.stringMatching(/^Password: ?$/), echo: false }] });
    expect(pam.log()).toMatch(/Accepted keyboard-interactive\/pam for holdfast-test/);
  });

  it('an automatic reconnect never shows the prompt: it fails, and says why', async () => {
    const { connector, prompter } = pamSetup([]);
    const err = await expectError(connector.connect(makeProfile({ host: pam.host, port: pam.port, user: pam.user }), { unattended: true }), 'HOST_KEY_REJECTED');
    expect(err.message).toMatch(/automatic reconnect/);
    const trusted = pamSetup([]);
    trusted.knownHosts.add({ host: pam.host, port: pam.port, keyType: pam.hostKeyType === 'ed25519' ? 'ssh-ed25519' : pam.hostKeyType, key: readFileSync(join(pam.dir, 'host_key.pub'), 'utf8').split(/\s+/)[1]!, addedAt: 0 });
    const auth = await expectError(trusted.connector.connect(makeProfile({ host: pam.host, port: pam.port, user: pam.user }), { unattended: true }), 'AUTH_FAILED');
    expect(auth.message).toMatch(/keyboard-interactive needs a person/);
    expect(trusted.prompter.asked).toEqual([]);
    expect(prompter.asked).toEqual([]);
  });
});

describe('keyboard-interactive (ssh2 Server)', () => {
  let kiServer: Ssh2Server;
  let port: number;
  let hostKeyFingerprint: string;
  let hostKeyPem: Buffer;
  beforeAll(async () => {
    const keyPath = join(work, 'ki_host_key');
    generateKey(keyPath, 'ed25519');
    hostKeyPem = readFileSync(keyPath);
    hostKeyFingerprint = sha256Fingerprint(Buffer.from(readFileSync(`${keyPath}.pub`, 'utf8').split(/\s+/)[1]!, 'base64'));
    kiServer = new Ssh2Server({ hostKeys: [hostKeyPem] }, (client) => {
      client.on('error', () => {});
      client.on('authentication', (ctx) => {
        if (ctx.method !== 'keyboard-interactive') return ctx.reject(['keyboard-interactive']);
        ctx.prompt([{ prompt: 'One-time code: ', echo: false }], 'Second factor', 'Enter the code from your phone', (answers) => {
          if (answers[0] === '424242') ctx.accept();
          else ctx.reject(['keyboard-interactive']);
        });
      });
      client.on('ready', () => {
        client.on('session', (accept) => {
          const session = accept();
          session.on('exec', (acceptExec, _reject, info) => {
            const stream = acceptExec();
            stream.write(`ran:${info.command}\n`);
            stream.exit(0);
            stream.end();
          });
        });
      });
    });
    await new Promise<void>((resolve) => kiServer.listen(0, '127.0.0.1', resolve));
    port = (kiServer.address() as { port: number }).port;
  });
  afterAll(async () => {
    await new Promise((r) => kiServer.close(r));
  });

  function kiSetup(codes: string[]) {
    const prompter = new ScriptedPrompter((p) => {
      if (p.kind === 'host-key') return p.fingerprint === hostKeyFingerprint ? { kind: 'host-key', remember: false } : { kind: 'cancel' };
      if (p.kind === 'keyboard-interactive') return { kind: 'keyboard-interactive', responses: [codes.shift() ?? ''] };
      return { kind: 'cancel' };
    });
    const { connector } = setup({ prompter, knownHostsFiles: [] });
    return { connector, prompter, p: makeProfile({ host: '127.0.0.1', port, user: 'alice' }) };
  }

  it("forwards the server's prompts to the prompter and sends back the answers", async () => {
    const { connector, prompter, p } = kiSetup(['111111', '424242']);
    const conn: ISshConnection = await connector.connect(p, {});
    try {
      const kiPrompts = prompter.asked.filter((q) => q.kind === 'keyboard-interactive');
      expect(kiPrompts).toHaveLength(2);
      expect(kiPrompts[0]).toEqual({
        kind: 'keyboard-interactive',
        hostId: p.id,
        host: '127.0.0.1',
        port,
        user: 'alice',
        name: 'Second factor',
        instructions: 'Enter the code from your phone',
        prompts: [{ prompt: 'One-time code: ', echo: false }],
      });
      expect((await conn.exec('hello')).stdout).toBe('ran:hello\n');
    } finally {
      conn.dispose();
    }
  });

  it('gives up after three rejected rounds', async () => {
    const { connector, prompter, p } = kiSetup(['1', '2', '3', '4', '5']);
    await expectError(connector.connect(p, {}), 'AUTH_FAILED');
    expect(prompter.asked.filter((q) => q.kind === 'keyboard-interactive')).toHaveLength(3);
  });
});
