// Rescue across a host's life: what the last listing found, the agents seen before (so that Resume in tmux is offered
// once a drop killed them), the checks and the exact commands, and the commands run only when the user clicks.
import { HoldfastError } from '../../shared/contract';
import type { RescueAction, RescuePlan, RescueScan, UnprotectedProcess } from '../../shared/model';
import type { ISshConnection } from '../interfaces';
import { listSessions, parseNewSession } from '../tmux/sessions';
import { DEFAULT_RESUME_COMMANDS, moveCheckCommand, moveProgram, parseMoveCheck, parseScan, rescueSessionCommand, rescueSessionName, resumeProgram, scanCommand, type ListedProcess } from './rescue';

const EXEC_TIMEOUT_MS = 8000;

/** Longer start commands are not kept with a tab (the workspace keeps 4096 characters): refused in the plan. */
const MAX_PROGRAM_CHARS = 4096;

/** An agent seen outside tmux: the process it was (pid and start time) and where. */
interface Remembered {
  agent: string;
  cwd?: string;
  lastSeenAt: number;
  pid: number;
  started?: string;
  /** It no longer runs at all (a drop killed it, or it was quit): Resume in tmux. */
  gone: boolean;
}

export interface RescueOptions {
  now(): number;
  /** The user's extra names and resume commands (settings). */
  extraNames(): readonly string[];
  resumeCommands(): Readonly<Record<string, string>>;
}

/** What rescue.run made: the session, and the command it runs (for its tab: shown if it ends at once, and Recreate). */
export interface RescueRun {
  sessionId: string;
  sessionName: string;
  startCommand: string;
}

export class RescueService {
  /** Per host: the processes of the last listing, and agents seen (by agent and directory). */
  private readonly _last = new Map<string, ListedProcess[]>();
  private readonly _seen = new Map<string, Map<string, Remembered>>();

  constructor(private readonly _options: RescueOptions) {}

  /** Lists the host's unprotected programs (one bounded command), and the agents seen before that are gone. */
  async scan(hostId: string, connection: ISshConnection): Promise<RescueScan> {
    const result = await connection.exec(scanCommand(), { timeoutMs: EXEC_TIMEOUT_MS });
    const { supported, truncated, processes, running, inTmux } = parseScan(result.stdout, { extraNames: this._options.extraNames() });
    this._last.set(hostId, processes);
    const seen = this._seen.get(hostId) ?? new Map<string, Remembered>();
    this._seen.set(hostId, seen);
    const now = this._options.now();
    const listed = new Set(processes.map((p) => p.pid));
    // Gone means it no longer runs at all. One that runs in tmux now (moved) is protected: forgotten. One that runs
    // and is not listed otherwise is in between (its SSH session just ended, and the hangup has not reached it yet):
    // not gone, and remembered, to be called gone once it has ended.
    for (const [key, r] of seen) {
      if (listed.has(r.pid)) continue;
      const start = running.get(r.pid);
      const runs = running.has(r.pid) && (start === undefined || r.started === undefined || start === r.started);
      if (runs && inTmux.has(r.pid)) seen.delete(key);
      else if (runs) r.gone = false;
      // A cut listing may have missed it: it stays as it was.
      else if (!truncated) r.gone = true;
    }
    for (const p of processes) {
      if (p.agent) seen.set(`${p.agent} ${p.cwd ?? ''}`, { agent: p.agent, ...(p.cwd ? { cwd: p.cwd } : {}), lastSeenAt: now, pid: p.pid, ...(p.started ? { started: p.started } : {}), gone: false });
    }
    const gone = [...seen.values()].filter((r) => r.gone).map((r) => ({ agent: r.agent, ...(r.cwd ? { cwd: r.cwd } : {}), lastSeenAt: r.lastSeenAt }));
    return {
      supported,
      processes: processes.map(contractProcess),
      gone,
      ...(supported ? {} : { note: 'This server gave no process list Holdfast can read (a ps without etimes, such as macOS’s): programs outside tmux are not looked for there.' }),
    };
  }

  /**
   * What the action would run (`command`: exactly what is sent to the server), and what stands in its way; nothing
   * runs on the server but the checks (and a listing of the sessions, for a free name).
   */
  async plan(hostId: string, connection: ISshConnection, action: RescueAction): Promise<RescuePlan> {
    if (action.kind === 'move') {
      const process = this._process(hostId, action.pid);
      const check = parseMoveCheck((await connection.exec(moveCheckCommand(action.pid), { timeoutMs: EXEC_TIMEOUT_MS })).stdout, { pid: process.pid, name: process.command, ...(process.started ? { started: process.started } : {}) });
      const sessionName = await this._freeName(connection, rescueSessionName(process.agent ?? process.command, process.cwd));
      if (process.started === undefined) return { ...check, ok: false, sessionName, program: '', command: '' };
      const program = moveProgram({ pid: process.pid, started: process.started, name: process.command });
      return { ...check, sessionName, program, command: rescueSessionCommand(sessionName, process.cwd, program) };
    }
    const resume = this._resumeCommand(action.agent);
    const none = { ok: false, children: [], sessionName: '', program: '', command: '' };
    if (!resume) return { ...none, problems: [`Holdfast does not know how ${action.agent} resumes (add it to resumeCommands in the settings).`] };
    if (action.cwd !== undefined && !action.cwd.startsWith('/')) return { ...none, problems: [`Not a directory Holdfast can start in: ${action.cwd}`] };
    const program = resumeProgram(resume, action.cwd);
    if (program.length > MAX_PROGRAM_CHARS) return { ...none, problems: ['The directory’s name is too long to keep with the session as its start command.'] };
    const sessionName = await this._freeName(connection, rescueSessionName(action.agent, action.cwd));
    // Resuming one that still runs starts a second agent beside it: said before it happens.
    const live = this._last.get(hostId)?.find((p) => p.agent === action.agent && p.cwd === action.cwd);
    return {
      ok: true,
      problems: [],
      children: [],
      sessionName,
      program,
      command: rescueSessionCommand(sessionName, action.cwd, program),
      ...(live ? { hint: `${action.agent} (pid ${live.pid}) still runs outside tmux in this directory: the resumed one runs beside it. End the old one first if you want only one.` } : {}),
    };
  }

  /**
   * Runs the action (the user clicked): checks again, and sends the command only if it is exactly `shown`, the one
   * the user saw (STALE if it changed: a name taken meanwhile, another process with the pid). The session runs reptyr
   * (which checks once more, right before it takes the process over) or the resume command.
   */
  async run(hostId: string, connection: ISshConnection, action: RescueAction, shown: string): Promise<RescueRun> {
    const plan = await this.plan(hostId, connection, action);
    if (!plan.ok) {
      const why = [...plan.problems, ...(plan.children.length ? [`It runs other programs now (${plan.children.map((c) => `${c.command} ${c.pid}`).join(', ')}): reptyr cannot take it over while they run.`] : [])];
      throw new HoldfastError({ code: 'VALIDATION', message: why.join(' '), ...(plan.hint ? { hint: plan.hint } : {}) });
    }
    if (plan.command !== shown) throw new HoldfastError({ code: 'STALE', message: 'What would run changed since it was shown: nothing was run. Look at the new command.' });
    const result = await connection.exec(plan.command, { timeoutMs: EXEC_TIMEOUT_MS });
    if (result.code !== 0 && /duplicate session/i.test(result.stderr)) {
      throw new HoldfastError({ code: 'STALE', message: `A session named ${plan.sessionName} was made meanwhile: nothing was run. Look at the new command.` });
    }
    const made = parseNewSession(result);
    // Resumed: no longer one to offer as gone.
    if (action.kind === 'resume') this._seen.get(hostId)?.delete(`${action.agent} ${action.cwd ?? ''}`);
    return { sessionId: made.id, sessionName: made.name, startCommand: plan.program };
  }

  private _process(hostId: string, pid: number): ListedProcess {
    const process = this._last.get(hostId)?.find((p) => p.pid === pid);
    if (!process) throw new HoldfastError({ code: 'NOT_FOUND', message: 'That process is not in the last listing: refresh the host.' });
    return process;
  }

  /** `base`, or `base-2`, `base-3`… : the first name no session of the host has. */
  private async _freeName(connection: ISshConnection, base: string): Promise<string> {
    const taken = new Set((await listSessions(connection)).map((s) => s.name));
    for (let n = 1; n <= 50; n++) {
      const name = n === 1 ? base : `${base}-${n}`;
      if (!taken.has(name)) return name;
    }
    throw new HoldfastError({ code: 'VALIDATION', message: `Every name like ${base} is taken.` });
  }

  private _resumeCommand(agent: string): string | undefined {
    return this._options.resumeCommands()[agent] ?? DEFAULT_RESUME_COMMANDS[agent];
  }
}

function contractProcess(p: ListedProcess): UnprotectedProcess {
  return { pid: p.pid, tty: p.tty, command: p.command, args: p.args, elapsedSec: p.elapsedSec, ...(p.cwd ? { cwd: p.cwd } : {}), ...(p.agent ? { agent: p.agent } : {}) };
}
