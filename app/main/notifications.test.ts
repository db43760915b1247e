// The Electron shell's notifications and badge, with a fake desktop and a fake core: what is shown, the badge
// count, and a click that focuses the window and asks the views to open the pane.
import { describe, expect, it } from 'vitest';
import type { CoreEvent } from '../core/service';
import { Emitter } from '../shared/lifecycle';
import type { Attention } from '../shared/model';
import { electronDesktop, showAttention, type IDesktop } from './notifications';

const attention: Attention = { id: '1', kind: 'waiting', hostId: 'h1', hostName: 'gpu box', sessionId: '$3', sessionName: 'agent', tmuxPane: '%7', title: 'agent needs you', body: 'Do you want to make this edit?' };

function rig(supported = true) {
  const events = new Emitter<CoreEvent>();
  const opened: Attention[] = [];
  const shown: { title: string; body: string; click: () => void }[] = [];
  const badges: number[] = [];
  let focused = 0;
  const desktop: IDesktop = {
    notificationsSupported: () => supported,
    showNotification: (title, body, click) => shown.push({ title, body, click }),
    setBadgeCount: (n) => badges.push(n),
    focusWindow: () => focused++,
  };
  const sub = showAttention({ onEvent: events.event, requestOpen: (a) => opened.push(a) }, desktop);
  return { events, opened, shown, badges, focused: () => focused, sub };
}

describe('notifications in the Electron shell', () => {
  it('shows what happened and where, and a click focuses the window and opens the pane', () => {
    const r = rig();
    r.events.fire({ name: 'attention', payload: attention });
    expect(r.shown).toHaveLength(1);
    expect(r.shown[0]).toMatchObject({ title: 'agent needs you', body: 'gpu box · agent\nDo you want to make this edit?' });
    r.shown[0]!.click();
    expect(r.focused()).toBe(1);
    expect(r.opened).toEqual([attention]);
  });

  it('puts the number of waiting panes on the badge, only when it changes', () => {
    const r = rig();
    const state = (n: number): CoreEvent => ({ name: 'needs.changed', payload: { items: Array.from({ length: n }, () => ({}) as never), marks: [] } });
    r.events.fire(state(2));
    r.events.fire(state(2));
    r.events.fire(state(0));
    expect(r.badges).toEqual([2, 0]);
  });

  it('shows nothing where the platform has no notifications, and nothing after it is disposed', () => {
    const r = rig(false);
    r.events.fire({ name: 'attention', payload: attention });
    expect(r.shown).toEqual([]);
    const s = rig();
    s.sub.dispose();
    s.events.fire({ name: 'attention', payload: attention });
    expect(s.shown).toEqual([]);
  });

  it("uses Electron's Notification and app badge", () => {
    const made: { options: { title: string; body: string }; shown: boolean; click?: () => void }[] = [];
    class Notification {
      static isSupported = () => true;
      entry: (typeof made)[number];
      constructor(options: { title: string; body: string }) {
        this.entry = { options, shown: false };
        made.push(this.entry);
      }
      on(_event: 'click', listener: () => void) {
        this.entry.click = listener;
      }
      show() {
        this.entry.shown = true;
      }
    }
    const badges: number[] = [];
    let focused = 0;
    const desktop = electronDesktop({ Notification, app: { setBadgeCount: (n) => (badges.push(n), true) } }, () => focused++);
    let clicked = 0;
    desktop.showNotification('t', 'b', () => clicked++);
    desktop.setBadgeCount(3);
    expect(made).toEqual([{ options: { title: 't', body: 'b' }, shown: true, click: expect.any(Function) }]);
    made[0]!.click!();
    expect(clicked).toBe(1);
    expect(badges).toEqual([3]);
    desktop.focusWindow();
    expect(focused).toBe(1);
  });

  it('on Linux, gives a program\'s words to the notification server as text, never as markup (OSC 9/777 can say anything)', () => {
    const made: { title: string; body: string }[] = [];
    class Notification {
      static isSupported() {
        return true;
      }
      constructor(options: { title: string; body: string }) {
        made.push(options);
      }
      on() {}
      show() {}
    }
    const evil = 'done <a href="https://evil.example/">open</a> <img src="file:///etc/passwd"> & <b>';
    electronDesktop({ Notification, app: { setBadgeCount: () => true } }, () => {}, 'linux').showNotification('t', evil, () => {});
    electronDesktop({ Notification, app: { setBadgeCount: () => true } }, () => {}, 'darwin').showNotification('t', evil, () => {});
    expect(made[0]!.body).toBe('done &lt;a href="https://evil.example/"&gt;open&lt;/a&gt; &lt;img src="file:///etc/passwd"&gt; &amp; &lt;b&gt;');
    expect(made[1]!.body).toBe(evil);
  });
});
