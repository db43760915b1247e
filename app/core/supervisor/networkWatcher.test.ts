import type { NetworkInterfaceInfo } from 'node:os';
import { describe, expect, it } from 'vitest';
import { externalAddresses, NetworkWatcher } from './networkWatcher';
import { ManualClock } from '../testing';

function info(address: string, internal = false): NetworkInterfaceInfo {
  return { address, netmask: '255.255.255.0', family: 'IPv4', mac: '00:00:00:00:00:00', internal, cidr: `${address}/24` };
}

const loopback = { lo: [info('127.0.0.1', true)] };

function setup(initial: Record<string, NetworkInterfaceInfo[]>) {
  const clock = new ManualClock();
  let current: Record<string, NetworkInterfaceInfo[]> | Error = initial;
  let polls = 0;
  const watcher = new NetworkWatcher({
    clock,
    interfaces: () => {
      polls++;
      if (current instanceof Error) throw current;
      return current;
    },
  });
  const log: string[] = [];
  watcher.onNetworkUp(() => log.push('up'));
  watcher.onNetworkDown(() => log.push('down'));
  watcher.onNetworkChange((e) => log.push(`change ${e.addresses.join(',')}`));
  return {
    clock,
    watcher,
    log,
    polls: () => polls,
    set(next: Record<string, NetworkInterfaceInfo[]> | Error) {
      current = next;
    },
  };
}

describe('NetworkWatcher', () => {
  it('ignores internal addresses', () => {
    expect(externalAddresses({ ...loopback, eth0: [info('10.0.0.2')], empty: undefined })).toEqual(['eth0/10.0.0.2']);
  });

  it('starts from what is there without firing, and polls every 2 s', () => {
    const t = setup({ ...loopback, eth0: [info('10.0.0.2')] });
    expect(t.watcher.online).toBe(true);
    expect(t.polls()).toBe(1);
    t.clock.advance(1999);
    expect(t.polls()).toBe(1);
    t.clock.advance(1);
    expect(t.polls()).toBe(2);
    expect(t.log).toEqual([]);
    t.watcher.dispose();
  });

  it('reports down when the last external address goes, and up when one comes back', () => {
    const t = setup({ ...loopback, wlan0: [info('192.168.1.5')] });
    t.set(loopback);
    t.clock.advance(2000);
    expect(t.log).toEqual(['down']);
    expect(t.watcher.online).toBe(false);
    t.clock.advance(20_000);
    expect(t.log).toEqual(['down']);
    t.set({ ...loopback, wlan0: [info('192.168.1.5')] });
    t.clock.advance(2000);
    expect(t.log).toEqual(['down', 'up']);
    expect(t.watcher.online).toBe(true);
    t.watcher.dispose();
  });

  it('reports a change when the addresses change while some remain', () => {
    const t = setup({ ...loopback, wlan0: [info('192.168.1.5')] });
    t.set({ ...loopback, wlan0: [info('10.1.1.9')] });
    t.clock.advance(2000);
    t.set({ ...loopback, wlan0: [info('10.1.1.9')], tun0: [info('172.16.0.2')] });
    t.clock.advance(2000);
    t.clock.advance(2000); // unchanged: nothing
    expect(t.log).toEqual(['change wlan0/10.1.1.9', 'change tun0/172.16.0.2,wlan0/10.1.1.9']);
    t.watcher.dispose();
  });

  it('starting offline, the first address is up', () => {
    const t = setup(loopback);
    expect(t.watcher.online).toBe(false);
    t.set({ ...loopback, eth0: [info('10.0.0.2')] });
    t.clock.advance(2000);
    expect(t.log).toEqual(['up']);
    t.watcher.dispose();
  });

  it('a poll that throws is skipped, not taken as network down', () => {
    const t = setup({ ...loopback, eth0: [info('10.0.0.2')] });
    t.set(new Error('EINVAL'));
    t.clock.advance(6000);
    expect(t.log).toEqual([]);
    expect(t.watcher.online).toBe(true);
    t.set(loopback);
    t.clock.advance(2000);
    expect(t.log).toEqual(['down']);
    t.watcher.dispose();
  });

  it('leaves no timer and stops polling once disposed', () => {
    const t = setup({ ...loopback, eth0: [info('10.0.0.2')] });
    t.clock.advance(4000);
    t.watcher.dispose();
    expect(t.clock.pendingTimers).toBe(0);
    const polls = t.polls();
    t.set(loopback);
    t.clock.advance(60_000);
    expect(t.polls()).toBe(polls);
    expect(t.log).toEqual([]);
  });
});
