// For integration tests of tmux and panes: a real connection (the real SshConnector over ssh2) to a test sshd,
// trusting its host key and logging in with its client key. Takes the server's address as plain data so that
// core does not import the test harness.
import type { ISshConnection } from '../interfaces';
import { SshConnector } from '../ssh/connector';
import { MemoryKnownHostsStore, MemoryProfiles, ScriptedPrompter, makeProfile, keychain } from '../testing';

export interface TestServerAddress {
  host: string;
  port: number;
  user: string;
  clientKeyPath: string;
}

export async function connectToTestServer(server: TestServerAddress): Promise<ISshConnection> {
  const profile = makeProfile({
    host: server.host,
    port: server.port,
    user: server.user,
    privateKeyPath: server.clientKeyPath,
    authOrder: ['publickey'],
  });
  const connector = new SshConnector({
    profiles: new MemoryProfiles([profile]),
    secrets: keychain(),
    knownHosts: new MemoryKnownHostsStore(),
    knownHostsFiles: [],
    agentSocket: '',
    prompter: new ScriptedPrompter((prompt) => (prompt.kind === 'host-key' ? { kind: 'host-key', remember: false } : { kind: 'cancel' })),
  });
  return connector.connect(profile, {});
}
