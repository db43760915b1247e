// Asking a host's tmux server about its sessions, and making new ones, over exec channels of the host's connection.
import type { CommandExit, TmuxSession } from '../../shared/model';
import type { ISshConnection } from '../interfaces';
import {
  deadPaneCommand,
  findSession,
  interpretListResult,
  killSessionCommand,
  listSessionsCommand,
  newSessionCommand,
  parseDeadPane,
  parseNewSession,
  type NewSessionOptions,
} from './commands';

const EXEC_TIMEOUT_MS = 15_000;

/** The host's tmux sessions; an empty list when no tmux server runs. Rejects with TMUX_MISSING if tmux is absent. */
export async function listSessions(conn: ISshConnection): Promise<TmuxSession[]> {
  return interpretListResult(await conn.exec(listSessionsCommand(), { timeoutMs: EXEC_TIMEOUT_MS }));
}

/** The session a pane means (by id, else by exact name), as listed now; undefined when it is gone. */
export async function lookUpSession(conn: ISshConnection, wanted: { id?: string; name: string }): Promise<TmuxSession | undefined> {
  return findSession(await listSessions(conn), wanted);
}

/** Makes a detached session and returns its id and the name tmux stored. */
export async function createSession(conn: ISshConnection, requestedName: string, options: NewSessionOptions): Promise<{ id: string; name: string }> {
  return parseNewSession(await conn.exec(newSessionCommand(requestedName, options), { timeoutMs: EXEC_TIMEOUT_MS }));
}

/** How the session's command ended, if its pane is dead (kept by remain-on-exit); undefined while it runs. */
export async function deadPane(conn: ISshConnection, sessionId: string): Promise<CommandExit | undefined> {
  return parseDeadPane(await conn.exec(deadPaneCommand(sessionId), { timeoutMs: EXEC_TIMEOUT_MS }));
}

/** Ends a session (a made one whose command failed); a session already gone is fine. */
export async function killSession(conn: ISshConnection, sessionId: string): Promise<void> {
  await conn.exec(killSessionCommand(sessionId), { timeoutMs: EXEC_TIMEOUT_MS });
}
