// The bench's page, served by the web host: the renderer's own WebSocket client (WsHoldfastClient), pane
// (RemotePane: the subscription, keys as notifications, acknowledgements per frame) and terminal
// (TerminalController: xterm.js with WebGL or the DOM renderer), bound as PaneView binds them, without the React UI
// around them. Playwright calls window.hfBench.
import '@xterm/xterm/css/xterm.css';
import { RemotePane } from '../../app/renderer/src/api/remotePane';
import { WsHoldfastClient, domSocketFactory, socketUrl, credentialFor } from '../../app/renderer/src/api/wsClient';
import { TerminalController, terminalSettings } from '../../app/renderer/src/terminal/TerminalController';
import { DEFAULT_SETTINGS } from '../../app/shared/model';

interface PaneHandle {
  controller: TerminalController;
  remote: RemotePane;
  received: number;
  parsed: number;
  lastDataAt: number;
  lastParsedAt: number;
  onChunk?: (text: string, parsedAt: Promise<number>) => void;
}

const api = new WsHoldfastClient(domSocketFactory(socketUrl(window.location, credentialFor(window.location, null))));
const panes = new Map<string, PaneHandle>();
const latin1 = new TextDecoder('latin1');

function deliver(pane: PaneHandle, data: Uint8Array): void {
  const length = data.length;
  pane.received += length;
  pane.lastDataAt = performance.now();
  let resolveParsed: ((t: number) => void) | undefined;
  const parsedAt = pane.onChunk ? new Promise<number>((r) => (resolveParsed = r)) : undefined;
  if (pane.onChunk) pane.onChunk(latin1.decode(data), parsedAt!);
  pane.controller.write(data, () => {
    pane.parsed += length;
    pane.lastParsedAt = performance.now();
    resolveParsed?.(pane.lastParsedAt);
    pane.remote.processed(length);
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function settle(pane: PaneHandle, quietMs: number): Promise<void> {
  const started = performance.now();
  while (performance.now() - Math.max(pane.lastDataAt, started) < quietMs || pane.parsed < pane.received) await sleep(10);
}

function pane(paneId: string): PaneHandle {
  const p = panes.get(paneId);
  if (!p) throw new Error(`no pane ${paneId}`);
  return p;
}

const bench = {
  async open(hostId: string, sessionName: string, width = 1000, height = 640): Promise<{ paneId: string; renderer: string; cols: number; rows: number }> {
    const div = document.createElement('div');
    div.style.cssText = `width:${width}px;height:${height}px;display:inline-block;overflow:hidden`;
    document.getElementById('panes')!.appendChild(div);
    const controller = new TerminalController(div, false, terminalSettings(DEFAULT_SETTINGS, { mac: false }));
    const remote = await RemotePane.open(api, { hostId, sessionName, cols: controller.cols, rows: controller.rows });
    const paneId = remote.paneId;
    const handle: PaneHandle = { controller, remote, received: 0, parsed: 0, lastDataAt: 0, lastParsedAt: 0 };
    panes.set(paneId, handle);
    remote.onData((data) => deliver(handle, data));
    remote.setVisible(true);
    await controller.rendererReady;
    return { paneId, renderer: controller.renderer, cols: controller.cols, rows: controller.rows };
  },

  async settle(paneId: string, quietMs = 500): Promise<void> {
    await settle(pane(paneId), quietMs);
  },

  /** ms from the pane.input of `input` until the chunk carrying `marker` has been parsed by xterm.js. */
  async untilMarker(paneId: string, input: string, marker: string): Promise<number> {
    const p = pane(paneId);
    let tail = '';
    const parsed = new Promise<number>((resolve) => {
      p.onChunk = (text, parsedAt) => {
        const all = tail + text;
        if (all.includes(marker)) {
          p.onChunk = undefined;
          void parsedAt.then(resolve);
        }
        tail = all.slice(-64);
      };
    });
    const t0 = performance.now();
    pane(paneId).remote.write(input);
    return (await parsed) - t0;
  },

  /** Each key: ms from its pane.input until the output carrying its echo arrived in the page. */
  async echo(paneId: string, keys: number): Promise<number[]> {
    const p = pane(paneId);
    const out: number[] = [];
    const alphabet = 'abcdefghijklmnopqrstuvwxyz';
    for (let i = 0; i < keys; i++) {
      if (i && i % 50 === 0) {
        pane(paneId).remote.write('\x15');
        await settle(p, 100);
      }
      const ch = alphabet[i % 26]!;
      const echoed = new Promise<number>((resolve) => {
        p.onChunk = (text) => {
          if (text.includes(ch)) {
            p.onChunk = undefined;
            resolve(performance.now());
          }
        };
      });
      const t0 = performance.now();
      pane(paneId).remote.write(ch);
      out.push((await echoed) - t0);
    }
    pane(paneId).remote.write('\x15');
    return out;
  },

  /** ms from writing Ctrl-C during a flood until xterm.js parsed the last byte (then `quietMs` of nothing). */
  async ctrlC(paneId: string, flood: string, floodMs: number, quietMs: number): Promise<number> {
    const p = pane(paneId);
    pane(paneId).remote.write(flood);
    await sleep(floodMs);
    const t0 = performance.now();
    pane(paneId).remote.write('\x03');
    await settle(p, quietMs);
    return Math.max(0, p.lastParsedAt - t0);
  },

  /** Writes `lines` lines straight into the terminal (tmux redraws its client's screen; it does not scroll it into the terminal's scrollback). */
  async fillScrollback(paneId: string, lines: number): Promise<void> {
    const term = pane(paneId).controller.term;
    // tmux draws on the alternate screen, which has no scrollback: leave it, so the lines land in the normal buffer.
    const chunk: string[] = ['\x1b[?1049l'];
    for (let i = 1; i <= lines; i++) {
      chunk.push(`scrollback line ${i} of the benchmark, padded to a typical width\r\n`);
      if (chunk.length === 500 || i === lines) {
        const text = chunk.join('');
        chunk.length = 0;
        await new Promise<void>((r) => term.write(text, r));
      }
    }
  },

  bufferLines(paneId: string): number {
    return pane(paneId).controller.term.buffer.normal.length;
  },

  async write(paneId: string, data: string): Promise<void> {
    pane(paneId).remote.write(data);
  },

  async close(paneId: string): Promise<void> {
    const p = panes.get(paneId);
    if (!p) return;
    panes.delete(paneId);
    await p.remote.close().catch(() => {});
    p.controller.dispose();
  },
};

(window as unknown as { hfBench: typeof bench }).hfBench = bench;
