// Panes and workspaces: opening, closing and recreating tabs on tmux sessions, and a view's tab set. What a view
// holds is the PaneRegistry's business; these only pass the view along.
import type { CoreContext, Handlers, NotificationHandlers } from './context';

export function paneHandlers(ctx: CoreContext): Handlers<'panes.open' | 'panes.list' | 'panes.close' | 'panes.recreate' | 'panes.tmux' | 'workspace.open' | 'workspace.save'> {
  const { panes } = ctx;
  return {
    'panes.open': async (input, client) => panes.open(client, input),
    'panes.list': async () => panes.list(),
    'panes.close': async ({ paneId }, client) => {
      await panes.close(client, paneId);
      return undefined;
    },
    'panes.recreate': async ({ paneId, startCommand }, client) => panes.recreate(client, paneId, startCommand),
    'panes.tmux': async ({ paneId, action }, client) => {
      await panes.tmuxAction(client, paneId, action);
      return undefined;
    },
    'workspace.open': async ({ viewId }, client) => panes.openWorkspace(client, viewId),
    'workspace.save': async (save, client) => {
      panes.saveWorkspace(client, save);
      return undefined;
    },
  };
}

/** The pane stream's one-way verbs (who may send each is the contract's: a device never sizes, a viewer never types). */
export function paneNotificationHandlers(ctx: CoreContext): NotificationHandlers {
  const { panes } = ctx;
  return {
    'pane.input': ({ paneId, data, target }, client) => panes.input(client, paneId, data, target),
    'pane.resize': ({ paneId, cols, rows }, client) => panes.resize(client, paneId, cols, rows),
    'pane.ack': ({ paneId, bytes, target }, client) => panes.ack(client, paneId, bytes, target),
    'pane.visible': ({ paneId, visible, target }, client) => panes.setVisible(client, paneId, visible, target),
  };
}
