import { describe, expect, it } from 'vitest';
import { defaultKnownHostsFiles } from './connector';

describe('defaultKnownHostsFiles', () => {
  it("reads the machine's known hosts as OpenSSH does, after the user's own", () => {
    expect(defaultKnownHostsFiles('/home/ann')).toEqual([
      '/home/ann/.ssh/known_hosts',
      '/home/ann/.ssh/known_hosts2',
      '/etc/ssh/ssh_known_hosts',
      '/etc/ssh/ssh_known_hosts2',
    ]);
  });
});
