// The nouns of Holdfast, as zod schemas: every value that crosses a process boundary is one of these.
import { z } from 'zod';

export const HostId = z.string().min(1).max(200);
export const PaneId = z.string().min(1).max(200);
export const PromptId = z.string().min(1).max(200);

/** A tmux session name as tmux accepts it: no ':' or '.', which tmux uses as target separators. */
export const SessionName = z
  .string()
  .trim()
  .min(1, 'Session name is required')
  .max(100, 'Session name is too long')
  .refine((s) => !/[:.]/.test(s), 'Session name cannot contain ":" or "."');

/** A name for a session Holdfast makes: tmux would read a first `$`, `@` or `%` as an id. */
export const NewSessionName = SessionName.refine((s) => !/^[$@%]/.test(s), 'Session name cannot start with $, @ or %');

export const KeepaliveSettings = z.object({
  /** Seconds between keepalive probes (OpenSSH's ServerAliveInterval). */
  intervalSec: z.number().int().min(1).max(3600),
  /** Unanswered probes before the link is declared dead (ServerAliveCountMax). */
  countMax: z.number().int().min(1).max(100),
});
export type KeepaliveSettings = z.infer<typeof KeepaliveSettings>;

/**
 * Detects a silent link in 6–9 s (ssh2 gives up (countMax + 1) × interval after the last answer); a key typed with no
 * echo is noticed sooner (EchoWatchdog).
 */
export const DEFAULT_KEEPALIVE: KeepaliveSettings = { intervalSec: 3, countMax: 2 };

export const ThemeName = z.enum(['dark', 'light', 'high-contrast']);
export type ThemeName = z.infer<typeof ThemeName>;

/** How a pane attaches: tmux control mode where the server's tmux allows it (auto), always, or never (classic). */
export const TmuxMode = z.enum(['auto', 'control', 'classic']);
export type TmuxMode = z.infer<typeof TmuxMode>;

export const AuthMethod = z.enum(['agent', 'publickey', 'keyboard-interactive', 'password']);
export type AuthMethod = z.infer<typeof AuthMethod>;

/** What the Add host / Edit host form sends. Field-level checks that need the file system run in core. */
export const HostProfileInput = z.object({
  id: HostId.optional(),
  name: z.string().trim().min(1, 'Name is required').max(200),
  host: z.string().trim().min(1, 'Host is required').max(255).refine((h) => !/\s/.test(h), 'Host cannot contain spaces'),
  port: z.coerce
    .number({ error: 'Port must be a number' })
    .int('Port must be a whole number')
    .min(1, 'Port must be between 1 and 65535')
    .max(65535, 'Port must be between 1 and 65535')
    .default(22),
  user: z.string().trim().min(1, 'User is required').max(255),
  privateKeyPath: z.string().trim().max(4096).optional(),
  /** A password typed in the form; stored only through the secret store, never in the profile. */
  password: z.string().max(4096).optional(),
  rememberPassword: z.boolean().optional(),
  jumpHostId: HostId.optional(),
  /** Extra hops before jumpHostId's own chain, as "user@host:port" strings (ProxyJump). */
  proxyJump: z.string().trim().max(2000).optional(),
  authOrder: z.array(AuthMethod).optional(),
  keepalive: KeepaliveSettings.optional(),
  tags: z.array(z.string().trim().min(1).max(50)).max(50).optional(),
  /** This host's own colour theme (a production server in red, say); the app's theme when absent. */
  theme: ThemeName.optional(),
  /** How this host's panes attach; the setting for new hosts when absent. */
  tmuxMode: TmuxMode.optional(),
});
export type HostProfileInput = z.input<typeof HostProfileInput>;

export const HostProfile = z.object({
  id: HostId,
  name: z.string(),
  host: z.string(),
  port: z.number().int(),
  user: z.string(),
  privateKeyPath: z.string().optional(),
  /** True when a password is remembered in the secret store for this host. */
  hasPassword: z.boolean(),
  jumpHostId: HostId.optional(),
  proxyJump: z.string().optional(),
  authOrder: z.array(AuthMethod).optional(),
  keepalive: KeepaliveSettings,
  tags: z.array(z.string()),
  theme: ThemeName.optional(),
  tmuxMode: TmuxMode.optional(),
  importedFrom: z.string().optional(),
  createdAt: z.number(),
  updatedAt: z.number(),
});
export type HostProfile = z.infer<typeof HostProfile>;

/** tmux's id of a session: `$` and a number, stable while the session lives (unlike its name). */
export const SessionId = z.string().regex(/^\$\d+$/, 'Not a tmux session id');

export const TmuxSession = z.object({
  id: SessionId,
  name: z.string(),
  windows: z.number().int(),
  /** Number of clients attached right now (0 = detached). */
  attachedClients: z.number().int(),
  /** Last activity, epoch milliseconds. */
  lastActivity: z.number(),
  created: z.number(),
});
export type TmuxSession = z.infer<typeof TmuxSession>;

export const ErrorCode = z.enum([
  'VALIDATION',
  'CONNECTION_REFUSED',
  'HOST_NOT_FOUND',
  'TIMEOUT',
  'NETWORK',
  'AUTH_FAILED',
  'HOST_KEY_REJECTED',
  'HOST_KEY_CHANGED',
  'HOST_KEY_REVOKED',
  'TMUX_MISSING',
  'SESSION_GONE',
  'NOT_FOUND',
  'CANCELLED',
  /** Too much at once from one client (calls in flight); try again once some have answered. */
  'BUSY',
  /** What the user acted on changed meanwhile (a prompt answered elsewhere): nothing was done. */
  'STALE',
  /** This view may not do that (a view-only device, a paired device asking for the computer's own things). */
  'FORBIDDEN',
  'INTERNAL',
]);
export type ErrorCode = z.infer<typeof ErrorCode>;

export const HoldfastErrorData = z.object({
  code: ErrorCode,
  message: z.string(),
  /** What the user can do about it, e.g. how to install tmux. */
  hint: z.string().optional(),
  /** Per-field messages for VALIDATION errors, keyed by field name. */
  fields: z.record(z.string(), z.string()).optional(),
});
export type HoldfastErrorData = z.infer<typeof HoldfastErrorData>;

export const HostState = z.enum(['idle', 'connecting', 'connected', 'reconnecting', 'waiting-network', 'failed']);
export type HostState = z.infer<typeof HostState>;

export const HostStatus = z.object({
  hostId: HostId,
  state: HostState,
  /** Reconnect attempt number, from 1, while reconnecting. */
  attempt: z.number().int().optional(),
  /** Epoch ms of the next automatic try, while reconnecting. */
  nextRetryAt: z.number().optional(),
  error: HoldfastErrorData.optional(),
});
export type HostStatus = z.infer<typeof HostStatus>;

/** `exited`: the command a session was made with ended at once (its window is kept so its output can be read). */
export const PaneState = z.enum(['attaching', 'attached', 'reconnecting', 'session-gone', 'exited', 'failed', 'closed']);
export type PaneState = z.infer<typeof PaneState>;

/** How a session's start command ended, and its last lines of output. */
export const CommandExit = z.object({
  /** Its exit status, when tmux learned it (a command that ends at once sometimes leaves none). */
  status: z.number().int().optional(),
  signal: z.string().optional(),
  /** The last lines it printed, as text. */
  output: z.string(),
});
export type CommandExit = z.infer<typeof CommandExit>;

/** One cell of a tmux window's layout: a pane, or cells side by side (row), stacked (column) or floating (tmux 3.7). */
export type LayoutNode =
  | { kind: 'pane'; paneId: string; width: number; height: number; x: number; y: number }
  | { kind: 'row' | 'column' | 'floating'; width: number; height: number; x: number; y: number; children: LayoutNode[] };

export const LayoutNode: z.ZodType<LayoutNode> = z.lazy(() =>
  z.union([
    z.object({ kind: z.literal('pane'), paneId: z.string().regex(/^%\d+$/), width: z.number().int(), height: z.number().int(), x: z.number().int(), y: z.number().int() }),
    z.object({
      kind: z.enum(['row', 'column', 'floating']),
      width: z.number().int(),
      height: z.number().int(),
      x: z.number().int(),
      y: z.number().int(),
      children: z.array(LayoutNode).max(256),
    }),
  ]),
);

/** One tmux pane of a session, as tmux lists it. */
export const TmuxPaneInfo = z.object({
  id: z.string().regex(/^%\d+$/),
  /** What runs in it now (tmux's pane_current_command). */
  command: z.string(),
  title: z.string(),
  active: z.boolean(),
  width: z.number().int(),
  height: z.number().int(),
});
export type TmuxPaneInfo = z.infer<typeof TmuxPaneInfo>;

/** One tmux window of a session: a sub-tab, with its layout as a tree of panes. */
export const TmuxWindowInfo = z.object({
  id: z.string().regex(/^@\d+$/),
  index: z.number().int(),
  name: z.string(),
  active: z.boolean(),
  zoomed: z.boolean(),
  /** Output since it was last looked at (tmux's window_activity_flag), or a bell. */
  activity: z.boolean(),
  bell: z.boolean(),
  layout: LayoutNode,
  panes: z.array(TmuxPaneInfo),
});
export type TmuxWindowInfo = z.infer<typeof TmuxWindowInfo>;

/** A control-mode pane's session: its windows (in index order), and the size tmux gives it. */
export const SessionLayout = z.object({
  windows: z.array(TmuxWindowInfo),
  /** The size Holdfast asked for (refresh-client -C), and the active window's: smaller when another client limits it. */
  clientSize: z.object({ cols: z.number().int(), rows: z.number().int() }).optional(),
});
export type SessionLayout = z.infer<typeof SessionLayout>;

const TmuxPaneId = z.string().regex(/^%\d+$/);
const TmuxWindowId = z.string().regex(/^@\d+$/);

/** What the user does to a control-mode session's windows and panes; Holdfast does it in tmux. */
export const TmuxAction = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('new-window') }),
  z.object({ kind: z.literal('split'), target: TmuxPaneId, direction: z.enum(['right', 'down']) }),
  z.object({ kind: z.literal('close-pane'), target: TmuxPaneId }),
  z.object({ kind: z.literal('close-window'), window: TmuxWindowId }),
  z.object({ kind: z.literal('rename-window'), window: TmuxWindowId, name: z.string().trim().min(1).max(200) }),
  z.object({ kind: z.literal('select-window'), window: TmuxWindowId }),
  z.object({ kind: z.literal('select-pane'), target: TmuxPaneId }),
  z.object({ kind: z.literal('zoom'), target: TmuxPaneId }),
  z.object({ kind: z.literal('resize-pane'), target: TmuxPaneId, cols: z.number().int().min(1).max(1000).optional(), rows: z.number().int().min(1).max(1000).optional() }),
]);
export type TmuxAction = z.infer<typeof TmuxAction>;

export const PaneInfo = z.object({
  paneId: PaneId,
  hostId: HostId,
  sessionName: z.string(),
  /** The session's tmux id, once known; the pane targets the session by it. */
  sessionId: SessionId.optional(),
  /** The command a recreated session starts with, e.g. "claude --continue". */
  startCommand: z.string().optional(),
  state: PaneState,
  /** How the pane is attached: tmux control mode (the session's output is the terminal's scrollback) or classic. */
  mode: z.enum(['control', 'classic']).optional(),
  /** Why a pane in auto mode attached the classic way (an old tmux…). */
  modeNote: z.string().optional(),
  /** In control mode: the session's windows and their panes, laid out as tmux has them. */
  layout: SessionLayout.optional(),
  /** Set while `exited`. */
  exit: CommandExit.optional(),
});
export type PaneInfo = z.infer<typeof PaneInfo>;

const PromptBase = { promptId: PromptId, hostId: HostId.optional(), host: z.string(), port: z.number().int() };

export const HostKeyPrompt = z.object({
  ...PromptBase,
  kind: z.literal('host-key'),
  keyType: z.string(),
  /** As OpenSSH prints it: "SHA256:" + unpadded base64 of the key's SHA-256. */
  fingerprint: z.string(),
  /**
   * Keys of other types already trusted for this host. The server offers none of them now: a server that dropped
   * a key type, or someone in the middle who has only a key of another type. Accepting takes a deliberate act.
   */
  otherKeys: z.array(z.object({ keyType: z.string(), fingerprint: z.string(), source: z.string() })).optional(),
});
export const SecretPrompt = z.object({
  ...PromptBase,
  kind: z.enum(['password', 'passphrase']),
  user: z.string(),
  /** The key file, for passphrase prompts. */
  keyPath: z.string().optional(),
  /** Set when the previous answer was wrong. */
  retry: z.boolean().optional(),
  /** Whether the answer can be remembered; in the web host (AppInfo.secretsPersist false) only until it stops. */
  canRemember: z.boolean(),
});
export const KeyboardInteractivePrompt = z.object({
  ...PromptBase,
  kind: z.literal('keyboard-interactive'),
  user: z.string(),
  name: z.string(),
  instructions: z.string(),
  prompts: z.array(z.object({ prompt: z.string(), echo: z.boolean() })),
});
export const Prompt = z.discriminatedUnion('kind', [HostKeyPrompt, SecretPrompt, KeyboardInteractivePrompt]);
export type Prompt = z.infer<typeof Prompt>;

export const PromptAnswer = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('cancel') }),
  z.object({ kind: z.literal('host-key'), remember: z.boolean() }),
  z.object({ kind: z.literal('secret'), value: z.string().max(4096), remember: z.boolean() }),
  z.object({ kind: z.literal('keyboard-interactive'), responses: z.array(z.string().max(4096)) }),
]);
export type PromptAnswer = z.infer<typeof PromptAnswer>;

export const ImportCandidate = z.object({
  /** The Host alias from ssh_config; becomes the profile name. */
  alias: z.string(),
  host: z.string(),
  port: z.number().int(),
  user: z.string(),
  privateKeyPath: z.string().optional(),
  proxyJump: z.string().optional(),
  keepalive: KeepaliveSettings.optional(),
  /** True when a profile with the same alias already exists: importing again adds no duplicate. */
  alreadyImported: z.boolean(),
  /** Directives Holdfast does not apply, listed rather than dropped silently. */
  unsupported: z.array(z.string()),
});
export type ImportCandidate = z.infer<typeof ImportCandidate>;

export const ImportPreview = z.object({
  sourcePath: z.string(),
  candidates: z.array(ImportCandidate),
  warnings: z.array(z.string()),
});
export type ImportPreview = z.infer<typeof ImportPreview>;

export const Notice = z.object({
  level: z.enum(['info', 'warning', 'error']),
  message: z.string(),
});
export type Notice = z.infer<typeof Notice>;

export const AppInfo = z.object({
  version: z.string(),
  shell: z.enum(['electron', 'web']),
  /** Whether remembered secrets survive a restart (Electron safeStorage) or live in memory only (web host). */
  secretsPersist: z.boolean(),
  platform: z.string(),
  /** This view is a paired device (not the desktop's own): its name, and whether it may type. */
  device: z.object({ name: z.string(), viewOnly: z.boolean() }).optional(),
  /** Whether this view can pair devices (the desktop's own views, where a companion runs). */
  canPair: z.boolean().optional(),
});
export type AppInfo = z.infer<typeof AppInfo>;

/**
 * The app's settings: terminal, appearance, behaviour, and defaults for new hosts. Every field has a default, so a
 * settings file from an older or newer version (missing or extra fields) still reads.
 */
export const Settings = z.object({
  /** A CSS font-family list; empty for the built-in list of monospace fonts. */
  fontFamily: z.string().max(300).default(''),
  fontSize: z.number().int().min(6).max(40).default(13),
  lineHeight: z.number().min(1).max(2).default(1.15),
  cursorStyle: z.enum(['block', 'bar', 'underline']).default('block'),
  cursorBlink: z.boolean().default(true),
  theme: ThemeName.default('dark'),
  /** Lines of scrollback each terminal keeps. */
  scrollback: z.number().int().min(0).max(100_000).default(10_000),
  copyOnSelect: z.boolean().default(false),
  /** `auto`: on, except on macOS, where the right button opens the context menu. */
  rightClickPaste: z.enum(['auto', 'on', 'off']).default('auto'),
  bell: z.enum(['sound', 'visual', 'none']).default('visual'),
  /**
   * Holdfast's own keyboard shortcuts (copy, paste, find, zoom, switching tabs). Off: every key goes to the
   * terminal, and the same actions stay in the menus and buttons.
   */
  shortcuts: z.boolean().default(true),
  /** For new hosts: keepalive, and how their panes attach. */
  defaultKeepalive: KeepaliveSettings.default(DEFAULT_KEEPALIVE),
  defaultTmuxMode: TmuxMode.default('auto'),
  /** Lines of tmux's history a control-mode pane fetches into its scrollback when it attaches. */
  tmuxHistoryLines: z.number().int().min(0).max(50_000).default(2000),
  /** Desktop notifications (a pane waits, a bell, a program's own notification, a watched session went quiet). */
  notifications: z.boolean().default(true),
  /** The user's own "waiting" patterns: a regular expression for the line a waiting program leaves at the cursor. */
  waitPatterns: z.array(z.object({ name: z.string().trim().min(1).max(100), regex: z.string().min(1).max(500) })).max(50).default([]),
  /** Per session ("hostId/sessionName"): no notifications, or also one when it goes quiet after activity. */
  sessionAlerts: z.record(z.string().max(400), z.enum(['mute', 'watch'])).default({}),
  /** Rescue: more program names to look for outside tmux, and each agent's resume command (claude: "claude --continue"). */
  rescueNames: z.array(z.string().trim().min(1).max(60)).max(50).default([]),
  resumeCommands: z.record(z.string().max(60), z.string().max(500)).default({}),
});
export type Settings = z.infer<typeof Settings>;
export const DEFAULT_SETTINGS: Settings = Settings.parse({});
/** A change to some settings; the rest stay as they are. */
export const SettingsPatch = Settings.partial();
export type SettingsPatch = z.infer<typeof SettingsPatch>;

/** A view's own id, kept across its reloads (a browser tab's sessionStorage, an Electron window's). */
export const ViewId = z.string().min(8).max(100);

/** A view's tabs, as core gives them back: the panes it holds, in order. */
export const Workspace = z.object({
  /** The id the view goes by from now on: the one it asked with, or a new one if another live view has that. */
  viewId: ViewId,
  panes: z.array(PaneInfo),
  /** The pane of the active tab. */
  activePaneId: PaneId.optional(),
});
export type Workspace = z.infer<typeof Workspace>;

export const WorkspaceSave = z.object({
  viewId: ViewId,
  /** The view's tabs, in order, by pane. */
  paneIds: z.array(PaneId).max(200),
  activePaneId: PaneId.optional(),
});
export type WorkspaceSave = z.infer<typeof WorkspaceSave>;

/** A choice a quick answer can make (the keys stay in core). */
export const NeedsChoice = z.object({ label: z.string() });

/** A pane that waits for its user, on any connected host, open in a tab or not. */
export const NeedsItem = z.object({
  id: z.string(),
  hostId: HostId,
  hostName: z.string(),
  sessionId: z.string(),
  sessionName: z.string(),
  windowIndex: z.number().int(),
  windowName: z.string(),
  /** The tmux pane (%5). */
  tmuxPane: z.string(),
  /** When it started waiting (epoch ms); kept across a reconnect. */
  since: z.number(),
  /**
   * False while its host reconnects: the prompt was waiting when the link went and is kept, with its time, until the
   * host is read again. Not answerable meanwhile.
   */
  current: z.boolean(),
  /** Which pattern recognised it (claude-permission, yes-no, password, …). */
  pattern: z.string(),
  question: z.string(),
  /** The whole prompt region as the screen shows it, row by row: what an answer approves (the command, the diff). */
  lines: z.array(z.string()),
  /** Quick answers, in order; empty when only Open will do. */
  choices: z.array(NeedsChoice),
  /** What the prompt showed when listed: an answer is sent only while it still shows the same. */
  fingerprint: z.string(),
});
export type NeedsItem = z.infer<typeof NeedsItem>;

/** Something that calls for the user: a desktop notification, unless muted, recent, or already in view. */
export const Attention = z.object({
  id: z.string(),
  kind: z.enum(['waiting', 'bell', 'notification', 'quiet']),
  hostId: HostId,
  hostName: z.string(),
  sessionId: z.string().optional(),
  sessionName: z.string(),
  tmuxPane: z.string().optional(),
  title: z.string(),
  body: z.string(),
});
export type Attention = z.infer<typeof Attention>;

/** Marks on a session in the sidebar: a pane waits, a bell rang, output since it was last seen. */
export const SessionMarks = z.object({
  hostId: HostId,
  sessionId: z.string(),
  waiting: z.boolean(),
  bell: z.boolean(),
  activity: z.boolean(),
  /** Time the session's prompts waited for the user today (this computer's day), prompts still waiting not counted. */
  waitedTodayMs: z.number().min(0),
});
export type SessionMarks = z.infer<typeof SessionMarks>;

/** Who answered a prompt: this computer (a window or a page of it) or a paired device, by its name. */
export const TimelineDevice = z.object({ kind: z.enum(['window', 'page', 'device']), label: z.string() });
export type TimelineDevice = z.infer<typeof TimelineDevice>;

const TimelineWhere = {
  /** Its own id, unique in the log. */
  id: z.string(),
  /** When it was written (epoch ms): a prompt's end, an answer's moment. */
  at: z.number(),
  hostId: HostId,
  hostName: z.string(),
  sessionId: z.string(),
  sessionName: z.string(),
  tmuxPane: z.string(),
};

/** A prompt that waited for the user: where, what it showed, when it began and how long it waited. */
export const TimelinePrompt = z.object({
  kind: z.literal('prompt'),
  ...TimelineWhere,
  /** The Needs you item it was (hostId|%pane). */
  itemId: z.string(),
  pattern: z.string(),
  question: z.string(),
  /** The whole prompt region as it was shown. */
  prompt: z.array(z.string()),
  began: z.number(),
  ended: z.number(),
  waitedMs: z.number().min(0),
  /** Answered through Holdfast, or gone by itself (answered in the terminal, the program moved on, the pane ended). */
  outcome: z.enum(['answered', 'gone']),
});
export type TimelinePrompt = z.infer<typeof TimelinePrompt>;

/** A quick answer: which prompt, which choice, from which device, when (`at`). */
export const TimelineAnswer = z.object({
  kind: z.literal('answer'),
  ...TimelineWhere,
  itemId: z.string(),
  pattern: z.string(),
  question: z.string(),
  prompt: z.array(z.string()),
  /** The choice's own words. */
  choice: z.string(),
  device: TimelineDevice,
});
export type TimelineAnswer = z.infer<typeof TimelineAnswer>;

/** One entry of the Timeline (more kinds will come: outages, sessions made and ended, rescues). */
export const TimelineEntry = z.discriminatedUnion('kind', [TimelinePrompt, TimelineAnswer]);
export type TimelineEntry = z.infer<typeof TimelineEntry>;

/** A paired device (a phone, a tablet, another browser): its own token, never the owner's. */
export const Device = z.object({
  id: z.string(),
  name: z.string(),
  createdAt: z.number(),
  lastSeenAt: z.number(),
  /** Sees everything, types nothing. */
  viewOnly: z.boolean(),
});
export type Device = z.infer<typeof Device>;

/** Where the companion listens for paired devices. */
export const CompanionListen = z.enum(['loopback', 'lan', 'tailscale']);
export type CompanionListen = z.infer<typeof CompanionListen>;

/** A pairing in progress: the link (and its QR code) a device opens, once, before it expires. */
export const Pairing = z.object({
  url: z.string(),
  /** The QR code of `url`, as SVG. */
  qrSvg: z.string(),
  expiresAt: z.number(),
  listen: CompanionListen,
  viewOnly: z.boolean(),
  /** Over HTTPS: the certificate's SHA-256 fingerprint, to compare with what the device's browser shows. */
  fingerprint: z.string().optional(),
});
export type Pairing = z.infer<typeof Pairing>;

/** Where a device could be reached from: which choices this computer has. */
export const CompanionOptions = z.object({
  tailscale: z.string().optional(),
  lan: z.array(z.string()),
});
export type CompanionOptions = z.infer<typeof CompanionOptions>;

/** A program of the user running in a bare SSH terminal (not in tmux): the next drop would kill it. */
export const UnprotectedProcess = z.object({
  pid: z.number().int(),
  tty: z.string(),
  command: z.string(),
  args: z.string(),
  elapsedSec: z.number(),
  /** Its working directory, where the server tells (/proc). */
  cwd: z.string().optional(),
  /** The agent it is (claude, codex…), when known. */
  agent: z.string().optional(),
});
export type UnprotectedProcess = z.infer<typeof UnprotectedProcess>;

/** Move a running program into tmux (reptyr), or start an agent's resume command in tmux. */
export const RescueAction = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('move'), pid: z.number().int().positive() }),
  z.object({ kind: z.literal('resume'), agent: z.string().min(1).max(60), cwd: z.string().max(4096).optional() }),
]);
export type RescueAction = z.infer<typeof RescueAction>;

/** What an action would run, and what stands in its way (checked on the server, nothing run yet). */
export const RescuePlan = z.object({
  ok: z.boolean(),
  problems: z.array(z.string()),
  /**
   * Move into tmux: the processes that share the program's process group, as a rule its children (an agent's tool
   * call, its MCP servers). reptyr cannot take it over while there are any: not ok, and nothing else may be in the
   * way (`problems` empty), so that the view can wait for them to end.
   */
  children: z.array(z.object({ pid: z.number().int(), command: z.string() })),
  hint: z.string().optional(),
  sessionName: z.string(),
  /** What runs inside the new session (also its start command: shown if it ends at once, and what Recreate runs). */
  program: z.string(),
  /** Exactly the command line sent to the server, shown before it runs; rescue.run sends it only if it still is. */
  command: z.string(),
});
export type RescuePlan = z.infer<typeof RescuePlan>;

export const RescueScan = z.object({
  /** False where the server's process list cannot be read (then nothing is listed, and `note` says why). */
  supported: z.boolean(),
  processes: z.array(UnprotectedProcess),
  /** Agents seen outside tmux before that are gone now (a drop killed them): Resume in tmux. */
  gone: z.array(z.object({ agent: z.string(), cwd: z.string().optional(), lastSeenAt: z.number() })),
  note: z.string().optional(),
});
export type RescueScan = z.infer<typeof RescueScan>;

