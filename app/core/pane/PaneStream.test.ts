import headless from '@xterm/headless';
import { describe, expect, it } from 'vitest';
import { FLOW } from '../../shared/flow';
import { FakePtyChannel, waitFor } from '../testing';
import { LatestViewSize, PaneStream, shouldPause } from './PaneStream';

const enc = (s: string) => new TextEncoder().encode(s);

/** A view as the renderer keeps one: an xterm that parses what it is given (snapshot first, then the stream). */
class View {
  readonly term = new headless.Terminal({ cols: 40, rows: 6, allowProposedApi: true });
  received = 0;
  chunks: Uint8Array[] = [];
  deliver = (data: Uint8Array) => {
    this.chunks.push(data);
    this.received += data.length;
    this.term.write(data);
  };
  async screen(): Promise<string> {
    await new Promise<void>((r) => this.term.write('', r));
    const buffer = this.term.buffer.active;
    const lines: string[] = [];
    for (let y = 0; y < this.term.rows; y++) lines.push(buffer.getLine(buffer.viewportY + y)?.translateToString(true) ?? '');
    return lines.join('\n').trimEnd();
  }
}

function stream(marks?: { high: number; low: number; stale: number }) {
  const s = new PaneStream({ cols: 40, rows: 6, marks });
  const channel = new FakePtyChannel();
  s.setTarget(channel);
  return { s, channel };
}

describe('shouldPause', () => {
  const marks = { high: 100, low: 20 };
  it('pauses above the high mark for a visible view, resumes only once every visible view is under the low mark', () => {
    expect(shouldPause(false, [{ unacked: 100, visible: true, holdsBack: true, stale: false }], 0, marks)).toBe(false);
    expect(shouldPause(false, [{ unacked: 101, visible: true, holdsBack: true, stale: false }], 0, marks)).toBe(true);
    expect(shouldPause(true, [{ unacked: 50, visible: true, holdsBack: true, stale: false }], 0, marks)).toBe(true);
    expect(shouldPause(true, [{ unacked: 19, visible: true, holdsBack: true, stale: false }, { unacked: 20, visible: true, holdsBack: true, stale: false }], 0, marks)).toBe(true);
    expect(shouldPause(true, [{ unacked: 19, visible: true, holdsBack: true, stale: false }], 0, marks)).toBe(false);
  });

  it("ignores a paired device's view, however far behind", () => {
    expect(shouldPause(false, [{ unacked: 10_000, visible: true, holdsBack: false, stale: false }], 0, marks)).toBe(false);
  });

  it('ignores hidden and stale views, and counts the mirror as one more view', () => {
    expect(shouldPause(false, [{ unacked: 10_000, visible: false, holdsBack: true, stale: false }, { unacked: 10_000, visible: true, holdsBack: true, stale: true }], 0, marks)).toBe(false);
    expect(shouldPause(false, [], 101, marks)).toBe(true);
    expect(shouldPause(true, [], 19, marks)).toBe(false);
  });
});

describe('LatestViewSize', () => {
  it('follows the view that typed, was shown or was resized last, as tmux window-size latest', () => {
    const sizes = new LatestViewSize();
    expect(sizes.viewResized('desktop', 200, 50)).toEqual({ cols: 200, rows: 50 });
    // Another view saying its size does not take the pane from the latest one…
    expect(sizes.viewResized('phone', 50, 30)).toBeUndefined();
    // …until it is used.
    expect(sizes.viewActive('phone')).toEqual({ cols: 50, rows: 30 });
    expect(sizes.viewResized('desktop', 210, 50)).toBeUndefined();
    expect(sizes.viewActive('desktop')).toEqual({ cols: 210, rows: 50 });
    // The latest view goes: the other one's size is the pane's.
    expect(sizes.viewGone('desktop')).toEqual({ cols: 50, rows: 30 });
    expect(sizes.viewGone('phone')).toBeUndefined();
  });
});

describe('PaneStream', () => {
  it('gives a late view the screen as it is, then the output that follows, with nothing missed or twice', async () => {
    const { s } = stream();
    s.write(enc('\x1b[31mred\x1b[0m line one\r\n'));
    s.write(enc('line two\r\n'));
    const view = new View();
    s.subscribe('late', view.deliver);
    // Output that arrives while the screen is being taken comes after it.
    s.write(enc('line three'));
    await waitFor(() => view.chunks.length >= 2, 'the screen and the next batch');
    expect(await view.screen()).toBe('red line one\nline two\nline three');
    expect(new TextDecoder().decode(view.chunks[0]!).startsWith('\x1bc')).toBe(true);
    // Colours are part of the screen.
    expect(view.term.buffer.active.getLine(0)!.getCell(0)!.getFgColor()).toBe(1);
  });

  it('sends a view only what comes after it subscribed, counted until it acknowledges', async () => {
    const { s } = stream();
    const view = new View();
    s.subscribe('v', view.deliver);
    await waitFor(() => view.chunks.length === 1, 'the screen');
    s.ack('v', view.received);
    expect(s.unackedOf('v')).toBe(0);
    s.write(enc('abc'));
    expect(s.unackedOf('v')).toBe(3);
    s.ack('v', 10);
    expect(s.unackedOf('v')).toBe(0);
  });

  it('flow control follows the slowest visible view; a hidden one does not hold the pane back', async () => {
    const { s, channel } = stream({ high: 100, low: 20, stale: 1000 });
    const fast = new View();
    const slow = new View();
    s.subscribe('fast', fast.deliver);
    s.subscribe('slow', slow.deliver);
    await waitFor(() => fast.chunks.length === 1 && slow.chunks.length === 1, 'both screens');
    s.ack('fast', fast.received);
    s.ack('slow', slow.received);
    s.write(new Uint8Array(150));
    await waitFor(() => s.mirror.pendingBytes === 0, 'the mirror');
    expect(channel.paused).toBe(true);
    s.ack('fast', 150);
    // The slow view is still behind.
    expect(channel.paused).toBe(true);
    // Hidden, it no longer counts.
    s.setVisible('slow', false);
    expect(channel.paused).toBe(false);
    expect(channel.pauseCalls).toBe(1);
    expect(channel.resumeCalls).toBe(1);
  });

  it('stops feeding a hidden view far behind, and gives it the screen again when it is shown', async () => {
    const { s } = stream({ high: 100, low: 20, stale: 1000 });
    const view = new View();
    s.subscribe('v', view.deliver);
    await waitFor(() => view.chunks.length === 1, 'the screen');
    s.setVisible('v', false);
    for (let i = 0; i < 30; i++) s.write(enc(`line ${i}${'.'.repeat(40)}\r\n`));
    expect(s.isStale('v')).toBe(true);
    const before = view.chunks.length;
    s.write(enc('more'));
    expect(view.chunks.length).toBe(before);
    s.setVisible('v', true);
    expect(s.isStale('v')).toBe(false);
    await waitFor(() => view.chunks.length === before + 1, 'a fresh screen');
    expect(await view.screen()).toContain('line 29');
    expect(await view.screen()).toMatch(/more$/);
  });

  it("never lets a paired device's view hold the pane back; one far behind stops being fed and gets the screen again once it caught up", async () => {
    const { s, channel } = stream({ high: 100, low: 20, stale: 1000 });
    const desk = new View();
    const phone = new View();
    s.subscribe('desk', desk.deliver);
    s.subscribe('phone', phone.deliver, { holdsBack: false });
    await waitFor(() => desk.chunks.length === 1 && phone.chunks.length === 1, 'both screens');
    // The desktop's view keeps up (it acknowledges everything at once); the phone acknowledges nothing.
    for (let i = 0; i < 30; i++) {
      s.ack('desk', Number.MAX_SAFE_INTEGER);
      s.write(enc(`line ${i}${'.'.repeat(40)}\r\n`));
      await waitFor(() => s.mirror.pendingBytes === 0, 'the mirror');
    }
    expect(channel.pauseCalls).toBe(0);
    expect(s.isStale('phone')).toBe(true);
    const before = phone.chunks.length;
    s.write(enc('more'));
    expect(phone.chunks.length).toBe(before);
    // It catches up with what it was sent: the screen as it is now, then output again.
    s.ack('phone', phone.received);
    await waitFor(() => phone.chunks.length === before + 1, 'a fresh screen for the phone');
    expect(await phone.screen()).toMatch(/more$/);
    s.write(enc('!'));
    expect(phone.chunks.length).toBe(before + 2);
  });

  it('a paused pane is always resumed by the acknowledgements of what its views were sent (FLOW marks)', async () => {
    const { s, channel } = stream();
    const view = new View();
    s.subscribe('v', view.deliver);
    await waitFor(() => view.chunks.length === 1, 'the screen');
    s.ack('v', view.received);
    // A flood in the largest batches; the view acknowledges in ACK_BYTES steps, as the renderer does.
    let sent = 0;
    while (!channel.paused) {
      s.write(new Uint8Array(FLOW.BATCH_MAX_BYTES).fill(0x2e));
      sent += FLOW.BATCH_MAX_BYTES;
    }
    await waitFor(() => s.mirror.pendingBytes === 0, 'the mirror');
    for (let acked = 0; acked < sent && channel.paused; acked += FLOW.ACK_BYTES) s.ack('v', FLOW.ACK_BYTES);
    expect(channel.paused).toBe(false);
  });

  it('chooses the size of the most recently active view', () => {
    const { s } = stream();
    const sizes: { cols: number; rows: number }[] = [];
    s.onDidChooseSize((size) => sizes.push(size));
    s.subscribe('desktop', () => {});
    s.subscribe('phone', () => {});
    s.viewResized('desktop', 120, 40);
    s.viewResized('phone', 40, 20);
    s.viewActive('phone');
    s.unsubscribe('phone');
    expect(sizes).toEqual([
      { cols: 120, rows: 40 },
      { cols: 40, rows: 20 },
      { cols: 120, rows: 40 },
    ]);
  });

  it('one view that throws does not keep the output from the others', async () => {
    const { s } = stream();
    const good = new View();
    s.subscribe('bad', () => {
      throw new Error('window gone');
    });
    s.subscribe('good', good.deliver);
    const warn = console.warn;
    console.warn = () => {};
    try {
      s.write(enc('still here'));
      await waitFor(() => good.chunks.length >= 2, 'the output');
    } finally {
      console.warn = warn;
    }
    expect(await good.screen()).toBe('still here');
  });
});
