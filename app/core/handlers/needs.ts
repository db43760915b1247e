// "Needs you": the waiting panes of every connected host, quick answers, focusing an item's pane, and a session's
// last lines for a preview (capture-pane, no attach).
import { HoldfastError } from '../../shared/contract';
import type { NeedsService } from '../needs/needs';
import { target, tmux, tmuxExec } from '../tmux/tmux';
import type { CoreContext, Handlers } from './context';

type NeedsCommands = 'needs.list' | 'needs.answer' | 'needs.focus' | 'sessions.preview';

/** Lines a preview shows: the bottom of the screen, where a program's latest output is. */
export const PREVIEW_LINES = 12;

export function needsHandlers(ctx: CoreContext, needs: NeedsService): Handlers<NeedsCommands> {
  return {
    'needs.list': async () => ({ items: needs.items, marks: needs.marks }),
    'needs.answer': async ({ itemId, choice, fingerprint }, client) => {
      // Who answered goes into the Timeline: this computer (a window, a page) or a paired device by its name.
      await needs.answer(itemId, choice, fingerprint, { kind: client.info.kind, ...(client.info.label ? { label: client.info.label } : {}) });
    },
    'needs.focus': async ({ itemId }) => needs.focus(itemId),
    'sessions.preview': async ({ hostId, sessionId }) => {
      const host = ctx.hosts.get(hostId);
      const connection = host.status.state === 'connected' ? host.connection : undefined;
      // A preview never connects: it is for a host whose list is shown.
      if (!connection) throw new HoldfastError({ code: 'NETWORK', message: 'The host is not connected.' });
      const result = await connection.exec(tmuxExec(tmux.capturePane(target.session(sessionId))), { timeoutMs: 5000 });
      if (result.code !== 0) throw new HoldfastError({ code: 'SESSION_GONE', message: result.stderr.trim() || 'The session is gone.' });
      const lines = result.stdout.replace(/\n+$/, '').split('\n');
      return { lines: lines.slice(-PREVIEW_LINES) };
    },
  };
}
