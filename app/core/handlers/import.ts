// Importing hosts from an OpenSSH config (~/.ssh/config and what it includes).
import { homedir } from 'node:os';
import { applyImport, previewImport } from '../sshconfig/import';
import type { CoreContext, Handlers } from './context';

export function importHandlers(ctx: CoreContext): Handlers<'import.preview' | 'import.apply'> {
  return {
    'import.preview': async ({ path }) => previewImport({ path, homeDir: ctx.homeDir || homedir(), existing: ctx.profiles.list() }),

    'import.apply': async ({ candidates }) => {
      const created = applyImport(candidates, ctx.profiles.list(), ctx.clock.now());
      for (const profile of created) ctx.profiles.put(profile);
      if (created.length) ctx.emit('hosts.changed', {});
      return created;
    },
  };
}
