// Pairing devices, for the desktop's own views: a paired device manages no devices (it never sees the others, and
// cannot pair more or revoke the owner's choices).
import { HoldfastError } from '../../shared/contract';
import type { ICompanion } from '../interfaces';
import type { CoreContext, Handlers } from './context';

type DeviceCommands = 'devices.list' | 'devices.options' | 'devices.pair' | 'devices.revoke';

function companionFor(ctx: CoreContext): ICompanion {
  // Only the computer's own views get here (the contract's access for devices.*).
  if (!ctx.companion) throw new HoldfastError({ code: 'VALIDATION', message: 'This Holdfast cannot pair devices.' });
  return ctx.companion;
}

export function deviceHandlers(ctx: CoreContext): Handlers<DeviceCommands> {
  return {
    'devices.list': async () => companionFor(ctx).devices(),
    'devices.options': async () => companionFor(ctx).options(),
    'devices.pair': async (request) => companionFor(ctx).pair(request),
    'devices.revoke': async ({ deviceId }) => {
      const companion = companionFor(ctx);
      if (!companion.devices().some((d) => d.id === deviceId)) throw new HoldfastError({ code: 'NOT_FOUND', message: 'That device is not paired.' });
      // Core first: from here on nothing the device sends runs, whatever happens to its sockets or the devices file.
      ctx.revokeDevice(deviceId);
      companion.revoke(deviceId);
    },
  };
}
