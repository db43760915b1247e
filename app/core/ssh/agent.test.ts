import { describe, expect, it } from 'vitest';
import { defaultAgentSocket } from './connector';

describe('defaultAgentSocket', () => {
  it('uses SSH_AUTH_SOCK wherever it is set', () => {
    expect(defaultAgentSocket({ SSH_AUTH_SOCK: '/run/user/1000/agent.sock' }, 'linux')).toBe('/run/user/1000/agent.sock');
    expect(defaultAgentSocket({ SSH_AUTH_SOCK: '\\\\.\\pipe\\openssh-ssh-agent' }, 'win32')).toBe('\\\\.\\pipe\\openssh-ssh-agent');
  });

  it('falls back to Pageant on Windows and to no agent elsewhere', () => {
    expect(defaultAgentSocket({}, 'win32')).toBe('pageant');
    expect(defaultAgentSocket({}, 'linux')).toBeUndefined();
    expect(defaultAgentSocket({ SSH_AUTH_SOCK: '' }, 'darwin')).toBeUndefined();
  });
});
