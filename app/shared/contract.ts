// The one contract between the UI and core. Every bridge (Electron IPC, WebSocket) carries exactly these
// commands and events, and checks each message against these schemas at its boundary.
import { z } from 'zod';
import type { IDisposable } from './lifecycle';
import {
  AppInfo,
  CommandExit,
  HostId,
  HostProfile,
  HostProfileInput,
  HostStatus,
  HoldfastErrorData,
  ImportCandidate,
  ImportPreview,
  Notice,
  PaneId,
  PaneInfo,
  PaneState,
  Prompt,
  PromptAnswer,
  PromptId,
  SessionId,
  SessionName,
  Settings,
  SettingsPatch,
  ViewId,
  Workspace,
  WorkspaceSave,
  TmuxSession,
} from './model';

const Empty = z.object({}).strict();
const Void = z.undefined();
const Cols = z.number().int().min(2).max(1000);
const Rows = z.number().int().min(1).max(1000);
function command<I extends z.ZodType, O extends z.ZodType>(input: I, output: O) {
  return { input, output };
}

export const commands = {
  'app.info': command(Empty, AppInfo),
  /** Notices raised before any view was open (e.g. a corrupt settings file moved aside at start-up). */
  'app.notices': command(Empty, z.array(Notice)),

  'hosts.list': command(Empty, z.array(HostProfile)),
  /** Creates (no id) or updates (id) a profile. Bad fields fail with VALIDATION and `fields`. */
  'hosts.save': command(HostProfileInput, HostProfile),
  'hosts.delete': command(z.object({ hostId: HostId }), Void),
  'hosts.status': command(Empty, z.array(HostStatus)),
  /** Skips the backoff wait and tries now; also the way out of the failed state. */
  'hosts.retryNow': command(z.object({ hostId: HostId }), Void),
  'hosts.disconnect': command(z.object({ hostId: HostId }), Void),
  /** Forgets the stored host key after the user confirmed the change; the next connect asks again. */
  'hosts.forgetHostKey': command(z.object({ hostId: HostId }), Void),

  /** Connects if needed (may raise prompts) and lists the host's tmux sessions. */
  'sessions.list': command(z.object({ hostId: HostId }), z.array(TmuxSession)),

  /** Attaches a pane to a tmux session; `create` makes the session if it does not exist yet. */
  'panes.open': command(
    z.object({
      hostId: HostId,
      sessionName: SessionName,
      /** The id the session was listed with; the pane attaches to it rather than to the name. */
      sessionId: SessionId.optional(),
      create: z.object({ startCommand: z.string().max(4096).optional() }).optional(),
      cols: Cols,
      rows: Rows,
    }),
    PaneInfo,
  ),
  'panes.list': command(Empty, z.array(PaneInfo)),
  /** Detaches; the tmux session keeps running on the server. */
  'panes.close': command(z.object({ paneId: PaneId }), Void),
  /**
   * After "session gone" or "exited": make the session again (with its start command, or the one given here, which
   * then becomes the pane's) and attach. A session whose command has exited is ended first.
   */
  'panes.recreate': command(z.object({ paneId: PaneId, startCommand: z.string().max(4096).optional() }), PaneInfo),

  'settings.get': command(Empty, Settings),
  /** Changes the given settings and keeps them (beside the profiles); every view gets `settings.changed`. */
  'settings.save': command(SettingsPatch, Settings),

  'prompts.answer': command(z.object({ promptId: PromptId, answer: PromptAnswer }), Void),
  /** Prompts waiting for an answer: a view that opens (or reloads) while one waits shows it too. */
  'prompts.pending': command(Empty, z.array(Prompt)),

  /**
   * The tabs of this view. A view that reloaded (same `viewId`) gets its own tabs back, attached to the same live
   * panes; a new view starts with the tab set last saved by any view, opened anew. The view holds these panes.
   */
  'workspace.open': command(z.object({ viewId: ViewId }), Workspace),
  /** The view's tabs changed (opened, closed, moved, another active): kept for a reload, and as the set to restore. */
  'workspace.save': command(WorkspaceSave, Void),

  'import.preview': command(z.object({ path: z.string().max(4096).optional() }), ImportPreview),
  'import.apply': command(z.object({ candidates: z.array(ImportCandidate) }), z.array(HostProfile)),
} as const;

/**
 * One-way messages from a view: no reply, no pending promise; still checked at the boundary (a bad one is dropped).
 * The pane stream's verbs (VS Code's terminal input/resize/acknowledgeDataEvent).
 */
export const notifications = {
  /** Keys and pastes typed into the pane. */
  'pane.input': z.object({ paneId: PaneId, data: z.string().max(1 << 20) }),
  /** This view's size for the pane (the pane follows the most recently active view's). */
  'pane.resize': z.object({ paneId: PaneId, cols: Cols, rows: Rows }),
  /** The view processed `bytes` more bytes of this pane's output (flow control). */
  'pane.ack': z.object({ paneId: PaneId, bytes: z.number().int().min(0) }),
  /** The view shows the pane now (its tab is active in a visible window), or stopped showing it. */
  'pane.visible': z.object({ paneId: PaneId, visible: z.boolean() }),
} as const;

export const events = {
  'pane.state': z.object({
    paneId: PaneId,
    state: PaneState,
    error: HoldfastErrorData.optional(),
    message: z.string().optional(),
    exit: CommandExit.optional(),
    /** With 'attached': how (see PaneInfo). */
    mode: z.enum(['control', 'classic']).optional(),
    modeNote: z.string().optional(),
  }),
  'host.status': HostStatus,
  'hosts.changed': z.object({}),
  'settings.changed': Settings,
  'prompt.show': Prompt,
  /** A prompt was answered elsewhere or became moot (the connection attempt ended). */
  'prompt.close': z.object({ promptId: PromptId }),
  notice: Notice,
} as const;

export type Commands = typeof commands;
export type CommandName = keyof Commands;
export type CommandInput<K extends CommandName> = z.input<Commands[K]['input']>;
export type CommandOutput<K extends CommandName> = z.output<Commands[K]['output']>;

export type Notifications = typeof notifications;
export type NotificationName = keyof Notifications;
export type NotificationInput<K extends NotificationName> = z.input<Notifications[K]>;

export type Events = typeof events;
export type EventName = keyof Events;
export type EventPayload<K extends EventName> = z.output<Events[K]>;

/** What a command returns over any bridge. */
export type CommandResult<T> = { ok: true; value: T } | { ok: false; error: HoldfastErrorData };

/**
 * The API the renderer sees as `window.holdfast`, whichever bridge carries it.
 * `call` runs a command; `notify` sends a one-way message; `listen` subscribes to an event; `subscribePane`
 * receives one pane's output (a snapshot of its screen first, then what follows) until disposed.
 */
export interface IHoldfastApi {
  call<K extends CommandName>(name: K, input: CommandInput<K>): Promise<CommandOutput<K>>;
  notify<K extends NotificationName>(name: K, input: NotificationInput<K>): void;
  listen<K extends EventName>(name: K, listener: (payload: EventPayload<K>) => void): IDisposable;
  subscribePane(paneId: string, onData: (data: Uint8Array) => void): IDisposable;
}

/** Who a connected view is, as its bridge knows it. */
export interface ClientInfo {
  /** A desktop window (Electron), a page of the web host, or a paired device. */
  kind: 'window' | 'page' | 'device';
  /** For logs and the devices list. */
  label?: string;
}

/** Where core sends what one view should get: events for everyone, and the output of the panes it subscribed to. */
export interface IClientSink {
  event(name: EventName, payload: unknown): void;
  paneData(paneId: string, data: Uint8Array): void;
}

/**
 * One connected view as core sees it. A bridge makes one per view (a window, a page) and routes everything that
 * view sends through it: core knows which panes it holds and which it subscribed to, and releases them when it
 * goes. Input is already validated by the bridge (app/shared/bridge.ts).
 */
export interface IClientConnection extends IDisposable {
  readonly clientId: string;
  handle<K extends CommandName>(name: K, input: z.output<Commands[K]['input']>): Promise<CommandOutput<K>>;
  notify<K extends NotificationName>(name: K, input: z.output<Notifications[K]>): void;
  subscribePane(paneId: string): void;
  unsubscribePane(paneId: string): void;
}

/** What a bridge needs of core: one client per connected view. */
export interface IHoldfastCore {
  connect(sink: IClientSink, info: ClientInfo): IClientConnection;
}

/** Errors that cross the bridge carry a code the UI can act on. */
export class HoldfastError extends Error {
  readonly code: HoldfastErrorData['code'];
  readonly hint: string | undefined;
  readonly fields: Record<string, string> | undefined;

  constructor(data: HoldfastErrorData) {
    super(data.message);
    this.name = 'HoldfastError';
    this.code = data.code;
    this.hint = data.hint;
    this.fields = data.fields;
  }

  toData(): HoldfastErrorData {
    return HoldfastErrorData.parse({ code: this.code, message: this.message, hint: this.hint, fields: this.fields });
  }

  static from(err: unknown): HoldfastError {
    if (err instanceof HoldfastError) return err;
    const parsed = HoldfastErrorData.safeParse(err);
    if (parsed.success) return new HoldfastError(parsed.data);
    return new HoldfastError({ code: 'INTERNAL', message: err instanceof Error ? err.message : String(err) });
  }
}

export function isCommandName(name: unknown): name is CommandName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(commands, name);
}

export function isNotificationName(name: unknown): name is NotificationName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(notifications, name);
}

export function isEventName(name: unknown): name is EventName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(events, name);
}

/** Turns a zod failure into a VALIDATION error whose `fields` the form shows beside each input. */
export function validationError(error: z.ZodError, message = 'Some fields need attention'): HoldfastError {
  const fields: Record<string, string> = {};
  for (const issue of error.issues) {
    const key = issue.path.length ? issue.path.map(String).join('.') : '_';
    fields[key] ??= issue.message;
  }
  return new HoldfastError({ code: 'VALIDATION', message, fields });
}

/** Validates a command's input; throws a VALIDATION HoldfastError on failure. */
export function parseCommandInput<K extends CommandName>(name: K, input: unknown): z.output<Commands[K]['input']> {
  const result = commands[name].input.safeParse(input ?? {});
  if (!result.success) throw validationError(result.error);
  return result.data as z.output<Commands[K]['input']>;
}

/** Validates a notification; undefined when it is not one (it is then dropped: nobody waits for an answer). */
export function parseNotification(name: unknown, input: unknown): { name: NotificationName; input: unknown } | undefined {
  if (!isNotificationName(name)) return undefined;
  const result = notifications[name].safeParse(input);
  return result.success ? { name, input: result.data } : undefined;
}

export function parseEventPayload<K extends EventName>(name: K, payload: unknown): EventPayload<K> {
  return events[name].parse(payload) as EventPayload<K>;
}
