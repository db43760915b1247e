import { describe, expect, it } from 'vitest';
import { collapseRegion, displayRegion, filterHosts, formatDuration, hostAddress, msUntilNextTick, parseTags, relativeTime, sessionSummary, sortHosts, tabTitles, waitedToday } from './format';

const NOW = 1_700_000_000_000;
const min = 60_000;

describe('relativeTime', () => {
  it('reads recent activity as "just now" and older activity in the largest sensible unit', () => {
    expect(relativeTime(NOW - 10_000, NOW)).toBe('just now');
    expect(relativeTime(NOW + 5 * min, NOW)).toBe('just now');
    expect(relativeTime(NOW - 3 * min, NOW)).toBe('3 min ago');
    expect(relativeTime(NOW - 59 * min, NOW)).toBe('59 min ago');
    expect(relativeTime(NOW - 120 * min, NOW)).toBe('2 h ago');
    expect(relativeTime(NOW - 24 * 60 * min, NOW)).toBe('yesterday');
    expect(relativeTime(NOW - 5 * 24 * 60 * min, NOW)).toBe('5 days ago');
  });
});

describe('filterHosts', () => {
  const hosts = [
    { name: 'web-1', host: '10.0.0.1', port: 22, user: 'deploy', tags: ['prod', 'eu'] },
    { name: 'db', host: 'db.internal', port: 5022, user: 'postgres', tags: ['prod'] },
    { name: 'laptop', host: 'localhost', port: 22, user: 'me', tags: [] },
  ];

  it('matches name, host, user and tags, case-insensitively, every word', () => {
    expect(filterHosts(hosts, 'WEB').map((h) => h.name)).toEqual(['web-1']);
    expect(filterHosts(hosts, 'internal').map((h) => h.name)).toEqual(['db']);
    expect(filterHosts(hosts, 'postgres').map((h) => h.name)).toEqual(['db']);
    expect(filterHosts(hosts, 'prod').map((h) => h.name)).toEqual(['web-1', 'db']);
    expect(filterHosts(hosts, 'prod eu').map((h) => h.name)).toEqual(['web-1']);
    expect(filterHosts(hosts, 'tag:eu').map((h) => h.name)).toEqual(['web-1']);
  });

  it('matches the port and the address as each row shows it', () => {
    expect(filterHosts(hosts, '5022').map((h) => h.name)).toEqual(['db']);
    expect(filterHosts(hosts, 'postgres@db.internal:5022').map((h) => h.name)).toEqual(['db']);
    expect(filterHosts(hosts, 'localhost:22').map((h) => h.name)).toEqual(['laptop']);
  });

  it('returns the same list for an empty query', () => {
    expect(filterHosts(hosts, '  ')).toBe(hosts);
  });

  it('filters 10,000 profiles quickly enough to run on every keystroke', () => {
    const many = Array.from({ length: 10_000 }, (_, i) => ({ name: `host-${i}`, host: `10.0.${i >> 8}.${i & 255}`, port: 22, user: 'u', tags: ['t'] }));
    expect(filterHosts(many, 'host-999').length).toBe(11);
  });
});

describe('text helpers', () => {
  it('formats addresses, sessions, tags and sorts by name naturally', () => {
    expect(hostAddress({ user: 'a', host: 'h', port: 22 })).toBe('a@h');
    expect(hostAddress({ user: 'a', host: 'h', port: 2222 })).toBe('a@h:2222');
    expect(sessionSummary({ id: '$1', name: 'x', windows: 1, attachedClients: 0, lastActivity: NOW - 3 * min, created: 0 }, NOW)).toBe(
      '1 window · detached · 3 min ago',
    );
    expect(sessionSummary({ id: '$1', name: 'x', windows: 3, attachedClients: 2, lastActivity: NOW, created: 0 }, NOW)).toBe('3 windows · attached ×2 · just now');
    expect(parseTags('prod, eu  prod')).toEqual(['prod', 'eu']);
    expect(sortHosts([{ name: 'web10' }, { name: 'Web2' }, { name: 'api' }]).map((h) => h.name)).toEqual(['api', 'Web2', 'web10']);
  });

  it('prefixes tab titles with the host name only when a session name is open on two hosts', () => {
    const titles = tabTitles([
      { id: '1', hostName: 'a', sessionName: 'main' },
      { id: '2', hostName: 'b', sessionName: 'main' },
      { id: '3', hostName: 'a', sessionName: 'work' },
    ]);
    expect([...titles.values()]).toEqual(['a: main', 'b: main', 'work']);
  });
});

describe('msUntilNextTick', () => {
  it('lands every clock on the same whole second, so two countdowns on screen agree', () => {
    for (const now of [10_000, 10_001, 10_400, 10_999]) {
      const next = now + msUntilNextTick(now, 1000);
      expect(Math.floor(next / 1000)).toBe(11);
      expect(next % 1000).toBeLessThan(50);
    }
  });
});

describe('waiting times and the title count', () => {
  it('says how long an item has waited in the largest unit that fits', async () => {
    const { formatWaited, titleWithCount } = await import('./format');
    expect(formatWaited(-5)).toBe('waiting 0 s');
    expect(formatWaited(59_999)).toBe('waiting 59 s');
    expect(formatWaited(3 * 60_000 + 5000)).toBe('waiting 3 min');
    expect(formatWaited(65 * 60_000)).toBe('waiting 1 h 5 min');
    expect(formatWaited(120 * 60_000)).toBe('waiting 2 h');
    expect(titleWithCount('Holdfast', 0)).toBe('Holdfast');
    expect(titleWithCount('Holdfast', 3)).toBe('(3) Holdfast');
  });
});

describe('prompt regions and waiting times', () => {
  it('shows a boxed region without its box, a box inside it without its right side, and keeps the words exact', () => {
    const region = [
      '╭──────────────────────────────────────────────╮',
      '│ Edit file                                    │',
      '│ ╭──────────────────────────────────────────╮ │',
      '│ │  13 -     run()                          │ │',
      '│ │  13 +     run(fast=True)                 │ │',
      '│ ╰──────────────────────────────────────────╯ │',
      '│                                              │',
      '│ Do you want to make this edit to app.py?     │',
      '│ ❯ 1. Yes                                     │',
      '╰──────────────────────────────────────────────╯',
    ];
    expect(displayRegion(region)).toEqual([
      'Edit file',
      '╭───────────────────────────────────────',
      '│  13 -     run()',
      '│  13 +     run(fast=True)',
      '╰───────────────────────────────────────',
      '',
      'Do you want to make this edit to app.py?',
      '❯ 1. Yes',
    ]);
    expect(displayRegion(['Do you want to continue? [Y/n]'])).toEqual(['Do you want to continue? [Y/n]']);
    expect(displayRegion(['─'.repeat(80), ' Bash command', '   npm test'])).toEqual(['─'.repeat(13), ' Bash command', '   npm test']);
  });

  it('collapses a long region to its first and last lines, saying how many are hidden, and a short one not at all', () => {
    const lines = Array.from({ length: 25 }, (_, i) => `line ${i}`);
    const c = collapseRegion(lines, 10);
    expect(c.head).toEqual(lines.slice(0, 7));
    expect(c.tail).toEqual(lines.slice(22));
    expect(c.hidden).toBe(15);
    expect(collapseRegion(lines.slice(0, 10), 10)).toEqual({ head: lines.slice(0, 10), hidden: 0, tail: [] });
  });

  it('counts a session’s waiting today: ended prompts plus the live ones since midnight', () => {
    const now = new Date(2030, 0, 15, 0, 10).getTime();
    const midnight = new Date(2030, 0, 15).getTime();
    // One prompt waiting since 23:55 yesterday counts from midnight: 10 min; one since 00:05: 5 min.
    expect(waitedToday(60_000, [midnight - 5 * 60_000, midnight + 5 * 60_000], now)).toBe(60_000 + 10 * 60_000 + 5 * 60_000);
    expect(formatDuration(65 * 60_000)).toBe('1 h 5 min');
    expect(formatDuration(42_000)).toBe('42 s');
  });
});
