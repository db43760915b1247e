import { describe, expect, it } from 'vitest';
import { PromptBroker } from './prompts';

const hostKey = { kind: 'host-key', host: 'example', port: 22, keyType: 'ssh-ed25519', fingerprint: 'SHA256:abc' } as const;

describe('PromptBroker', () => {
  it('shows a prompt as an event and resolves with the answer the view gives', async () => {
    const broker = new PromptBroker();
    const shown: string[] = [];
    const closed: string[] = [];
    broker.onDidShow((p) => shown.push(p.promptId));
    broker.onDidClose((e) => closed.push(e.promptId));
    const answer = broker.ask(hostKey);
    expect(shown).toHaveLength(1);
    expect(broker.pending).toHaveLength(1);
    broker.answer(shown[0]!, { kind: 'host-key', remember: true });
    await expect(answer).resolves.toEqual({ kind: 'host-key', remember: true });
    expect(closed).toEqual(shown);
    expect(broker.pending).toHaveLength(0);
  });

  it('refuses an answer of the wrong kind and a second answer to the same prompt', async () => {
    const broker = new PromptBroker();
    let id = '';
    broker.onDidShow((p) => (id = p.promptId));
    const answer = broker.ask(hostKey);
    expect(() => broker.answer(id, { kind: 'secret', value: 'x', remember: false })).toThrow(/does not fit/);
    broker.answer(id, { kind: 'cancel' });
    await expect(answer).resolves.toEqual({ kind: 'cancel' });
    expect(() => broker.answer(id, { kind: 'cancel' })).toThrow(/already answered/);
  });

  it('cancels a prompt whose connection attempt was aborted, and tells the views to close it', async () => {
    const broker = new PromptBroker();
    const closed: string[] = [];
    broker.onDidClose((e) => closed.push(e.promptId));
    const controller = new AbortController();
    const answer = broker.ask({ kind: 'password', host: 'h', port: 22, user: 'u', canRemember: false }, controller.signal);
    controller.abort();
    await expect(answer).resolves.toEqual({ kind: 'cancel' });
    expect(closed).toHaveLength(1);
  });

  it('cancels every waiting prompt when disposed', async () => {
    const broker = new PromptBroker();
    const a = broker.ask(hostKey);
    const b = broker.ask(hostKey);
    broker.dispose();
    await expect(Promise.all([a, b])).resolves.toEqual([{ kind: 'cancel' }, { kind: 'cancel' }]);
  });
});
