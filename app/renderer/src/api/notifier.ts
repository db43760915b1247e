// Desktop notifications from the page: the browser's Notification API, once the user allowed it. In Electron the
// main process shows them (Electron's Notification, app/main/notifications.ts), so the page shows none there.
import { notificationText } from '../../../shared/attention';
import type { Attention } from '../../../shared/model';

export type NotificationPermissionState = 'granted' | 'denied' | 'default' | 'unsupported';

export interface INotifier {
  readonly permission: NotificationPermissionState;
  /** Asks the user (from a click: browsers ask only from a user gesture). */
  request(): Promise<NotificationPermissionState>;
  /** Shows it; `onClick` when the user clicks it. */
  show(attention: Attention, onClick: () => void): void;
}

interface NotificationLike {
  onclick: ((this: unknown, ev: Event) => unknown) | null;
  close(): void;
}

interface NotificationApi {
  readonly permission: 'granted' | 'denied' | 'default';
  requestPermission(): Promise<'granted' | 'denied' | 'default'>;
  new (title: string, options?: { body?: string; tag?: string }): NotificationLike;
}

export class WebNotifier implements INotifier {
  constructor(private readonly _api: NotificationApi | undefined = (globalThis as { Notification?: NotificationApi }).Notification) {}

  get permission(): NotificationPermissionState {
    return this._api ? this._api.permission : 'unsupported';
  }

  async request(): Promise<NotificationPermissionState> {
    if (!this._api) return 'unsupported';
    return this._api.requestPermission();
  }

  show(attention: Attention, onClick: () => void): void {
    if (!this._api || this._api.permission !== 'granted') return;
    const { title, body } = notificationText(attention);
    // The tag makes a second page's copy of the same notification replace the first instead of doubling it.
    const notification = new this._api(title, { body, tag: `holdfast-${attention.id}` });
    notification.onclick = () => {
      onClick();
      notification.close();
    };
  }
}

/** Shows nothing: the Electron shell shows notifications from the main process. */
export const silentNotifier: INotifier = {
  permission: 'unsupported',
  request: async () => 'unsupported',
  show() {},
};
