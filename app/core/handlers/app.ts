// The app itself: what it is, what it has to tell, and its settings.
import { HoldfastError } from '../../shared/contract';
import { linearRegexProblem } from '../needs/linearRegex';
import type { CoreContext, Handlers } from './context';

export function appHandlers(ctx: CoreContext): Handlers<'app.info' | 'app.notices' | 'settings.get' | 'settings.save'> {
  return {
    'app.info': async (_input, client) => ({
      version: ctx.version,
      shell: ctx.shell,
      secretsPersist: ctx.secrets.persistent,
      platform: process.platform,
      ...(client.info.kind === 'device' ? { device: { name: client.info.label ?? 'Device', viewOnly: client.info.viewOnly === true } } : { canPair: ctx.companion !== undefined }),
    }),

    'app.notices': async () => [...ctx.notices],

    'settings.get': async () => ctx.settings.get(),

    'settings.save': async (patch) => {
      // A wait pattern is matched against whatever a server prints: one that needs backtracking is refused here.
      const fields: Record<string, string> = {};
      patch.waitPatterns?.forEach((p, i) => {
        const problem = linearRegexProblem(p.regex);
        if (problem) fields[`waitPatterns.${i}.regex`] = problem;
      });
      if (Object.keys(fields).length > 0) {
        throw new HoldfastError({ code: 'VALIDATION', message: `This wait pattern cannot be used: ${Object.values(fields)[0]}`, fields });
      }
      let saved;
      try {
        saved = ctx.settings.update(patch);
      } catch (err) {
        throw new HoldfastError({ code: 'VALIDATION', message: `These settings cannot be saved: ${err instanceof Error ? err.message : String(err)}` });
      }
      ctx.emit('settings.changed', saved);
      return saved;
    },
  };
}
