// Pairing devices, for the desktop's own views: a paired device manages no devices (it never sees the others, and
// cannot pair more or revoke the owner's choices).
import { HoldfastError } from '../../shared/contract';
import type { CoreClient } from '../clients';
import type { ICompanion } from '../interfaces';
import type { CoreContext, Handlers } from './context';

type DeviceCommands = 'devices.list' | 'devices.options' | 'devices.pair' | 'devices.revoke';

function companionFor(ctx: CoreContext, client: CoreClient): ICompanion {
  if (client.info.kind === 'device') throw new HoldfastError({ code: 'VALIDATION', message: 'Devices are managed on the computer Holdfast runs on.' });
  if (!ctx.companion) throw new HoldfastError({ code: 'VALIDATION', message: 'This Holdfast cannot pair devices.' });
  return ctx.companion;
}

export function deviceHandlers(ctx: CoreContext): Handlers<DeviceCommands> {
  return {
    'devices.list': async (_input, client) => companionFor(ctx, client).devices(),
    'devices.options': async (_input, client) => companionFor(ctx, client).options(),
    'devices.pair': async (request, client) => companionFor(ctx, client).pair(request),
    'devices.revoke': async ({ deviceId }, client) => {
      if (!companionFor(ctx, client).revoke(deviceId)) throw new HoldfastError({ code: 'NOT_FOUND', message: 'That device is not paired.' });
    },
  };
}
