// Rescue: the host's programs outside tmux, and moving them in (reptyr) or resuming them there. The listing runs on
// a connected host only; the actions run only when the user clicks, and their exact command is shown first.
import { HoldfastError } from '../../shared/contract';
import type { RescueService } from '../rescue/service';
import type { CoreContext, Handlers } from './context';

type RescueCommands = 'rescue.scan' | 'rescue.plan' | 'rescue.run';

export function rescueHandlers(ctx: CoreContext, rescue: RescueService): Handlers<RescueCommands> {
  const connected = (hostId: string) => {
    const host = ctx.hosts.get(hostId);
    const connection = host.status.state === 'connected' ? host.connection : undefined;
    if (!connection) throw new HoldfastError({ code: 'NETWORK', message: 'The host is not connected.' });
    return connection;
  };
  return {
    'rescue.scan': async ({ hostId }) => rescue.scan(hostId, connected(hostId)),
    'rescue.plan': async ({ hostId, action }) => rescue.plan(hostId, connected(hostId), action),
    'rescue.run': async ({ hostId, action, command }) => rescue.run(hostId, connected(hostId), action, command),
  };
}
