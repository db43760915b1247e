// Needs you in the Electron shell: a desktop notification (Electron's Notification) for each attention event core
// decided on, the number of waiting panes on the dock / taskbar badge, and a click that brings the window up and
// asks the views to open the pane (the `attention.open` event). Behind IDesktop, so it is tested without Electron.
import type { CoreEvent } from '../core/service';
import type { IDisposable } from '../shared/lifecycle';
import { notificationText } from '../shared/attention';
import type { Attention } from '../shared/model';

export interface IDesktop {
  /** Whether the platform shows notifications at all. */
  notificationsSupported(): boolean;
  showNotification(title: string, body: string, onClick: () => void): void;
  setBadgeCount(count: number): void;
  /** Brings the app's window up. */
  focusWindow(): void;
}

export interface AttentionCore {
  readonly onEvent: (listener: (event: CoreEvent) => void) => IDisposable;
  /** Every view is asked to open this attention's pane. */
  requestOpen(attention: Attention): void;
}

export function showAttention(core: AttentionCore, desktop: IDesktop): IDisposable {
  let badge = -1;
  return core.onEvent((event) => {
    if (event.name === 'needs.changed') {
      const count = event.payload.items.length;
      if (count !== badge) desktop.setBadgeCount((badge = count));
      return;
    }
    if (event.name !== 'attention' || !desktop.notificationsSupported()) return;
    const attention = event.payload;
    const { title, body } = notificationText(attention);
    desktop.showNotification(title, body, () => {
      desktop.focusWindow();
      core.requestOpen(attention);
    });
  });
}

/**
 * A notification body as plain text for a server that reads bodies as markup: freedesktop notification servers on
 * Linux take `<a href>`, `<b>`, `<img>` in the body, and the text comes from whatever a program printed (OSC 9/777).
 */
export function escapeNotificationMarkup(text: string): string {
  return text.replace(/[&<>]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;' })[c]!);
}

/** The Electron side of IDesktop. */
export function electronDesktop(
  electron: {
    Notification: { isSupported(): boolean; new (options: { title: string; body: string }): { on(event: 'click', listener: () => void): void; show(): void } };
    app: { setBadgeCount(count: number): boolean };
  },
  focusWindow: () => void,
  platform: string = process.platform,
): IDesktop {
  // A notification that is garbage-collected loses its click handler: keep the recent ones.
  const recent: unknown[] = [];
  return {
    notificationsSupported: () => electron.Notification.isSupported(),
    showNotification(title, body, onClick) {
      // Electron hands the body to libnotify as it is on Linux, where the notification server reads it as markup.
      const notification = new electron.Notification({ title, body: platform === 'linux' ? escapeNotificationMarkup(body) : body });
      notification.on('click', onClick);
      notification.show();
      recent.push(notification);
      if (recent.length > 20) recent.shift();
    },
    setBadgeCount: (count) => void electron.app.setBadgeCount(count),
    focusWindow,
  };
}
