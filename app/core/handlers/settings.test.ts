// Saving settings through core as a view does: a wait pattern that would need backtracking is refused.
import { afterEach, describe, expect, it } from 'vitest';
import { HoldfastCore } from '../service';
import { MemoryKnownHostsStore, MemoryProfiles, MemorySecretStore, TestClient } from '../testing';

const cores: HoldfastCore[] = [];
afterEach(() => {
  for (const core of cores.splice(0)) core.dispose();
});

function view(): TestClient {
  const core = new HoldfastCore({ shell: 'web', version: 'test', profiles: new MemoryProfiles([]), secrets: new MemorySecretStore(), knownHosts: new MemoryKnownHostsStore(), connector: { connect: () => Promise.reject(new Error('no servers here')) }, watchSystem: false });
  cores.push(core);
  return new TestClient(core);
}

describe('settings.save', () => {
  it('refuses a wait pattern the linear matcher cannot take, naming the field, and keeps one it can', async () => {
    const client = view();
    await expect(client.call('settings.save', { waitPatterns: [{ name: 'ok', regex: 'to confirm>\\s*$' }, { name: 'bad', regex: '(a)\\1' }] })).rejects.toMatchObject({
      code: 'VALIDATION',
      fields: { 'waitPatterns.1.regex': expect.stringMatching(/Back-references/) },
    });
    expect((await client.call('settings.get', {})).waitPatterns).toEqual([]);
    // Catastrophic backtracking in JavaScript's engine, linear here: accepted, and matched in linear time.
    const saved = await client.call('settings.save', { waitPatterns: [{ name: 'deploy', regex: '(a+)+$' }] });
    expect(saved.waitPatterns).toEqual([{ name: 'deploy', regex: '(a+)+$' }]);
  });
});
