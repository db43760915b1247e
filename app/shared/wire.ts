// How the contract travels over a message channel (the WebSocket bridge): control messages as JSON text,
// pane output as binary frames so that bytes are not re-encoded.
import { z } from 'zod';
import { HoldfastErrorData } from './model';

export const ClientMessage = z.discriminatedUnion('t', [
  z.object({ t: z.literal('call'), id: z.number().int(), name: z.string(), input: z.unknown() }),
  /** One-way: no result comes back. */
  z.object({ t: z.literal('notify'), name: z.string(), input: z.unknown() }),
  /** Start and stop receiving one pane's output (binary frames). */
  z.object({ t: z.literal('sub'), paneId: z.string().min(1).max(200) }),
  z.object({ t: z.literal('unsub'), paneId: z.string().min(1).max(200) }),
]);
export type ClientMessage = z.infer<typeof ClientMessage>;

// A plain union: two members share t = 'result' (told apart by `ok`), which a discriminated union refuses.
// `value` is optional because a command that returns nothing arrives with no value key after JSON.
export const ServerMessage = z.union([
  z.object({ t: z.literal('result'), id: z.number().int(), ok: z.literal(true), value: z.unknown().optional() }),
  z.object({ t: z.literal('result'), id: z.number().int(), ok: z.literal(false), error: HoldfastErrorData }),
  z.object({ t: z.literal('event'), name: z.string(), payload: z.unknown().optional() }),
]);
export type ServerMessage = z.infer<typeof ServerMessage>;

const PANE_DATA_FRAME = 1;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Frame layout: [1 byte kind][2 bytes paneId length, big endian][paneId UTF-8][data]. */
export function encodePaneData(paneId: string, data: Uint8Array): Uint8Array {
  const id = encoder.encode(paneId);
  const frame = new Uint8Array(3 + id.length + data.length);
  frame[0] = PANE_DATA_FRAME;
  frame[1] = (id.length >> 8) & 0xff;
  frame[2] = id.length & 0xff;
  frame.set(id, 3);
  frame.set(data, 3 + id.length);
  return frame;
}

export function decodePaneData(frame: Uint8Array): { paneId: string; data: Uint8Array } {
  if (frame.length < 3 || frame[0] !== PANE_DATA_FRAME) throw new Error('Not a pane data frame');
  const idLength = (frame[1]! << 8) | frame[2]!;
  if (frame.length < 3 + idLength) throw new Error('Truncated pane data frame');
  const paneId = decoder.decode(frame.subarray(3, 3 + idLength));
  return { paneId, data: frame.subarray(3 + idLength) };
}
