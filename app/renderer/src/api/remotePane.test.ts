import { describe, expect, it } from 'vitest';
import type { CommandInput, CommandName, EventName, EventPayload, IHoldfastApi, NotificationInput, NotificationName } from '../../../shared/contract';
import { toDisposable, type IDisposable } from '../../../shared/lifecycle';
import type { PaneInfo } from '../../../shared/model';
import { RemotePane } from './remotePane';

/** The contract as a page sees it, recorded; pane output and events are pushed by the test. */
class FakeApi implements IHoldfastApi {
  readonly calls: [string, unknown][] = [];
  readonly notes: [string, unknown][] = [];
  readonly panes = new Map<string, Set<(d: Uint8Array) => void>>();
  private readonly _listeners = new Map<string, Set<(p: unknown) => void>>();

  async call<K extends CommandName>(name: K, input: CommandInput<K>): Promise<never> {
    this.calls.push([name, input]);
    if (name === 'panes.open') return { paneId: 'p1', hostId: 'h1', sessionName: 'work', sessionId: '$3', state: 'attached' } as never;
    if (name === 'panes.recreate') return { paneId: 'p1', hostId: 'h1', sessionName: 'work', sessionId: '$4', state: 'attached' } as never;
    return undefined as never;
  }
  notify<K extends NotificationName>(name: K, input: NotificationInput<K>): void {
    this.notes.push([name, input]);
  }
  listen<K extends EventName>(name: K, listener: (payload: EventPayload<K>) => void): IDisposable {
    let set = this._listeners.get(name);
    if (!set) this._listeners.set(name, (set = new Set()));
    const wrapped = (p: unknown) => listener(p as EventPayload<K>);
    set.add(wrapped);
    return toDisposable(() => set.delete(wrapped));
  }
  subscribePane(paneId: string, onData: (data: Uint8Array) => void): IDisposable {
    let set = this.panes.get(paneId);
    if (!set) this.panes.set(paneId, (set = new Set()));
    set.add(onData);
    return toDisposable(() => set.delete(onData));
  }
  emit<K extends EventName>(name: K, payload: EventPayload<K>): void {
    for (const l of this._listeners.get(name) ?? []) l(payload);
  }
  output(paneId: string, data: Uint8Array): void {
    for (const l of this.panes.get(paneId) ?? []) l(data);
  }
  listenerCount(): number {
    return [...this._listeners.values()].reduce((n, s) => n + s.size, 0) + [...this.panes.values()].reduce((n, s) => n + s.size, 0);
  }
}

/** A scheduler the test runs by hand (a frame). */
function manualFrames() {
  const queue: (() => void)[] = [];
  return {
    schedule: (fn: () => void) => {
      queue.push(fn);
      return toDisposable(() => queue.splice(queue.indexOf(fn), 1));
    },
    frame: () => queue.splice(0).forEach((fn) => fn()),
  };
}

const info: PaneInfo = { paneId: 'p1', hostId: 'h1', sessionName: 'work', sessionId: '$3', state: 'attached' };

describe('RemotePane', () => {
  it('opens a session Rescue made by its id, with the command it runs', async () => {
    const api = new FakeApi();
    await RemotePane.open(api, { hostId: 'h1', sessionName: 'claude-app', sessionId: '$3', startedWith: 'claude --continue', cols: 80, rows: 24 });
    expect(api.calls).toEqual([['panes.open', { hostId: 'h1', sessionName: 'claude-app', sessionId: '$3', startedWith: 'claude --continue', cols: 80, rows: 24 }]]);
  });

  it('opens a pane with a size the contract accepts, and subscribes to its output only once a terminal listens', async () => {
    const api = new FakeApi();
    const pane = await RemotePane.open(api, { hostId: 'h1', sessionName: 'work', sessionId: '$3', cols: 0.5, rows: 5000 });
    expect(api.calls).toEqual([['panes.open', { hostId: 'h1', sessionName: 'work', sessionId: '$3', cols: 80, rows: 1000 }]]);
    expect(pane.state).toMatchObject({ state: 'attached', sessionName: 'work', sessionId: '$3' });
    // Nothing is sent before a terminal is there to draw it (the screen would be lost).
    expect(api.panes.get('p1')?.size ?? 0).toBe(0);
    const listening = pane.onData(() => {});
    expect(api.panes.get('p1')?.size).toBe(1);
    // A second terminal subscribes again (and gets the screen again); the subscription ends with the last one.
    const second = pane.onData(() => {});
    expect(api.panes.get('p1')?.size).toBe(1);
    listening.dispose();
    expect(api.panes.get('p1')?.size).toBe(1);
    second.dispose();
    expect(api.panes.get('p1')?.size).toBe(0);
  });

  it('hands the output on and acknowledges what the terminal parsed, once per frame', () => {
    const api = new FakeApi();
    const frames = manualFrames();
    const pane = new RemotePane(api, info, frames.schedule);
    const got: number[] = [];
    pane.onData((d) => got.push(d.length));

    api.output('p1', new Uint8Array(10));
    api.output('p2', new Uint8Array(99));
    api.output('p1', new Uint8Array(5));
    pane.processed(10);
    pane.processed(5);
    expect(got).toEqual([10, 5]);
    expect(api.notes).toEqual([]);
    frames.frame();
    expect(api.notes).toEqual([['pane.ack', { paneId: 'p1', bytes: 15 }]]);
  });

  it('sends keys, and its size and visibility only when they change', () => {
    const api = new FakeApi();
    const pane = new RemotePane(api, info, manualFrames().schedule);
    pane.write('ls\r');
    pane.write('');
    pane.resize(100, 30);
    pane.resize(100, 30);
    pane.setVisible(true);
    pane.setVisible(true);
    pane.setVisible(false);
    expect(api.notes).toEqual([
      ['pane.input', { paneId: 'p1', data: 'ls\r' }],
      ['pane.resize', { paneId: 'p1', cols: 100, rows: 30 }],
      ['pane.visible', { paneId: 'p1', visible: true }],
      ['pane.visible', { paneId: 'p1', visible: false }],
    ]);
  });

  it("follows its own pane's state and no other's", () => {
    const api = new FakeApi();
    const pane = new RemotePane(api, info, manualFrames().schedule);
    const states: string[] = [];
    pane.onState((s) => states.push(s.state));
    api.emit('pane.state', { paneId: 'p2', state: 'closed' });
    api.emit('pane.state', { paneId: 'p1', state: 'reconnecting', message: 'Input discarded while reconnecting' });
    expect(pane.state).toMatchObject({ state: 'reconnecting', message: 'Input discarded while reconnecting' });
    api.emit('pane.state', { paneId: 'p1', state: 'exited', exit: { status: 2, output: 'nope' } });
    expect(pane.state.exit).toEqual({ status: 2, output: 'nope' });
    expect(states).toEqual(['reconnecting', 'exited']);
  });

  it('recreate takes the new session, and close flushes its acknowledgements, unsubscribes and lets go of the pane', async () => {
    const api = new FakeApi();
    const frames = manualFrames();
    const pane = new RemotePane(api, info, frames.schedule);
    pane.onData(() => {});
    await pane.recreate('claude --continue');
    expect(api.calls).toEqual([['panes.recreate', { paneId: 'p1', startCommand: 'claude --continue' }]]);
    expect(pane.state.sessionId).toBe('$4');
    pane.processed(7);
    await pane.close();
    expect(api.notes).toEqual([['pane.ack', { paneId: 'p1', bytes: 7 }]]);
    expect(api.calls.at(-1)).toEqual(['panes.close', { paneId: 'p1' }]);
    expect(api.listenerCount()).toBe(0);
    pane.write('after');
    expect(api.notes).toHaveLength(1);
  });
});
