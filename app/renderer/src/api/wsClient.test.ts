import { describe, expect, it } from 'vitest';
import { HoldfastError } from '../../../shared/contract';
import { encodePaneData, encodePaneSize } from '../../../shared/wire';
import { CONNECTION_LOST_MESSAGE, WsHoldfastClient, addressWithoutToken, credentialFor, socketUrl, type ISocketEvents } from './wsClient';

function fakeSocket() {
  const sent: unknown[] = [];
  let events!: ISocketEvents;
  let closed = false;
  const client = new WsHoldfastClient((e) => {
    events = e;
    return {
      send: (text) => sent.push(JSON.parse(text)),
      close: () => {
        closed = true;
      },
    };
  });
  return {
    client,
    sent,
    get closed() {
      return closed;
    },
    open: () => events.onOpen(),
    reply: (message: unknown) => events.onText(JSON.stringify(message)),
    binary: (data: Uint8Array) => events.onBinary(data),
    drop: (reason = 'gone') => events.onClose(reason),
  };
}

const profile = {
  id: 'h1',
  name: 'web',
  host: 'example.com',
  port: 22,
  user: 'me',
  hasPassword: false,
  keepalive: { intervalSec: 5, countMax: 3 },
  tags: [],
  createdAt: 1,
  updatedAt: 1,
};

describe('WsHoldfastClient', () => {
  it('queues calls made before the socket opens and sends them on open, in order', () => {
    const s = fakeSocket();
    void s.client.call('hosts.list', {});
    void s.client.call('app.info', {});
    expect(s.sent).toEqual([]);
    s.open();
    expect(s.sent).toEqual([
      { t: 'call', id: 1, name: 'hosts.list', input: {} },
      { t: 'call', id: 2, name: 'app.info', input: {} },
    ]);
  });

  it('resolves each call with the result that carries its id, whatever the order', async () => {
    const s = fakeSocket();
    s.open();
    const a = s.client.call('hosts.list', {});
    const b = s.client.call('hosts.delete', { hostId: 'h1' });
    s.reply({ t: 'result', id: 2, ok: true });
    s.reply({ t: 'result', id: 1, ok: true, value: [profile] });
    await expect(b).resolves.toBeUndefined();
    await expect(a).resolves.toEqual([profile]);
  });

  it('rejects with a HoldfastError carrying the code, hint and fields of an error result', async () => {
    const s = fakeSocket();
    s.open();
    const p = s.client.call('hosts.save', { name: '', host: '', user: 'x' });
    s.reply({
      t: 'result',
      id: 1,
      ok: false,
      error: { code: 'VALIDATION', message: 'Some fields need attention', fields: { host: 'Host is required' } },
    });
    const err = await p.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HoldfastError);
    expect((err as HoldfastError).code).toBe('VALIDATION');
    expect((err as HoldfastError).fields).toEqual({ host: 'Host is required' });
  });

  it('rejects a result that does not match the command output schema', async () => {
    const s = fakeSocket();
    s.open();
    const p = s.client.call('hosts.list', {});
    s.reply({ t: 'result', id: 1, ok: true, value: [{ nope: true }] });
    await expect(p).rejects.toMatchObject({ code: 'INTERNAL' });
  });

  it('dispatches valid JSON events to their listeners and drops invalid ones', () => {
    const s = fakeSocket();
    s.open();
    const got: unknown[] = [];
    const sub = s.client.listen('host.status', (e) => got.push(e));
    s.reply({ t: 'event', name: 'host.status', payload: { hostId: 'h1', state: 'connected' } });
    s.reply({ t: 'event', name: 'host.status', payload: { hostId: 'h1', state: 'bogus' } });
    s.reply({ t: 'event', name: 'no.such.event', payload: {} });
    sub.dispose();
    s.reply({ t: 'event', name: 'host.status', payload: { hostId: 'h1', state: 'failed' } });
    expect(got).toEqual([{ hostId: 'h1', state: 'connected' }]);
  });

  it("hands a pane's size frames to its size listener, in order with its bytes", () => {
    const s = fakeSocket();
    s.open();
    const got: unknown[] = [];
    s.client.subscribePane(
      'p1/%3',
      (d) => got.push([...d]),
      (size) => got.push(size),
    );
    s.binary(encodePaneData('p1/%3', new Uint8Array([1])));
    s.binary(encodePaneSize('p1/%3', { cols: 100, rows: 30 }));
    s.binary(encodePaneData('p1/%3', new Uint8Array([2])));
    expect(got).toEqual([[1], { cols: 100, rows: 30 }, [2]]);
  });

  it("subscribes to a pane, hands its binary frames' raw bytes to that pane's subscribers only, and unsubscribes with the last", () => {
    const s = fakeSocket();
    s.open();
    const got: [string, number[]][] = [];
    const first = s.client.subscribePane('p1', (d) => got.push(['p1', [...d]]));
    const second = s.client.subscribePane('p1', (d) => got.push(['p1 again', [...d]]));
    s.client.subscribePane('p2', (d) => got.push(['p2', [...d]]));
    s.binary(encodePaneData('p1', new Uint8Array([0xe2, 0x82, 0xac, 10])));
    s.binary(encodePaneData('p3', new Uint8Array([1])));
    s.binary(new Uint8Array([9, 9])); // malformed: ignored
    expect(got).toEqual([
      ['p1', [0xe2, 0x82, 0xac, 10]],
      ['p1 again', [0xe2, 0x82, 0xac, 10]],
    ]);
    first.dispose();
    second.dispose();
    second.dispose();
    expect(s.sent).toEqual([
      { t: 'sub', paneId: 'p1' },
      { t: 'sub', paneId: 'p1' },
      { t: 'sub', paneId: 'p2' },
      { t: 'unsub', paneId: 'p1' },
    ]);
  });

  it('sends notifications one way, queued until the socket opens, and none once it closed', () => {
    const s = fakeSocket();
    s.client.notify('pane.input', { paneId: 'p', data: 'x' });
    expect(s.sent).toEqual([]);
    s.open();
    s.client.notify('pane.ack', { paneId: 'p', bytes: 5 });
    expect(s.sent).toEqual([
      { t: 'notify', name: 'pane.input', input: { paneId: 'p', data: 'x' } },
      { t: 'notify', name: 'pane.ack', input: { paneId: 'p', bytes: 5 } },
    ]);
    s.drop();
    s.client.notify('pane.input', { paneId: 'p', data: 'y' });
    expect(s.sent).toHaveLength(2);
  });

  it('keeps other listeners running when one throws', () => {
    const s = fakeSocket();
    s.open();
    let count = 0;
    s.client.listen('hosts.changed', () => {
      throw new Error('boom');
    });
    s.client.listen('hosts.changed', () => count++);
    const warn = console.error;
    console.error = () => {};
    s.reply({ t: 'event', name: 'hosts.changed', payload: {} });
    console.error = warn;
    expect(count).toBe(1);
  });

  it('when the socket closes, rejects pending and later calls and fires onDidClose once', async () => {
    const s = fakeSocket();
    s.open();
    const reasons: string[] = [];
    s.client.onDidClose((r) => reasons.push(r));
    const pending = s.client.call('hosts.list', {});
    s.drop('server went away');
    s.drop('again');
    await expect(pending).rejects.toMatchObject({ code: 'NETWORK', message: CONNECTION_LOST_MESSAGE });
    await expect(s.client.call('app.info', {})).rejects.toMatchObject({ code: 'NETWORK' });
    expect(reasons).toEqual(['server went away']);
    expect(s.client.isClosed).toBe(true);
  });

  it('rejects calls queued before open when the socket never opens', async () => {
    const s = fakeSocket();
    const p = s.client.call('hosts.list', {});
    s.drop();
    await expect(p).rejects.toMatchObject({ code: 'NETWORK' });
    expect(s.sent).toEqual([]);
  });
});

describe('socketUrl and credentialFor', () => {
  it('points at /ws on the same host and carries the credential: the owner\'s token, or a paired device\'s', () => {
    expect(socketUrl({ protocol: 'http:', host: '127.0.0.1:4000' }, { kind: 'token', value: 'a b/c' })).toBe('ws://127.0.0.1:4000/ws?token=a%20b%2Fc');
    expect(socketUrl({ protocol: 'https:', host: 'h' }, { kind: 'device', value: 'd1' })).toBe('wss://h/ws?device=d1');
    expect(socketUrl({ protocol: 'https:', host: 'h' }, undefined)).toBe('wss://h/ws?token=');
  });

  it('takes the credential from the address first (?token=, #device=), else from what the page kept', () => {
    expect(credentialFor({ search: '?token=t1', hash: '' }, JSON.stringify({ kind: 'device', value: 'old' }))).toEqual({ kind: 'token', value: 't1' });
    expect(credentialFor({ search: '', hash: '#device=d2' }, null)).toEqual({ kind: 'device', value: 'd2' });
    expect(credentialFor({ search: '', hash: '' }, JSON.stringify({ kind: 'token', value: 'kept' }))).toEqual({ kind: 'token', value: 'kept' });
    expect(credentialFor({ search: '', hash: '' }, 'garbage')).toBeUndefined();
    expect(credentialFor({ search: '', hash: '' }, null)).toBeUndefined();
  });
});

describe('addressWithoutToken', () => {
  it('drops the token and keeps the rest of the address', () => {
    expect(addressWithoutToken('http://127.0.0.1:7681/?token=abc')).toBe('/');
    expect(addressWithoutToken('https://h:1/app?x=1&token=abc#tab')).toBe('/app?x=1#tab');
    expect(addressWithoutToken('http://127.0.0.1:7681/')).toBeUndefined();
    expect(addressWithoutToken('https://h:1/#device=secret')).toBe('/');
  });
});
