// The test fakes of every layer, in one place: one manual clock, one fake connection (and pty channel and
// connector), one in-memory tmux, core's memory stores with a profile store and a scripted prompter, and a test
// client that connects to core as a view does. Fakes stand in for our own seams only, never for ssh2 or tmux in
// integration tests.
export { flush, ManualClock } from './clock';
export { FakeConnection, FakeConnector, FakeExecChannel, FakePtyChannel, type ExecHandler, type FakeConnectCall, type FakeConnectionOptions } from './ssh';
export { FakeTmuxServer, splitShellWords, tmuxArgsOf, type FakeTmuxSession } from './tmux';
export {
  keychain,
  makeProfile,
  MemoryKnownHostsStore,
  MemoryProfiles,
  MemorySecretStore,
  MemorySettingsStore,
  MemoryWorkspaceStore,
  ScriptedPrompter,
  silentPrompter,
  type AskedPrompt,
} from './stores';
export { TestClient, type Recorded, type TestClientOptions } from './client';
export { waitFor } from './wait';
