// The one contract between the UI and core. Every bridge (Electron IPC, WebSocket) carries exactly these
// commands and events, and checks each message against these schemas at its boundary.
import { z } from 'zod';
import type { PaneSize } from './geometry';
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
  SessionLayout,
  SessionMarks,
  SessionName,
  Settings,
  TmuxAction,
  SettingsPatch,
  Attention,
  NeedsItem,
  CompanionListen,
  CompanionOptions,
  Device,
  Pairing,
  RescueAction,
  RescuePlan,
  RescueScan,
  ViewId,
  Workspace,
  WorkspaceSave,
  TmuxSession,
  TimelineEntry,
} from './model';

const Empty = z.object({}).strict();
const Void = z.undefined();
const Cols = z.number().int().min(2).max(1000);
const Rows = z.number().int().min(1).max(1000);
/**
 * Who calls: the computer's own views (an Electron window, a page of the web host with its token), a paired device,
 * or a paired device that may only look.
 */
export type Role = 'owner' | 'device' | 'viewer';

/**
 * The least role a command or notification needs: 'owner' (the computer's own views only), 'device' (also a paired
 * device) or 'viewer' (also a view-only device). Declared beside each entry below and checked in one place
 * (`mayUse`, by core for every call and notification of every bridge).
 */
export type Access = Role;

const RANK: Record<Role, number> = { viewer: 0, device: 1, owner: 2 };

function command<I extends z.ZodType, O extends z.ZodType>(input: I, output: O, access: Access, refine?: (input: z.output<I>) => Access) {
  return { input, output, access, ...(refine ? { refine } : {}) };
}

function notification<I extends z.ZodType>(input: I, access: Access) {
  return { input, access };
}

/** The waiting panes, and each watched session's marks. */
export const NeedsState = z.object({ items: z.array(NeedsItem), marks: z.array(SessionMarks) });
export type NeedsState = z.infer<typeof NeedsState>;

export const commands = {
  'app.info': command(Empty, AppInfo, 'viewer'),
  /** Notices raised before any view was open (e.g. a corrupt settings file moved aside at start-up). */
  'app.notices': command(Empty, z.array(Notice), 'viewer'),

  'hosts.list': command(Empty, z.array(HostProfile), 'viewer'),
  /** Creates (no id) or updates (id) a profile. Bad fields fail with VALIDATION and `fields`. */
  'hosts.save': command(HostProfileInput, HostProfile, 'owner'),
  'hosts.delete': command(z.object({ hostId: HostId }), Void, 'owner'),
  'hosts.status': command(Empty, z.array(HostStatus), 'viewer'),
  /** Skips the backoff wait and tries now; also the way out of the failed state. */
  'hosts.retryNow': command(z.object({ hostId: HostId }), Void, 'device'),
  'hosts.disconnect': command(z.object({ hostId: HostId }), Void, 'owner'),
  /** Forgets the stored host key after the user confirmed the change; the next connect asks again. */
  'hosts.forgetHostKey': command(z.object({ hostId: HostId }), Void, 'owner'),

  /** Connects if needed (may raise prompts) and lists the host's tmux sessions. */
  'sessions.list': command(z.object({ hostId: HostId }), z.array(TmuxSession), 'viewer'),
  /** The last lines of a session's active pane (capture-pane, no attach), for a preview on hover. */
  'sessions.preview': command(z.object({ hostId: HostId, sessionId: z.string().regex(/^\$\d+$/) }), z.object({ lines: z.array(z.string()) }), 'viewer'),

  /** Every pane that waits for its user on a connected host, and the sessions' marks. */
  'needs.list': command(Empty, NeedsState, 'viewer'),
  /**
   * A quick answer: types exactly the choice's keys into the pane, once, if its prompt still shows what it showed
   * (`fingerprint`); STALE if it changed (nothing typed), NOT_FOUND if it is gone (answered already).
   */
  'needs.answer': command(z.object({ itemId: z.string().max(300), choice: z.number().int().min(0).max(20), fingerprint: z.string().max(40) }), Void, 'device'),
  /** Programs of the user running outside tmux on the host (one bounded command), and agents seen before and gone. */
  'rescue.scan': command(z.object({ hostId: HostId }), RescueScan, 'viewer'),
  /** What Move into tmux / Resume in tmux would run there, and what stands in its way. Runs only checks. */
  'rescue.plan': command(z.object({ hostId: HostId, action: RescueAction }), RescuePlan, 'device'),
  /**
   * Runs it (the user clicked): a new tmux session running reptyr or the resume command. `command` is the plan's
   * command the user saw: the checks run again and the command goes out only if it is still exactly that (else STALE,
   * nothing run). `startCommand` is what the session runs, for its tab (panes.open's `startedWith`).
   */
  'rescue.run': command(
    z.object({ hostId: HostId, action: RescueAction, command: z.string().max(20_000) }),
    z.object({ sessionId: z.string(), sessionName: z.string(), startCommand: z.string() }),
    'device',
  ),
  /** Paired devices (the desktop's own views only). */
  'devices.list': command(Empty, z.array(Device), 'owner'),
  /** Where a device could reach this computer: a Tailscale address, local network addresses. */
  'devices.options': command(Empty, CompanionOptions, 'owner'),
  /** Starts a pairing: listens where asked (once) and gives the one-time link and its QR code. */
  'devices.pair': command(z.object({ listen: CompanionListen, viewOnly: z.boolean(), address: z.string().max(64).optional() }), Pairing, 'owner'),
  /** Ends a device's access at once and for good: its sockets close. */
  'devices.revoke': command(z.object({ deviceId: z.string().max(100) }), Void, 'owner'),
  /** The Timeline, newest first: every prompt that waited and every answer (of one host, or all), at most `limit`. */
  'timeline.list': command(z.object({ hostId: HostId.optional(), limit: z.number().int().min(1).max(10_000).optional() }), z.object({ entries: z.array(TimelineEntry) }), 'viewer'),
  /** The Timeline as JSON Lines (one entry a line, oldest first), of one host or all. */
  'timeline.export': command(z.object({ hostId: HostId.optional() }), z.object({ text: z.string() }), 'viewer'),
  /** Makes the item's pane the active one in tmux (its window too), so that the session's tab opens on it. */
  'needs.focus': command(z.object({ itemId: z.string().max(300) }), z.object({ hostId: HostId, sessionId: z.string(), sessionName: z.string(), tmuxPane: z.string() }), 'device'),

  /** Attaches a pane to a tmux session; `create` makes the session if it does not exist yet. */
  'panes.open': command(
    z.object({
      hostId: HostId,
      sessionName: SessionName,
      /** The id the session was listed with; the pane attaches to it rather than to the name. */
      sessionId: SessionId.optional(),
      create: z.object({ startCommand: z.string().max(4096).optional() }).optional(),
      /**
       * The session (`sessionId`) was made just now running this command (rescue.run): as with `create`, the pane
       * watches for it ending at once (then shows what it printed) and keeps it for Recreate.
       */
      startedWith: z.string().max(4096).optional(),
      cols: Cols,
      rows: Rows,
    }),
    PaneInfo,
    // Looking at a session is for anyone; making one is not for a view-only device.
    'viewer',
    (input) => (input.create !== undefined ? 'device' : 'viewer'),
  ),
  'panes.list': command(Empty, z.array(PaneInfo), 'viewer'),
  /** Detaches; the tmux session keeps running on the server. */
  'panes.close': command(z.object({ paneId: PaneId }), Void, 'viewer'),
  /**
   * After "session gone" or "exited": make the session again (with its start command, or the one given here, which
   * then becomes the pane's) and attach. A session whose command has exited is ended first.
   */
  'panes.recreate': command(z.object({ paneId: PaneId, startCommand: z.string().max(4096).optional() }), PaneInfo, 'device'),
  /** In a control-mode pane: a window or pane action, done in tmux (the new layout arrives as `pane.layout`). */
  'panes.tmux': command(z.object({ paneId: PaneId, action: TmuxAction }), Void, 'device'),

  'settings.get': command(Empty, Settings, 'viewer'),
  /** Changes the given settings and keeps them (beside the profiles); every view gets `settings.changed`. */
  'settings.save': command(SettingsPatch, Settings, 'owner'),

  'prompts.answer': command(z.object({ promptId: PromptId, answer: PromptAnswer }), Void, 'owner'),
  /** Prompts waiting for an answer: a view that opens (or reloads) while one waits shows it too. */
  'prompts.pending': command(Empty, z.array(Prompt), 'owner'),

  /**
   * The tabs of this view. A view that reloaded (same `viewId`) gets its own tabs back, attached to the same live
   * panes; a new view starts with the tab set last saved by any view, opened anew. The view holds these panes.
   */
  'workspace.open': command(z.object({ viewId: ViewId }), Workspace, 'viewer'),
  /** The view's tabs changed (opened, closed, moved, another active): kept for a reload, and as the set to restore. */
  'workspace.save': command(WorkspaceSave, Void, 'viewer'),

  'import.preview': command(z.object({ path: z.string().max(4096).optional() }), ImportPreview, 'owner'),
  'import.apply': command(z.object({ candidates: z.array(ImportCandidate) }), z.array(HostProfile), 'owner'),
} as const;

/**
 * One-way messages from a view: no reply, no pending promise; still checked at the boundary (a bad one is dropped).
 * The pane stream's verbs (VS Code's terminal input/resize/acknowledgeDataEvent).
 */
/** One tmux pane of a control-mode pane (`%5`); without it, the session's active pane (or the only stream). */
const Target = z.string().regex(/^%\d+$/).optional();

export const notifications = {
  /** Keys and pastes typed into the pane (into one tmux pane of it, with `target`). */
  'pane.input': notification(z.object({ paneId: PaneId, target: Target, data: z.string().max(1 << 20) }), 'device'),
  /** This view's size for the pane, or for a control-mode session's windows (the pane follows the most recently active view's). */
  'pane.resize': notification(z.object({ paneId: PaneId, cols: Cols, rows: Rows }), 'owner'),
  /** The view processed `bytes` more bytes of this pane's (or this tmux pane's) output (flow control). */
  'pane.ack': notification(z.object({ paneId: PaneId, target: Target, bytes: z.number().int().min(0) }), 'viewer'),
  /** The view shows the pane (or this tmux pane of it) now, or stopped showing it. */
  'pane.visible': notification(z.object({ paneId: PaneId, target: Target, visible: z.boolean() }), 'viewer'),
} as const;

/** The id a view subscribes with: a pane's, or `paneId/%5` for one tmux pane of a control-mode pane. */
export function streamId(paneId: string, target?: string): string {
  return target ? `${paneId}/${target}` : paneId;
}

export function parseStreamId(id: string): { paneId: string; target?: string } {
  const at = id.lastIndexOf('/');
  if (at < 0) return { paneId: id };
  const target = id.slice(at + 1);
  return /^%\d+$/.test(target) ? { paneId: id.slice(0, at), target } : { paneId: id };
}

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
  /** A device was paired or revoked. */
  'devices.changed': z.object({}),
  /** The waiting panes or the sessions' marks changed. */
  'needs.changed': NeedsState,
  /** Entries were added to the Timeline (a prompt ended, an answer was given). */
  'timeline.added': z.object({ entries: z.array(TimelineEntry) }),
  /** A host's tmux sessions changed, from here or elsewhere (made, ended, renamed, windows, clients): lists go stale. */
  'sessions.changed': z.object({ hostId: HostId }),
  /** Something calls for the user (a pane started waiting, a bell, a program's notification, a watched session went quiet). */
  attention: Attention,
  /** The user clicked a notification the shell showed: the focused view opens its pane. */
  'attention.open': Attention,
  /** A control-mode pane's windows and panes changed (from tmux, whoever did it). */
  'pane.layout': z.object({ paneId: PaneId, layout: SessionLayout }),
  'host.status': HostStatus,
  'hosts.changed': z.object({}),
  'settings.changed': Settings,
  'prompt.show': Prompt,
  /** A prompt was answered elsewhere or became moot (the connection attempt ended). */
  'prompt.close': z.object({ promptId: PromptId }),
  notice: Notice,
} as const;

/**
 * Who hears an event: every view ('all'), the computer's own views ('owner': prompts it raised, its devices, its
 * notifications), or the views that hold the pane it is about ('holders': a pane's state and layout).
 */
export type Audience = 'all' | 'owner' | 'holders';
export const eventAudience: Record<EventName, Audience> = {
  'pane.state': 'holders',
  'pane.layout': 'holders',
  'devices.changed': 'owner',
  'needs.changed': 'all',
  'timeline.added': 'all',
  'sessions.changed': 'all',
  attention: 'all',
  'attention.open': 'owner',
  'host.status': 'all',
  'hosts.changed': 'all',
  'settings.changed': 'all',
  'prompt.show': 'owner',
  'prompt.close': 'owner',
  notice: 'all',
};

/** A view's role, from what its bridge knows of it. */
export function roleOf(info: Pick<ClientInfo, 'kind' | 'viewOnly'>): Role {
  if (info.kind !== 'device') return 'owner';
  return info.viewOnly ? 'viewer' : 'device';
}

export function mayUse(role: Role, access: Access): boolean {
  return RANK[role] >= RANK[access];
}

/** What a command needs, with this input (a new session needs more than looking at one). */
export function commandAccess<K extends CommandName>(name: K, input: z.output<Commands[K]['input']>): Access {
  const entry = commands[name] as { access: Access; refine?: (input: unknown) => Access };
  return entry.refine ? entry.refine(input) : entry.access;
}

/** What a role may not do, in its user's words. */
export function forbiddenError(role: Role): HoldfastError {
  return new HoldfastError({
    code: 'FORBIDDEN',
    message: role === 'viewer' ? 'This device is view only: it can look, not change anything.' : 'Only the computer Holdfast runs on can do that.',
  });
}

export type Commands = typeof commands;
export type CommandName = keyof Commands;
export type CommandInput<K extends CommandName> = z.input<Commands[K]['input']>;
export type CommandOutput<K extends CommandName> = z.output<Commands[K]['output']>;

export type Notifications = typeof notifications;
export type NotificationName = keyof Notifications;
export type NotificationInput<K extends NotificationName> = z.input<Notifications[K]['input']>;
export type NotificationPayload<K extends NotificationName> = z.output<Notifications[K]['input']>;

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
  /** `onSize`: a tmux pane's new size, in order with its output (shared/geometry.ts). */
  subscribePane(paneId: string, onData: (data: Uint8Array) => void, onSize?: (size: PaneSize) => void): IDisposable;
}

/** Who a connected view is, as its bridge knows it. */
export interface ClientInfo {
  /** A desktop window (Electron), a page of the web host, or a paired device. */
  kind: 'window' | 'page' | 'device';
  /** For logs and the devices list. */
  label?: string;
  /** A paired device: which one (Revoke closes its sockets). */
  deviceId?: string;
  /** A view-only device: it sees everything and types nothing. */
  viewOnly?: boolean;
}

/** Where core sends what one view should get: events for everyone, and the output of the panes it subscribed to. */
export interface IClientSink {
  event(name: EventName, payload: unknown): void;
  paneData(paneId: string, data: Uint8Array): void;
  /** A tmux pane's new size, in order with its output: beside the bytes, never in them. */
  paneSize(paneId: string, size: PaneSize): void;
}

/**
 * One connected view as core sees it. A bridge makes one per view (a window, a page) and routes everything that
 * view sends through it: core knows which panes it holds and which it subscribed to, and releases them when it
 * goes. Input is already validated by the bridge (app/shared/bridge.ts).
 */
export interface IClientConnection extends IDisposable {
  readonly clientId: string;
  handle<K extends CommandName>(name: K, input: z.output<Commands[K]['input']>): Promise<CommandOutput<K>>;
  notify<K extends NotificationName>(name: K, input: NotificationPayload<K>): void;
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
  const result = notifications[name].input.safeParse(input);
  return result.success ? { name, input: result.data } : undefined;
}

export function parseEventPayload<K extends EventName>(name: K, payload: unknown): EventPayload<K> {
  return events[name].parse(payload) as EventPayload<K>;
}
