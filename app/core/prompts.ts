// Turns core's questions (host key, password, passphrase, one-time code) into `prompt.show` events and waits for
// the UI's `prompts.answer`. Core never imports UI; whichever view answers first wins.
import { randomUUID } from 'node:crypto';
import { HoldfastError } from '../shared/contract';
import { Disposable, Emitter } from '../shared/lifecycle';
import type { Prompt, PromptAnswer } from '../shared/model';
import type { DistributiveOmit, IPrompter } from './interfaces';

interface Pending {
  prompt: Prompt;
  resolve(answer: PromptAnswer): void;
  cleanup(): void;
}

export class PromptBroker extends Disposable implements IPrompter {
  private readonly _pending = new Map<string, Pending>();
  private readonly _onDidShow = this._register(new Emitter<Prompt>());
  readonly onDidShow = this._onDidShow.event;
  private readonly _onDidClose = this._register(new Emitter<{ promptId: string }>());
  readonly onDidClose = this._onDidClose.event;

  /** Prompts waiting for an answer, so a view that connects late can show them. */
  get pending(): Prompt[] {
    return [...this._pending.values()].map((p) => p.prompt);
  }

  ask(request: DistributiveOmit<Prompt, 'promptId'>, signal?: AbortSignal): Promise<PromptAnswer> {
    if (signal?.aborted) return Promise.resolve({ kind: 'cancel' });
    const prompt = { ...request, promptId: randomUUID() } as Prompt;
    return new Promise<PromptAnswer>((resolve) => {
      const onAbort = () => this._settle(prompt.promptId, { kind: 'cancel' });
      signal?.addEventListener('abort', onAbort, { once: true });
      this._pending.set(prompt.promptId, {
        prompt,
        resolve,
        cleanup: () => signal?.removeEventListener('abort', onAbort),
      });
      this._onDidShow.fire(prompt);
    });
  }

  answer(promptId: string, answer: PromptAnswer): void {
    const pending = this._pending.get(promptId);
    if (!pending) {
      throw new HoldfastError({ code: 'NOT_FOUND', message: 'This question was already answered or is no longer asked.' });
    }
    if (!fits(pending.prompt, answer)) {
      throw new HoldfastError({ code: 'VALIDATION', message: `An answer of kind "${answer.kind}" does not fit a ${pending.prompt.kind} prompt.` });
    }
    this._settle(promptId, answer);
  }

  private _settle(promptId: string, answer: PromptAnswer): void {
    const pending = this._pending.get(promptId);
    if (!pending) return;
    this._pending.delete(promptId);
    pending.cleanup();
    pending.resolve(answer);
    this._onDidClose.fire({ promptId });
  }

  override dispose(): void {
    for (const id of [...this._pending.keys()]) this._settle(id, { kind: 'cancel' });
    super.dispose();
  }
}

function fits(prompt: Prompt, answer: PromptAnswer): boolean {
  if (answer.kind === 'cancel') return true;
  switch (prompt.kind) {
    case 'host-key':
      return answer.kind === 'host-key';
    case 'password':
    case 'passphrase':
      return answer.kind === 'secret';
    case 'keyboard-interactive':
      return answer.kind === 'keyboard-interactive' && answer.responses.length === prompt.prompts.length;
  }
}
