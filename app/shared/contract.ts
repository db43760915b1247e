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
  TmuxSession,
} from './model';

const Empty = z.object({}).strict();
const Void = z.undefined();
const Cols = z.number().int().min(2).max(1000);
const Rows = z.number().int().min(1).max(1000);
/** Raw terminal bytes. Output is batched and never split inside a UTF-8 character. */
export const Bytes = z.custom<Uint8Array>((value) => value instanceof Uint8Array, 'Expected bytes');

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
  'panes.write': command(z.object({ paneId: PaneId, data: z.string().max(1 << 20) }), Void),
  'panes.resize': command(z.object({ paneId: PaneId, cols: Cols, rows: Rows }), Void),
  /** The view processed `bytes` more bytes of this pane's output (flow control). */
  'panes.ack': command(z.object({ paneId: PaneId, bytes: z.number().int().min(0) }), Void),
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

  'import.preview': command(z.object({ path: z.string().max(4096).optional() }), ImportPreview),
  'import.apply': command(z.object({ candidates: z.array(ImportCandidate) }), z.array(HostProfile)),
} as const;

export const events = {
  'pane.data': z.object({ paneId: PaneId, data: Bytes }),
  'pane.state': z.object({ paneId: PaneId, state: PaneState, error: HoldfastErrorData.optional(), message: z.string().optional(), exit: CommandExit.optional() }),
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

export type Events = typeof events;
export type EventName = keyof Events;
export type EventPayload<K extends EventName> = z.output<Events[K]>;

/** What a command returns over any bridge. */
export type CommandResult<T> = { ok: true; value: T } | { ok: false; error: HoldfastErrorData };

/**
 * The API the renderer sees as `window.holdfast`, whichever bridge carries it.
 * `call` runs a command; `listen` subscribes to an event and returns a disposable.
 */
export interface IHoldfastApi {
  call<K extends CommandName>(name: K, input: CommandInput<K>): Promise<CommandOutput<K>>;
  listen<K extends EventName>(name: K, listener: (payload: EventPayload<K>) => void): IDisposable;
}

/** What core implements; bridges route messages to it. Input is already validated by the bridge. */
export interface IHoldfastHandlers {
  handle<K extends CommandName>(name: K, input: z.output<Commands[K]['input']>): Promise<CommandOutput<K>>;
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

export function parseEventPayload<K extends EventName>(name: K, payload: unknown): EventPayload<K> {
  return events[name].parse(payload) as EventPayload<K>;
}
