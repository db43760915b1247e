// Flow control between a pane and the views that show it, after VS Code's terminal flow control
// (FlowControlConstants): core counts the bytes each view was sent, each view acknowledges the bytes its terminal
// has parsed, and core stops reading the pane's channel while the slowest *visible* view is too far behind (ssh's
// window then fills and the server stops sending, so a flood cannot queue megabytes in front of a Ctrl-C).
//
// The rule that binds them (checked by flow.test.ts):
//   LOW < HIGH                      reading resumes below the point where it stopped;
//   ACK_BYTES ≤ (HIGH − LOW) / 2    a view acknowledges at least twice while it is between the marks, so a paused
//                                   pane is always resumed by the acknowledgements of what it was sent;
//   BATCH_MAX ≤ LOW                 one batch never carries the count from under LOW to past HIGH, so every pause
//                                   is preceded by at least one batch the view could acknowledge;
//   HIGH < STALE                    a hidden view is dropped from the stream only far beyond where a visible one
//                                   would have paused it.
export const FLOW = {
  /** Stop reading the pane above this many bytes sent to a visible view and not acknowledged. */
  HIGH_WATERMARK: 512 * 1024,
  /** Read again below this. */
  LOW_WATERMARK: 128 * 1024,
  /** A view acknowledges at the latest every this many bytes (and once per frame otherwise). */
  ACK_BYTES: 64 * 1024,
  /** The largest batch of output core sends in one message. */
  BATCH_MAX_BYTES: 128 * 1024,
  /**
   * A hidden view this far behind stops being sent output (it would only queue up in a page nobody looks at); it
   * gets the pane's current screen instead when it is shown again.
   */
  STALE_BYTES: 4 * 1024 * 1024,
} as const;
