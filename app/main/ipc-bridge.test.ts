import { describe, expect, it } from 'vitest';
import { HoldfastError, type CommandName, type EventName } from '../shared/contract';
import { Emitter } from '../shared/lifecycle';
import {
  CALL_CHANNEL,
  EVENT_CHANNEL,
  forwardEvents,
  isTrustedSender,
  registerIpcBridge,
  type IEventTargetLike,
  type IIpcMainLike,
  type IInvokeEventLike,
} from './ipc-bridge';

type Listener = (event: IInvokeEventLike, ...args: unknown[]) => Promise<unknown>;

/** ipcMain's handle/removeHandler: the one piece of Electron these tests stand in for. */
class FakeIpcMain implements IIpcMainLike {
  readonly handlers = new Map<string, Listener>();
  handle(channel: string, listener: Listener): void {
    if (this.handlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`);
    this.handlers.set(channel, listener);
  }
  removeHandler(channel: string): void {
    this.handlers.delete(channel);
  }
  invoke(frameUrl: string | null, ...args: unknown[]): Promise<unknown> {
    const listener = this.handlers.get(CALL_CHANNEL);
    if (!listener) throw new Error('No handler');
    return listener({ senderFrame: frameUrl === null ? null : { url: frameUrl } }, ...args);
  }
}

class FakeCore {
  readonly calls: { name: CommandName; input: unknown }[] = [];
  async handle(name: CommandName, input: unknown): Promise<never> {
    this.calls.push({ name, input });
    if (name === 'hosts.retryNow') throw new HoldfastError({ code: 'NOT_FOUND', message: 'No such host' });
    if (name === 'panes.list') throw new Error('boom');
    return { version: '1.0.0', shell: 'electron', secretsPersist: true, platform: 'linux' } as never;
  }
}

const ORIGIN = 'app://holdfast';

describe('isTrustedSender', () => {
  it('trusts our renderer on any of its paths', () => {
    expect(isTrustedSender('app://holdfast/index.html', ORIGIN)).toBe(true);
    expect(isTrustedSender('app://holdfast/index.html#/hosts', ORIGIN)).toBe(true);
  });

  it.each([
    ['a web page', 'https://evil.example/'],
    ['another app:// host', 'app://other/index.html'],
    ['a look-alike host', 'app://holdfast.evil/index.html'],
    ['a file:// page', 'file:///tmp/index.html'],
    ['a gone frame', undefined],
    ['garbage', 'not a url'],
  ])('refuses %s', (_what, url) => {
    expect(isTrustedSender(url, ORIGIN)).toBe(false);
  });

  it('trusts the dev server origin when that is what the window loads', () => {
    expect(isTrustedSender('http://localhost:5173/', 'http://localhost:5173')).toBe(true);
    expect(isTrustedSender('http://localhost:5174/', 'http://localhost:5173')).toBe(false);
  });
});

describe('IPC bridge', () => {
  function setup() {
    const ipc = new FakeIpcMain();
    const core = new FakeCore();
    const registration = registerIpcBridge(ipc, core, ORIGIN);
    return { ipc, core, registration };
  }

  it('runs a call from our renderer and returns its value', async () => {
    const { ipc, core } = setup();
    const result = await ipc.invoke('app://holdfast/index.html', 'app.info', {});
    expect(result).toEqual({ ok: true, value: { version: '1.0.0', shell: 'electron', secretsPersist: true, platform: 'linux' } });
    expect(core.calls).toEqual([{ name: 'app.info', input: {} }]);
  });

  it('refuses a call from another frame before core sees it', async () => {
    const { ipc, core } = setup();
    const result = await ipc.invoke('https://evil.example/', 'hosts.delete', { hostId: 'h1' });
    expect(result).toMatchObject({ ok: false, error: { code: 'INTERNAL' } });
    expect(await ipc.invoke(null, 'app.info', {})).toMatchObject({ ok: false });
    expect(core.calls).toEqual([]);
  });

  it('answers an unknown command or bad input with VALIDATION, without calling core', async () => {
    const { ipc, core } = setup();
    expect(await ipc.invoke('app://holdfast/', 'shell.exec', { cmd: 'rm -rf /' })).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
    const bad = (await ipc.invoke('app://holdfast/', 'panes.open', { hostId: 'h', sessionName: 'a:b', cols: 80, rows: 24 })) as {
      error: { code: string; fields: Record<string, string> };
    };
    expect(bad.error.code).toBe('VALIDATION');
    expect(bad.error.fields).toHaveProperty('sessionName');
    expect(core.calls).toEqual([]);
  });

  it('returns errors from core as data with their code, never as a throw', async () => {
    const { ipc } = setup();
    expect(await ipc.invoke('app://holdfast/', 'hosts.retryNow', { hostId: 'h1' })).toEqual({
      ok: false,
      error: { code: 'NOT_FOUND', message: 'No such host' },
    });
    expect(await ipc.invoke('app://holdfast/', 'panes.list', {})).toEqual({ ok: false, error: { code: 'INTERNAL', message: 'boom' } });
  });

  it('removes its handler when disposed', () => {
    const { ipc, registration } = setup();
    registration.dispose();
    expect(ipc.handlers.has(CALL_CHANNEL)).toBe(false);
  });
});

describe('event forwarding', () => {
  class FakeWebContents implements IEventTargetLike {
    readonly sent: unknown[][] = [];
    destroyed = false;
    isDestroyed() {
      return this.destroyed;
    }
    send(channel: string, ...args: unknown[]) {
      this.sent.push([channel, ...args]);
    }
  }

  it('sends valid events to the window, pane bytes included', () => {
    const emitter = new Emitter<{ name: EventName; payload: unknown }>();
    const contents = new FakeWebContents();
    forwardEvents(emitter.event, () => contents);
    const data = new Uint8Array([1, 2, 3]);
    emitter.fire({ name: 'pane.data', payload: { paneId: 'p1', data } });
    emitter.fire({ name: 'hosts.changed', payload: {} });
    expect(contents.sent).toEqual([
      [EVENT_CHANNEL, 'pane.data', { paneId: 'p1', data }],
      [EVENT_CHANNEL, 'hosts.changed', {}],
    ]);
  });

  it('drops events that fail their schema, and sends nothing to a destroyed window', () => {
    const emitter = new Emitter<{ name: EventName; payload: unknown }>();
    const contents = new FakeWebContents();
    const forwarding = forwardEvents(emitter.event, () => contents);
    emitter.fire({ name: 'pane.data', payload: { paneId: 'p1', data: 'not bytes' } });
    emitter.fire({ name: 'nope' as EventName, payload: {} });
    contents.destroyed = true;
    emitter.fire({ name: 'hosts.changed', payload: {} });
    expect(contents.sent).toEqual([]);
    forwarding.dispose();
    expect(emitter.listenerCount).toBe(0);
  });
});
