// Answers to what core asked the user (host keys, passwords, passphrases, one-time codes).
import type { CoreContext, Handlers } from './context';

export function promptHandlers(ctx: CoreContext): Handlers<'prompts.answer' | 'prompts.pending'> {
  return {
    'prompts.answer': async ({ promptId, answer }) => {
      ctx.prompts.answer(promptId, answer);
      return undefined;
    },

    'prompts.pending': async () => [...ctx.prompts.pending],
  };
}
