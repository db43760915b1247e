// tmux control mode against a real sshd and tmux 3.3a: bytes in and out exactly, the same screens as a classic
// attach, flow control. (Windows and panes: session.int.test.ts; the control client a dead link leaves on the
// server: test/faults/ghostClient.int.test.ts.)
import headless from '@xterm/headless';
import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, rmSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSshd, type TestSshd } from '../../../../test/harness/sshd';
import type { ISshConnection } from '../../interfaces';
import { Pane } from '../../pane/Pane';
import { waitFor } from '../../testing';
import { shellQuote } from '../shell';
import { connectToTestServer } from '../testConnection';
import { ControlClient } from './client';
import { controlAttachCommand } from './client';
import { ControlPaneChannel } from './paneChannel';

let server: TestSshd;
let conn: ISshConnection;
const tag = randomBytes(3).toString('hex');
let counter = 0;
const unique = (label: string) => `ctl-${label}-${tag}-${++counter}`;

beforeAll(async () => {
  server = await startSshd();
  conn = await connectToTestServer(server);
});
afterAll(async () => {
  conn?.dispose();
  server?.runAsUser('tmux kill-server 2>/dev/null; true');
  await server?.dispose();
});

const sha = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** A control client attached to a session, and the decoded output of its panes. */
async function controlClientOn(session: string) {
  const id = server.runAsUser(`tmux display -p -t ${shellQuote(`=${session}:`)} '#{session_id}'`).trim();
  const client = new ControlClient(await conn.openExec(controlAttachCommand(id, { pauseAfterSec: 10 })));
  await client.ready;
  const output: Uint8Array[] = [];
  client.onOutput((e) => output.push(e.bytes));
  return { client, output, bytes: () => Buffer.concat(output) };
}

describe('control mode, bytes', () => {
  it('passes 1 MB of random bytes from a program to the view exactly (every byte value, cut anywhere)', async () => {
    const session = unique('bytes');
    const data = randomBytes(1_000_000);
    const file = `/tmp/${session}.bin`;
    writeFileSync(file, data);
    chmodSync(file, 0o644);
    // The program waits for a go, so that every byte it writes is read by the client.
    server.runAsUser(`tmux new-session -d -s ${session} -x 80 -y 24 ${shellQuote(`stty raw -echo -opost; while [ ! -e ${file}.go ]; do sleep 0.05; done; cat ${file}; sleep 600`)}`);
    const { client, bytes } = await controlClientOn(session);
    try {
      server.runAsUser(`touch ${file}.go`);
      await waitFor(() => bytes().length >= data.length, `1 MB of output (have ${bytes().length})`, 60_000);
      expect(bytes().length).toBe(data.length);
      expect(sha(bytes())).toBe(sha(data));
    } finally {
      client.dispose();
      server.runAsUser(`tmux kill-session -t '=${session}'; rm -f ${file}.go`);
      rmSync(file, { force: true });
    }
  }, 90_000);

  it('delivers a 1 MB paste whole and in order (send-keys -H)', async () => {
    const session = unique('paste');
    const out = `/tmp/${session}.out`;
    // Every byte but the ones the line discipline acts on even in raw mode: none, with `stty raw`.
    const data = randomBytes(1_000_000);
    server.runAsUser(`tmux new-session -d -s ${session} -x 80 -y 24 ${shellQuote(`stty raw -echo; head -c ${data.length} > ${out}; sleep 600`)}`);
    const { client } = await controlClientOn(session);
    const pane = server.runAsUser(`tmux display -p -t '=${session}:' '#{pane_id}'`).trim();
    const channel = new ControlPaneChannel(client, { pane, mirror: async () => undefined, outage: () => undefined, attachHistory: 0, resyncHistory: 0 });
    try {
      channel.write(data);
      await waitFor(() => Number(server.runAsUser(`stat -c %s ${out} 2>/dev/null || echo 0`).trim()) >= data.length, 'the paste to arrive', 120_000);
      expect(server.runAsUser(`sha256sum ${out}`).split(' ')[0]).toBe(sha(data));
    } finally {
      channel.dispose();
      client.dispose();
      server.runAsUser(`tmux kill-session -t '=${session}'; rm -f ${out}`);
    }
  }, 150_000);
});

/** A pane's view: a terminal fed what the pane sends it. */
function viewOf(pane: Pane) {
  const term = new headless.Terminal({ cols: 80, rows: 24, scrollback: 5000, allowProposedApi: true });
  pane.subscribe('view', (d) => term.write(d, () => pane.ack('view', d.length)));
  return term;
}

type Terminal = ReturnType<typeof viewOf>;

/**
 * A cell's colour, the same however it was written: palette colours 0–15 set as `38;5;N` (capture-pane) or as
 * `3N`/`9N` (tmux drawing for a classic client) are the same colour on screen.
 */
function colour(mode: number, value: number): string {
  const P16 = 16777216;
  const P256 = 33554432;
  return mode === P256 && value < 16 ? `${P16}:${value}` : `${mode}:${value}`;
}

/** The visible screen cell by cell: text and attributes, and the cursor. */
async function cells(term: Terminal) {
  await new Promise<void>((r) => term.write('', r));
  const b = term.buffer.active;
  const rows: string[] = [];
  for (let y = 0; y < term.rows; y++) {
    const line = b.getLine(b.viewportY + y)!;
    let row = '';
    for (let x = 0; x < term.cols; x++) {
      const c = line.getCell(x)!;
      row += `${c.getChars() || ' '}|${c.getWidth()}|${colour(c.getFgColorMode(), c.getFgColor())}|${colour(c.getBgColorMode(), c.getBgColor())}|${c.isBold()}${c.isItalic()}${c.isUnderline()}${c.isInverse()}${c.isDim()};`;
    }
    rows.push(row);
  }
  return { rows, text: Array.from({ length: term.rows }, (_, y) => b.getLine(b.viewportY + y)!.translateToString(true)), cursor: [b.cursorX, b.cursorY], buffer: b.type };
}

describe('control mode, screens', () => {
  const scenarios: [string, string][] = [
    [
      'colours and attributes',
      `printf '\\033[1mbold\\033[0m \\033[3mitalic\\033[0m \\033[4munder\\033[0m \\033[7mrev\\033[0m \\033[2mdim\\033[0m\\n'; for i in $(seq 0 15); do printf "\\033[38;5;\${i}mX\\033[48;5;\${i}mY\\033[0m"; done; printf '\\n'; for i in $(seq 16 7 255); do printf "\\033[48;5;\${i}m \\033[0m"; done; printf '\\n\\033[31;42mred on green\\033[0m\\n'`,
    ],
    ['wide characters', `printf 'あいうえお 漢字 한국어 😀 end\\nnarrow then 全角 then narrow\\n'`],
    ['a scroll region', `printf '\\033[2J\\033[Htop line\\033[24;1Hbottom line\\033[5;10r\\033[10;1H'; for i in $(seq 1 12); do printf 'scrolled %d\\n' $i; done; printf '\\033[r\\033[12;1Hafter'`],
    ['less', `seq 1 300 | sed 's/^/row /' > /tmp/hf-less-${tag}; exec less /tmp/hf-less-${tag}`],
    ['vim', `printf 'first line\\nsecond line\\n\\tindented\\n' > /tmp/hf-vim-${tag}.txt; exec vim -u NONE -N /tmp/hf-vim-${tag}.txt`],
  ];

  for (const [what, script] of scenarios) {
    it(`draws ${what} the same as a classic attach, cell by cell, cursor included`, async () => {
      const session = unique('screen');
      server.runAsUser(`tmux new-session -d -s ${session} -x 80 -y 24 ${shellQuote(`${script}; sleep 600`)} \\; set -t ${session} status off`);
      const classic = new Pane({ paneId: 'classic', hostId: 'h', sessionName: session, cols: 80, rows: 24, attachPolicy: () => ({ mode: 'classic', historyLines: 0 }) });
      const control = new Pane({ paneId: 'control', hostId: 'h', sessionName: session, cols: 80, rows: 24, attachPolicy: () => ({ mode: 'control', historyLines: 100 }) });
      const classicView = viewOf(classic);
      const controlView = viewOf(control);
      try {
        await waitFor(() => server.runAsUser(`tmux capture-pane -p -t '=${session}:'`).trim() !== '', 'the program to draw');
        await control.attach(conn);
        await classic.attach(conn);
        expect(control.mode).toEqual({ kind: 'control' });
        // Both settled on the same screen as tmux's own capture.
        const expected = server.runAsUser(`tmux capture-pane -p -t '=${session}:'`).split('\n').slice(0, 24).map((l) => l.trimEnd());
        await waitFor(async () => JSON.stringify((await cells(classicView)).text.map((l) => l.trimEnd())) === JSON.stringify(expected), 'the classic view to show the screen');
        await waitFor(async () => JSON.stringify((await cells(controlView)).text.map((l) => l.trimEnd())) === JSON.stringify(expected), 'the control view to show the screen');
        const a = await cells(classicView);
        const b = await cells(controlView);
        for (let y = 0; y < 24; y++) expect(b.rows[y], `row ${y}: ${b.text[y]}`).toBe(a.rows[y]);
        expect(b.cursor).toEqual(a.cursor);
      } finally {
        classic.dispose();
        control.dispose();
        classicView.dispose();
        controlView.dispose();
        server.runAsUser(`tmux kill-session -t '=${session}'`);
      }
    }, 60_000);
  }
});

describe('control mode, flow control', () => {
  it('pauses a pane its view is behind on, and when the view catches up resyncs it from tmux, repeating nothing', async () => {
    const session = unique('pause');
    server.runAsUser(`tmux new-session -d -s ${session} -x 80 -y 24 ${shellQuote('while [ ! -e /tmp/' + session + '.go ]; do sleep 0.05; done; seq -f n%g 1 30000; exec sleep 600')}`);
    // Small marks, so that a few hundred KiB are enough to be "behind".
    const pane = new Pane({ paneId: 'p', hostId: 'h', sessionName: session, cols: 80, rows: 24, flow: { high: 16 * 1024, low: 4 * 1024, stale: 4 * 1024 * 1024 }, attachPolicy: () => ({ mode: 'control', historyLines: 100 }) });
    const term = new headless.Terminal({ cols: 80, rows: 24, scrollback: 100_000, allowProposedApi: true });
    let holding = true;
    let owed = 0;
    pane.subscribe('slow', (d) =>
      term.write(d, () => {
        if (holding) owed += d.length;
        else pane.ack('slow', d.length);
      }),
    );
    const lines = async () => {
      await new Promise<void>((r) => term.write('', r));
      const b = term.buffer.normal;
      return Array.from({ length: b.length }, (_, y) => b.getLine(y)!.translateToString(true));
    };
    try {
      await pane.attach(conn);
      expect(pane.mode).toEqual({ kind: 'control' });
      server.runAsUser(`touch /tmp/${session}.go`);
      await waitFor(() => pane.stream.paused, 'the pane to pause for the slow view');
      holding = false;
      pane.ack('slow', owed);
      await waitFor(async () => (await lines()).some((l) => l === 'n30000'), 'the end of the flood in the view', 60_000);
      const all = await lines();
      const numbers = all.flatMap((l) => (/^n\d+$/.test(l) ? [Number(l.slice(1))] : []));
      // Nothing twice, in order; where tmux dropped lines (more than its history kept), a divider says so.
      expect(new Set(numbers).size).toBe(numbers.length);
      expect(numbers).toEqual([...numbers].sort((a, b) => a - b));
      const jumps = numbers.filter((n, i) => i > 0 && n !== numbers[i - 1]! + 1).length;
      const dividers = all.filter((l) => /lines lost|not fetched|history not matched/.test(l)).length;
      expect(jumps).toBeLessThanOrEqual(dividers);
    } finally {
      pane.dispose();
      term.dispose();
      server.runAsUser(`tmux kill-session -t '=${session}'; rm -f /tmp/${session}.go`);
    }
  }, 90_000);
});
