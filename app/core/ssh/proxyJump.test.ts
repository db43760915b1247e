import { describe, expect, it } from 'vitest';
import { HoldfastError } from '../../shared/contract';
import { parseProxyJump, resolveHops } from './proxyJump';
import { MemoryProfiles, makeProfile } from '../testing';

describe('parseProxyJump', () => {
  it('reads OpenSSH ProxyJump lists', () => {
    expect(parseProxyJump('bastion')).toEqual([{ user: undefined, host: 'bastion', port: undefined }]);
    expect(parseProxyJump('ann@gw.example:2222, ssh://bob@10.0.0.1:22')).toEqual([
      { user: 'ann', host: 'gw.example', port: 2222 },
      { user: 'bob', host: '10.0.0.1', port: 22 },
    ]);
    expect(parseProxyJump('me@[fe80::1]:2200')).toEqual([{ user: 'me', host: 'fe80::1', port: 2200 }]);
    expect(parseProxyJump('none')).toEqual([]);
    expect(parseProxyJump(undefined)).toEqual([]);
  });

  it.each(['gw:notaport', 'gw:70000', '@gw', 'a,,b', 'gw/x'])('rejects %s as VALIDATION', (value) => {
    expect(() => parseProxyJump(value)).toThrowError(HoldfastError);
    try {
      parseProxyJump(value);
    } catch (e) {
      expect((e as HoldfastError).code).toBe('VALIDATION');
    }
  });
});

describe('resolveHops', () => {
  it("puts a jump host's own chain before it, and the profile last", () => {
    const outer = makeProfile({ name: 'outer', host: 'outer.example', port: 22, user: 'o' });
    const middle = makeProfile({ name: 'middle', host: 'middle.example', port: 2200, user: 'm', jumpHostId: outer.id });
    const target = makeProfile({ name: 'target', host: 'target.example', port: 22, user: 't', jumpHostId: middle.id });
    const hops = resolveHops(target, new MemoryProfiles([outer, middle, target]));
    expect(hops.map((h) => `${h.user}@${h.host}:${h.port}`)).toEqual(['o@outer.example:22', 'm@middle.example:2200', 't@target.example:22']);
    expect(hops.map((h) => h.hostId)).toEqual([outer.id, middle.id, target.id]);
  });

  it('gives ProxyJump hops without a profile the target user and key, and uses a profile named like the hop', () => {
    const alias = makeProfile({ name: 'bastion', host: 'bastion.internal', port: 2022, user: 'b', privateKeyPath: '/k/bastion' });
    const target = makeProfile({ host: 't.example', port: 22, user: 't', privateKeyPath: '/k/t', proxyJump: 'gw.example,bastion' });
    const hops = resolveHops(target, new MemoryProfiles([alias, target]));
    expect(hops.map((h) => [h.user, h.host, h.port, h.privateKeyPath, h.hostId])).toEqual([
      ['t', 'gw.example', 22, '/k/t', undefined],
      ['b', 'bastion.internal', 2022, '/k/bastion', alias.id],
      ['t', 't.example', 22, '/k/t', target.id],
    ]);
  });

  it("does not lend an alias profile's account (its remembered password) to a hop that overrides its user or port", () => {
    const alias = makeProfile({ name: 'bastion', host: 'bastion.internal', port: 2022, user: 'b', privateKeyPath: '/k/bastion' });
    const target = makeProfile({ host: 't.example', port: 22, user: 't', proxyJump: 'root@bastion,bastion:22,b@bastion:2022' });
    const hops = resolveHops(target, new MemoryProfiles([alias, target]));
    expect(hops.map((h) => [h.user, h.host, h.port, h.privateKeyPath, h.hostId])).toEqual([
      ['root', 'bastion.internal', 2022, '/k/bastion', undefined],
      ['b', 'bastion.internal', 22, '/k/bastion', undefined],
      ['b', 'bastion.internal', 2022, '/k/bastion', alias.id],
      ['t', 't.example', 22, undefined, target.id],
    ]);
  });

  it('detects a loop of jump hosts', () => {
    const a = makeProfile({ name: 'a', host: 'a', port: 22, user: 'u' });
    const b = makeProfile({ name: 'b', host: 'b', port: 22, user: 'u', jumpHostId: a.id });
    a.jumpHostId = b.id;
    expect(() => resolveHops(b, new MemoryProfiles([a, b]))).toThrowError(/loop: b → a → b/);
    const self = makeProfile({ name: 'self', host: 's', port: 22, user: 'u' });
    self.jumpHostId = self.id;
    expect(() => resolveHops(self, new MemoryProfiles([self]))).toThrowError(/loop/);
  });

  it('reports a jump host profile that no longer exists', () => {
    const target = makeProfile({ host: 't', port: 22, user: 'u', jumpHostId: 'gone' });
    expect(() => resolveHops(target, new MemoryProfiles([target]))).toThrowError(/no longer exists/);
  });
});
