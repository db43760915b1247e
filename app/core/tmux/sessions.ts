// Asking a host's tmux server about its sessions, over an exec channel of the host's connection.
import type { TmuxSession } from '../../shared/model';
import type { ISshConnection } from '../interfaces';
import { hasSessionCommand, interpretHasSessionResult, interpretListResult, listSessionsCommand } from './commands';

const EXEC_TIMEOUT_MS = 15_000;

/** The host's tmux sessions; an empty list when no tmux server runs. Rejects with TMUX_MISSING if tmux is absent. */
export async function listSessions(conn: ISshConnection): Promise<TmuxSession[]> {
  return interpretListResult(await conn.exec(listSessionsCommand(), { timeoutMs: EXEC_TIMEOUT_MS }));
}

/** Whether a session with exactly this name exists. */
export async function hasSession(conn: ISshConnection, sessionName: string): Promise<boolean> {
  return interpretHasSessionResult(await conn.exec(hasSessionCommand(sessionName), { timeoutMs: EXEC_TIMEOUT_MS }));
}
