// What of Holdfast still runs on a test server: every process of the test user except tmux servers and what runs in
// their panes (the user's own work, which is meant to outlive Holdfast), sshd's own processes, and the command that
// looks. Used after a connection ended (quit, killed, cut) to check that nothing Holdfast started stayed behind.

interface Proc {
  pid: number;
  ppid: number;
  args: string;
}

/** `runAsUser` runs a shell command as the test user and returns its stdout (TestSshd.runAsUser). */
export function holdfastLeftovers(runAsUser: (command: string) => string): string[] {
  const out = runAsUser('echo "self $$"; ps -u "$(id -u)" -o pid= -o ppid= -o args=');
  const self = Number(/^self (\d+)$/m.exec(out)?.[1]);
  const procs: Proc[] = [];
  for (const line of out.split('\n')) {
    const m = /^\s*(\d+)\s+(\d+)\s+(.*)$/.exec(line);
    if (m) procs.push({ pid: Number(m[1]), ppid: Number(m[2]), args: m[3]! });
  }
  const byPid = new Map(procs.map((p) => [p.pid, p]));
  // A tmux server daemonizes from the command that started it (new-session, start-server): its parent is init.
  const isServer = (p: Proc) => p.ppid === 1 && /^tmux\b/.test(p.args) && /\b(new-session|new|start-server|start)\b/.test(p.args) && !/\battach/.test(p.args);
  const spared = (p: Proc): boolean => {
    // sshd's own processes, not what they run (a remote command is a child of sshd's session process).
    if (/^sshd\b/.test(p.args)) return true;
    for (let cur: Proc | undefined = p, hops = 0; cur && hops < 64; cur = byPid.get(cur.ppid), hops++) {
      if (cur.pid === self || isServer(cur)) return true;
    }
    return false;
  };
  return procs.filter((p) => !spared(p)).map((p) => `${p.pid} ${p.args}`);
}
