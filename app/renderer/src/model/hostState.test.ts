import { describe, expect, it } from 'vitest';
import { actionsFor, describeHost, errorDetail, firstSentence, sessionsAreLive, tabTone } from './hostState';

const NOW = 1_700_000_000_000;
const changed = {
  code: 'HOST_KEY_CHANGED' as const,
  message:
    'The host key of box:22 has changed. It was ssh-ed25519 SHA256:old (in Holdfast); the server now presents ssh-ed25519 SHA256:new. Someone could be intercepting the connection. Nothing was sent to the server.',
  hint: 'Replacing the key takes an explicit confirmation: choose "Replace stored key".',
};

describe('describeHost', () => {
  it('a failed host never spins, says in a few words what failed, and offers every action its message names', () => {
    const view = describeHost({ hostId: 'h', state: 'failed', error: changed }, NOW);
    expect(view).toMatchObject({ kind: 'failed', tone: 'error', busy: false, label: 'failed: the host key changed', actions: ['replace-key', 'retry'] });
    // The short form leaves the fingerprints to the detail; the detail keeps all of it.
    expect(view.summary).not.toContain('SHA256');
    expect(view.detail).toContain('SHA256:old');
    expect(view.detail).toContain('Replace stored key');
  });

  it('a refused sign-in offers to edit the host', () => {
    expect(describeHost({ hostId: 'h', state: 'failed', error: { code: 'AUTH_FAILED', message: 'Authentication failed for a@b: x.' } }, NOW).actions).toEqual(['edit-host', 'retry']);
  });

  it('a failed first connect (idle with an error) looks exactly like a failed host', () => {
    const error = { code: 'CONNECTION_REFUSED' as const, message: 'Connection to box:22 was refused', hint: 'Is the SSH server running?' };
    expect(describeHost({ hostId: 'h', state: 'idle', error }, NOW)).toEqual(describeHost({ hostId: 'h', state: 'failed', error }, NOW));
  });

  it('reconnecting spins and counts down, with the last try in one sentence', () => {
    const view = describeHost(
      { hostId: 'h', state: 'reconnecting', attempt: 3, nextRetryAt: NOW + 4200, error: { code: 'TIMEOUT', message: 'Timed out connecting to box:22 after 20 s. The host may be down.' } },
      NOW,
    );
    expect(view).toMatchObject({ kind: 'reconnecting', tone: 'warn', busy: true, label: 'reconnecting · attempt 3 · next try in 5s', actions: ['retry'] });
    expect(view.summary).toBe('Last try: Timed out connecting to box:22 after 20 s.');
    expect(describeHost({ hostId: 'h', state: 'reconnecting', attempt: 1 }, NOW).label).toBe('reconnecting · attempt 1');
  });

  it('the other states', () => {
    expect(describeHost(undefined, NOW)).toMatchObject({ kind: 'idle', busy: false, actions: [] });
    expect(describeHost({ hostId: 'h', state: 'connecting' }, NOW)).toMatchObject({ busy: true, actions: [] });
    expect(describeHost({ hostId: 'h', state: 'connected' }, NOW)).toMatchObject({ tone: 'ok', busy: false });
    expect(describeHost({ hostId: 'h', state: 'waiting-network' }, NOW)).toMatchObject({ tone: 'warn', busy: false, actions: ['retry'] });
  });
});

describe('helpers', () => {
  it('firstSentence keeps one sentence, whole', () => {
    expect(firstSentence('Host x could not be found (looking up x:22). Check DNS.')).toBe('Host x could not be found (looking up x:22).');
    expect(firstSentence('no period here')).toBe('no period here');
  });

  it('the detail adds only what the summary left out', () => {
    expect(errorDetail({ message: 'tmux is not installed on this server', hint: 'Install tmux.' })).toBe('Install tmux.');
    expect(errorDetail({ message: 'One. Two.' })).toBe('One. Two.');
    expect(errorDetail({ message: 'Only one.' })).toBeUndefined();
  });

  it("a tab's dot turns red when its host failed, whatever its pane says", () => {
    expect(tabTone('reconnecting', { hostId: 'h', state: 'failed', error: changed })).toBe('error');
    expect(tabTone('reconnecting', { hostId: 'h', state: 'reconnecting' })).toBe('warn');
    expect(tabTone('attached', { hostId: 'h', state: 'connected' })).toBe('ok');
    expect(tabTone('session-gone', undefined)).toBe('error');
    expect(tabTone('exited', { hostId: 'h', state: 'connected' })).toBe('error');
  });

  it('sessions are live only while the host is connected', () => {
    expect(sessionsAreLive({ hostId: 'h', state: 'connected' })).toBe(true);
    for (const state of ['failed', 'reconnecting', 'waiting-network', 'idle'] as const) expect(sessionsAreLive({ hostId: 'h', state, ...(state === 'failed' ? { error: changed } : {}) } as never)).toBe(false);
    expect(actionsFor(undefined)).toEqual(['retry']);
  });
});
