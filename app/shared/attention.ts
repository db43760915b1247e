// The words of a desktop notification, the same in the browser and in the Electron shell.
import type { Attention } from './model';

/** What happened, then where. */
export function notificationText(a: Attention): { title: string; body: string } {
  const where = `${a.hostName} · ${a.sessionName}`;
  return { title: a.title, body: a.body ? `${where}\n${a.body}` : where };
}
