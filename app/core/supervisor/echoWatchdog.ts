// Notices a dead link from the user's side: a key went out and nothing at all came back. Keepalives take seconds to
// notice a silent link (a Wi-Fi whose uplink died); a user typing into it notices in one. When no output from any
// pane of the host follows a key within ECHO_OVERDUE_MS, the host's connection is probed at once.
import { MutableDisposable, type IDisposable } from '../../shared/lifecycle';
import type { IClock } from '../interfaces';

/** A remote echo normally takes one round trip; over a second of nothing after a key is worth a probe. */
export const ECHO_OVERDUE_MS = 1200;

export class EchoWatchdog implements IDisposable {
  private readonly _timer = new MutableDisposable<IDisposable>();

  constructor(
    private readonly _clock: Pick<IClock, 'setTimeout'>,
    private readonly _onOverdue: () => void,
    private readonly _overdueMs = ECHO_OVERDUE_MS,
  ) {}

  /** Keys went to a pane of the host. The first key starts the wait; later ones do not extend it. */
  inputSent(): void {
    if (this._timer.value) return;
    this._timer.value = this._clock.setTimeout(() => {
      this._timer.clear();
      this._onOverdue();
    }, this._overdueMs);
  }

  /** Output came from some pane of the host: the link is alive. */
  outputReceived(): void {
    this._timer.clear();
  }

  /** The link went away or was replaced: whatever was awaited is moot. */
  reset(): void {
    this._timer.clear();
  }

  dispose(): void {
    this._timer.dispose();
  }
}
