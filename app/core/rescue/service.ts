// Rescue across a host's life: what the last listing found, the agents seen before (so that Resume in tmux is offered
// once a drop killed them), the checks and the exact commands, and the commands run only when the user clicks.
import { HoldfastError } from '../../shared/contract';
import type { RescueAction, RescuePlan, RescueScan, UnprotectedProcess } from '../../shared/model';
import type { ISshConnection } from '../interfaces';
import { parseNewSession } from '../tmux/sessions';
import { DEFAULT_RESUME_COMMANDS, moveCheckCommand, parseMoveCheck, parseScan, reptyrProgram, rescueSessionCommand, rescueSessionName, scanCommand } from './rescue';

interface Remembered {
  agent: string;
  cwd?: string;
  lastSeenAt: number;
  pid: number;
}

export interface RescueOptions {
  now(): number;
  /** The user's extra names and resume commands (settings). */
  extraNames(): readonly string[];
  resumeCommands(): Readonly<Record<string, string>>;
}

export class RescueService {
  /** Per host: the processes of the last listing, and agents seen (by agent and directory). */
  private readonly _last = new Map<string, UnprotectedProcess[]>();
  private readonly _seen = new Map<string, Map<string, Remembered>>();

  constructor(private readonly _options: RescueOptions) {}

  /** Lists the host's unprotected programs (one bounded command), and the agents seen before that are gone. */
  async scan(hostId: string, connection: ISshConnection): Promise<RescueScan> {
    const result = await connection.exec(scanCommand(), { timeoutMs: 8000 });
    const { supported, processes } = parseScan(result.stdout, { extraNames: this._options.extraNames() });
    this._last.set(hostId, processes);
    const seen = this._seen.get(hostId) ?? new Map<string, Remembered>();
    this._seen.set(hostId, seen);
    const now = this._options.now();
    for (const p of processes) if (p.agent) seen.set(`${p.agent} ${p.cwd ?? ''}`, { agent: p.agent, ...(p.cwd ? { cwd: p.cwd } : {}), lastSeenAt: now, pid: p.pid });
    const live = new Set(processes.map((p) => p.pid));
    const gone = [...seen.values()].filter((r) => !live.has(r.pid)).map((r) => ({ agent: r.agent, ...(r.cwd ? { cwd: r.cwd } : {}), lastSeenAt: r.lastSeenAt }));
    return { supported, processes, gone, ...(supported ? {} : { note: 'This server gave no process list Holdfast can read (a ps without etimes, such as macOS’s): programs outside tmux are not looked for there.' }) };
  }

  /** What the action would run, and what stands in its way; nothing runs on the server but the checks. */
  async plan(hostId: string, connection: ISshConnection, action: RescueAction): Promise<RescuePlan> {
    if (action.kind === 'move') {
      const process = this._process(hostId, action.pid);
      const check = parseMoveCheck((await connection.exec(moveCheckCommand(action.pid), { timeoutMs: 8000 })).stdout);
      const sessionName = rescueSessionName(process.agent ?? process.command, process.cwd);
      const program = reptyrProgram(action.pid);
      return { ...check, sessionName, program, command: `tmux new-session -d -s ${sessionName}${process.cwd ? ` -c ${process.cwd}` : ''} '${program}'` };
    }
    const resume = this._resumeCommand(action.agent);
    if (!resume) return { ok: false, problems: [`Holdfast does not know how ${action.agent} resumes (add it to resumeCommands in the settings).`], sessionName: '', program: '', command: '' };
    const sessionName = rescueSessionName(action.agent, action.cwd);
    return { ok: true, problems: [], sessionName, program: resume, command: `tmux new-session -d -s ${sessionName}${action.cwd ? ` -c ${action.cwd}` : ''} '${resume}'` };
  }

  /** Runs the action (the user clicked): a new tmux session running reptyr or the resume command. */
  async run(hostId: string, connection: ISshConnection, action: RescueAction): Promise<{ sessionId: string; sessionName: string }> {
    const plan = await this.plan(hostId, connection, action);
    if (!plan.ok) throw new HoldfastError({ code: 'VALIDATION', message: plan.problems.join(' '), ...(plan.hint ? { hint: plan.hint } : {}) });
    const cwd = action.kind === 'move' ? this._process(hostId, action.pid).cwd : action.cwd;
    // A name already taken gets a number.
    for (let n = 1; n <= 20; n++) {
      const name = n === 1 ? plan.sessionName : `${plan.sessionName}-${n}`;
      const result = await connection.exec(rescueSessionCommand(name, cwd, plan.program), { timeoutMs: 8000 });
      if (result.code === 0) {
        const made = parseNewSession(result);
        return { sessionId: made.id, sessionName: made.name };
      }
      if (!/duplicate session/i.test(result.stderr)) throw new HoldfastError({ code: 'VALIDATION', message: `tmux could not start the session: ${result.stderr.trim().slice(0, 300)}` });
    }
    throw new HoldfastError({ code: 'VALIDATION', message: `Every name like ${plan.sessionName} is taken.` });
  }

  private _process(hostId: string, pid: number): UnprotectedProcess {
    const process = this._last.get(hostId)?.find((p) => p.pid === pid);
    if (!process) throw new HoldfastError({ code: 'NOT_FOUND', message: 'That process is not in the last listing: refresh the host.' });
    return process;
  }

  private _resumeCommand(agent: string): string | undefined {
    return this._options.resumeCommands()[agent] ?? DEFAULT_RESUME_COMMANDS[agent];
  }
}
