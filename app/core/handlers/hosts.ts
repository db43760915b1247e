// Host profiles and their connections: save, delete, status, retry, disconnect, host keys, and listing a host's
// tmux sessions.
import { HoldfastError } from '../../shared/contract';
import type { HostProfile, HostStatus } from '../../shared/model';
import { newProfile, updateProfile, validateProfileInput } from '../stores';
import { listSessions } from '../tmux/sessions';
import type { CoreContext, Handlers } from './context';

type HostCommands =
  | 'hosts.list'
  | 'hosts.save'
  | 'hosts.delete'
  | 'hosts.status'
  | 'hosts.retryNow'
  | 'hosts.disconnect'
  | 'hosts.forgetHostKey'
  | 'sessions.list';

/** Whether two versions of a profile connect to the same account: same host, port and user. */
export function sameDestination(a: Pick<HostProfile, 'host' | 'port' | 'user'>, b: Pick<HostProfile, 'host' | 'port' | 'user'>): boolean {
  return a.host.toLowerCase() === b.host.toLowerCase() && a.port === b.port && a.user === b.user;
}

export function hostHandlers(ctx: CoreContext): Handlers<HostCommands> {
  const { profiles, secrets, hosts, panes } = ctx;

  const view = async (profile: HostProfile): Promise<HostProfile> => {
    const hasPassword = (await secrets.getRemembered(`password:${profile.id}`)) !== undefined;
    return { ...profile, hasPassword };
  };

  /** Detaches the host's panes and ends its connection. */
  const dropHost = (hostId: string) => {
    panes.closeHostPanes(hostId);
    hosts.drop(hostId);
  };

  return {
    'hosts.list': async () => Promise.all(profiles.list().map(view)),

    'hosts.save': async (input) => {
      await validateProfileInput(input, { profiles });
      const now = ctx.clock.now();
      const existing = input.id ? profiles.get(input.id) : undefined;
      if (input.id && !existing) throw new HoldfastError({ code: 'NOT_FOUND', message: 'This host no longer exists.' });
      const profile = existing
        ? updateProfile(existing, input, now)
        : newProfile({ ...input, keepalive: input.keepalive ?? ctx.settings.get().defaultKeepalive }, now);
      const moved = existing !== undefined && !sameDestination(existing, profile);
      profiles.put(profile);
      if (moved) {
        // A password belongs to the account it was typed for: a profile that now points at another host, port or
        // user must not send it there unasked. Forget it (remembered and for-this-session alike).
        await secrets.delete(`password:${profile.id}`);
      }
      if (input.password) {
        // Remembered (safeStorage) only when asked; otherwise kept until the app stops, for its reconnects.
        if (input.rememberPassword) await secrets.set(`password:${profile.id}`, input.password);
        else await secrets.keepForSession(`password:${profile.id}`, input.password);
      }
      if (moved) {
        // Where to connect changed: the old connection belongs to the old address. Open tabs follow the profile
        // to its new address at once (attended: the new server's key and password may need asking), as Retry
        // now would; a host without panes just waits for the next time it is used.
        const host = hosts.find(profile.id);
        host?.supervisor.disconnect();
        if (host && panes.hasPanesOn(profile.id)) host.supervisor.retryNow();
      }
      ctx.emit('hosts.changed', {});
      return view(profile);
    },

    'hosts.delete': async ({ hostId }) => {
      hosts.profile(hostId);
      dropHost(hostId);
      profiles.delete(hostId);
      await secrets.delete(`password:${hostId}`);
      ctx.emit('hosts.changed', {});
      return undefined;
    },

    'hosts.status': async () => hosts.all.map((host) => host.status as HostStatus),

    'hosts.retryNow': async ({ hostId }, client) => {
      // A paired device never raises a prompt on the computer: it tries only what needs nothing asked.
      if (client.role === 'owner') hosts.get(hostId).supervisor.retryNow();
      else void hosts.get(hostId).ensureConnected({ unattended: true }).catch(() => {});
      return undefined;
    },

    'hosts.disconnect': async ({ hostId }) => {
      dropHost(hostId);
      return undefined;
    },

    'hosts.forgetHostKey': async ({ hostId }) => {
      const profile = hosts.profile(hostId);
      ctx.knownHosts.remove(profile.host, profile.port);
      ctx.sessionKnownHosts.remove(profile.host, profile.port);
      return undefined;
    },

    'sessions.list': async ({ hostId }, client) => {
      const host = hosts.get(hostId);
      // A view-only device looks at what is connected; a full device connects only where nothing needs asking.
      if (client.role === 'viewer' && host.status.state !== 'connected') {
        throw new HoldfastError({ code: 'FORBIDDEN', message: 'This device is view only: it shows hosts the computer has connected.' });
      }
      const connection = await host.ensureConnected({ unattended: client.role !== 'owner' });
      return listSessions(connection);
    },
  };
}
