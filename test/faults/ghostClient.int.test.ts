// A link that dies silently leaves Holdfast's control-mode client on the server: sshd still holds the TCP connection,
// so tmux keeps the client, and tmux holds a program's output back for a client that stopped reading
// (control-mode-verified.md 10c: detach-client cannot remove it). The reattach ends it first, and the program's
// output goes on into the view with nothing repeated.
import headless from '@xterm/headless';
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFaultRig, waitFor, type FaultRig } from './rig';

let rig: FaultRig;
beforeAll(async () => {
  rig = await createFaultRig();
});
afterAll(async () => {
  await rig?.dispose();
});

/** The local port of our one connection to the rig's sshd. */
function clientPort(r: FaultRig): number {
  const out = execFileSync('ss', ['-tnH', 'state', 'established', `( dst ${r.ns.addr} and dport = :${r.server.port} )`], { encoding: 'utf8' });
  const ports = out.split('\n').filter((l) => l.trim()).map((l) => Number(/:(\d+)\s+\S+$/.exec(l.trim())?.[1]));
  if (ports.length !== 1 || !Number.isFinite(ports[0])) throw new Error(`expected one connection, found: ${out}`);
  return ports[0]!;
}

async function ticks(paneId: string): Promise<number[]> {
  const term = new headless.Terminal({ cols: 80, rows: 24, scrollback: 100_000, allowProposedApi: true });
  for (const data of rig.view.data(paneId)) term.write(data);
  await new Promise<void>((r) => term.write('', r));
  const b = term.buffer.normal;
  const out = Array.from({ length: b.length }, (_, y) => b.getLine(y)!.translateToString(true)).flatMap((l) => (/^tick-\d+$/.test(l) ? [Number(l.slice(5))] : []));
  term.dispose();
  return out;
}

describe('a control client left behind by a silent drop', () => {
  it('is ended before the pane attaches again, and the output goes on with nothing repeated', async () => {
    const host = await rig.addHost({ intervalSec: 1, countMax: 2 });
    const { paneId, mode } = await rig.view.open({
      hostId: host.id,
      sessionName: 'ghost',
      create: { startCommand: 'i=0; while :; do echo tick-$i; i=$((i+1)); sleep 0.1; done' },
      cols: 80,
      rows: 24,
    });
    expect(mode).toBe('control');
    const controlClients = () => rig.tmux("tmux list-clients -t '=ghost' -F '#{client_control_mode} #{client_pid}'").split('\n').filter((l) => l.startsWith('1 '));
    await waitFor(async () => (await ticks(paneId)).length > 10, 'the counter');
    const before = controlClients();
    expect(before).toHaveLength(1);
    // Only this connection goes silent, for good: the server never hears that it ended (no FIN gets through), so
    // nothing but Holdfast can remove the client on it; the new connection gets through.
    rig.ns.dropConnection(clientPort(rig));
    try {
      await waitFor(() => rig.paneStates(paneId).includes('reconnecting'), 'the pane to notice the silent link');
      expect(controlClients()).toEqual(before);
      await waitFor(() => rig.paneStates(paneId).filter((s) => s === 'attached').length >= 2, 'the pane to attach again', 60_000);
      await waitFor(() => controlClients().length === 1 && controlClients()[0] !== before[0], 'only the new control client on the server');
    } finally {
      rig.ns.undropConnections();
    }
    const seen = (await ticks(paneId)).length;
    await waitFor(async () => (await ticks(paneId)).length > seen + 10, 'the counter to go on in the view');
    const all = await ticks(paneId);
    expect(new Set(all).size).toBe(all.length);
    expect(Math.max(...all) - Math.min(...all) + 1).toBe(all.length);
  }, 90_000);
});
