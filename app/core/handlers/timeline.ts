// The Timeline: what waited for the user and every answer given, kept on this computer, listed and exported.
import { MemoryTimelineLog, type ITimelineLog } from '../timeline/log';
import type { Handlers } from './context';

/** What a list gives when no limit is asked. */
export const TIMELINE_LIST_LIMIT = 500;

export function timelineHandlers(timeline: ITimelineLog): Handlers<'timeline.list' | 'timeline.export'> {
  return {
    'timeline.list': async ({ hostId, limit }) => {
      const entries = timeline.list(hostId ? { hostId } : undefined);
      return { entries: entries.slice(-(limit ?? TIMELINE_LIST_LIMIT)).reverse() };
    },
    'timeline.export': async ({ hostId }) => ({ text: MemoryTimelineLog.toJsonLines(timeline.list(hostId ? { hostId } : undefined)) }),
  };
}
