// A host's state is one fact, shown the same way wherever it appears: the host's row in the sidebar, the status
// line under it, its session rows, and the overlay on each of its panes. This is that one decision, as data: what
// to call the state, how loud, whether something is in progress, which actions help, and what to say at what
// length. Pure: no DOM, so unit tests run in Node.
import type { ErrorCode, HoldfastErrorData, HostStatus } from '../../../shared/model';
import { secondsUntil } from './format';

export type HostAction = 'retry' | 'replace-key' | 'edit-host';

export interface IHostStateView {
  kind: 'idle' | 'connecting' | 'connected' | 'reconnecting' | 'waiting-network' | 'failed';
  /** Colour of the dot and the text: one per kind, the same everywhere. */
  tone: 'idle' | 'busy' | 'ok' | 'warn' | 'error';
  /** Something is under way (a spinner): never for a failure, which waits for the user. */
  busy: boolean;
  /** A few words: "reconnecting · attempt 3 · next try in 4s", "failed: the host key changed". */
  label: string;
  /** One sentence for places with room for one (the pane overlay, the sidebar's status line). */
  summary?: string;
  /** Everything there is to say (the full message and its hint), one click away. */
  detail?: string;
  /** What the user can do about it, as buttons right there, in this order. */
  actions: HostAction[];
}

/** What a failure is, in a few words, by its code; the message says the rest. */
const FAILURE_LABEL: Partial<Record<ErrorCode, string>> = {
  HOST_KEY_CHANGED: 'the host key changed',
  HOST_KEY_REVOKED: 'the host key is revoked',
  HOST_KEY_REJECTED: 'host key not accepted',
  AUTH_FAILED: 'sign-in refused',
  CANCELLED: 'cancelled',
  TMUX_MISSING: 'tmux is not installed',
  HOST_NOT_FOUND: 'host not found',
  CONNECTION_REFUSED: 'connection refused',
  TIMEOUT: 'timed out',
  VALIDATION: 'the profile needs attention',
};

/** The first sentence of a message: the rest belongs in the detail. */
export function firstSentence(text: string): string {
  const match = /^(.+?[.!?])(\s|$)/s.exec(text.trim());
  return (match ? match[1]! : text.trim()).replace(/\s+/g, ' ');
}

/** The full text behind a one-sentence summary: the message (unless the summary already is all of it) and the hint. */
export function errorDetail(error: Pick<HoldfastErrorData, 'message' | 'hint'>): string | undefined {
  const message = firstSentence(error.message) === error.message.trim() ? undefined : error.message;
  const parts = [message, error.hint].filter((p): p is string => !!p);
  return parts.length ? parts.join('\n\n') : undefined;
}

/** The actions that help with an error, in the order they are offered. */
export function actionsFor(error: HoldfastErrorData | undefined): HostAction[] {
  switch (error?.code) {
    case 'HOST_KEY_CHANGED':
      return ['replace-key', 'retry'];
    case 'AUTH_FAILED':
    case 'VALIDATION':
      return ['edit-host', 'retry'];
    default:
      return ['retry'];
  }
}

function failureSummary(error: HoldfastErrorData): string {
  if (error.code === 'HOST_KEY_CHANGED') return "The server's host key is not the one Holdfast knows. Nothing was sent to it.";
  return firstSentence(error.message);
}

/** The colour of a tab's dot: its pane's state, unless its host has failed (then the pane cannot come back alone). */
export function tabTone(paneState: string, host: HostStatus | undefined): 'ok' | 'warn' | 'error' | 'idle' {
  if (host?.state === 'failed' && paneState !== 'attached') return 'error';
  if (paneState === 'attached') return 'ok';
  if (paneState === 'failed' || paneState === 'session-gone' || paneState === 'exited') return 'error';
  if (paneState === 'closed') return 'idle';
  return 'warn';
}

export function describeHost(status: HostStatus | undefined, nowMs: number): IHostStateView {
  switch (status?.state) {
    case undefined:
    case 'idle':
      if (status?.error) {
        // A connect the user asked for failed (and is not retried on its own): the same failure, said the same way.
        return failed(status.error);
      }
      return { kind: 'idle', tone: 'idle', busy: false, label: 'not connected', actions: [] };
    case 'connecting':
      return { kind: 'connecting', tone: 'busy', busy: true, label: 'connecting…', actions: [] };
    case 'connected':
      return { kind: 'connected', tone: 'ok', busy: false, label: 'connected', actions: [] };
    case 'reconnecting': {
      const parts = ['reconnecting'];
      if (status.attempt) parts.push(`attempt ${status.attempt}`);
      if (status.nextRetryAt !== undefined) {
        const s = secondsUntil(status.nextRetryAt, nowMs);
        parts.push(s > 0 ? `next try in ${s}s` : 'trying now');
      }
      return {
        kind: 'reconnecting',
        tone: 'warn',
        busy: true,
        label: parts.join(' · '),
        ...(status.error ? { summary: `Last try: ${firstSentence(status.error.message)}`, ...withDetail(status.error) } : {}),
        actions: ['retry'],
      };
    }
    case 'waiting-network':
      return {
        kind: 'waiting-network',
        tone: 'warn',
        busy: false,
        label: 'waiting for the network',
        summary: 'Holdfast tries again as soon as the network is back.',
        ...(status.error ? withDetail(status.error) : {}),
        actions: ['retry'],
      };
    case 'failed':
      return failed(status.error);
  }
}

function withDetail(error: HoldfastErrorData): { detail?: string } {
  const detail = errorDetail(error);
  return detail ? { detail } : {};
}

function failed(error: HoldfastErrorData | undefined): IHostStateView {
  const what = error ? (FAILURE_LABEL[error.code] ?? 'could not connect') : 'could not connect';
  return {
    kind: 'failed',
    tone: 'error',
    busy: false,
    label: `failed: ${what}`,
    ...(error ? { summary: failureSummary(error), ...withDetail(error) } : {}),
    actions: actionsFor(error),
  };
}

/** A session row under a host that is not connected shows what was last known, and says it is not live. */
export function sessionsAreLive(status: HostStatus | undefined): boolean {
  return status?.state === 'connected';
}
