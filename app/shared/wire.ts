// How the contract travels over a message channel (the WebSocket bridge): control messages as JSON text,
// pane output as binary frames so that bytes are not re-encoded.
import { z } from 'zod';
import { isPaneSize, type PaneSize } from './geometry';
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
/** A tmux pane's new size, in order with its output (geometry.ts). */
const PANE_SIZE_FRAME = 2;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

function frame(kind: number, paneId: string, body: Uint8Array): Uint8Array {
  const id = encoder.encode(paneId);
  const out = new Uint8Array(3 + id.length + body.length);
  out[0] = kind;
  out[1] = (id.length >> 8) & 0xff;
  out[2] = id.length & 0xff;
  out.set(id, 3);
  out.set(body, 3 + id.length);
  return out;
}

/** Frame layout: [1 byte kind][2 bytes paneId length, big endian][paneId UTF-8][data]. */
export function encodePaneData(paneId: string, data: Uint8Array): Uint8Array {
  return frame(PANE_DATA_FRAME, paneId, data);
}

/** Frame layout: [2][2 bytes paneId length][paneId UTF-8][cols, 2 bytes big endian][rows, 2 bytes big endian]. */
export function encodePaneSize(paneId: string, size: PaneSize): Uint8Array {
  return frame(PANE_SIZE_FRAME, paneId, Uint8Array.from([(size.cols >> 8) & 0xff, size.cols & 0xff, (size.rows >> 8) & 0xff, size.rows & 0xff]));
}

export type PaneFrame = { paneId: string; data: Uint8Array } | { paneId: string; size: PaneSize };

export function decodePaneFrame(bytes: Uint8Array): PaneFrame {
  const kind = bytes[0];
  if (bytes.length < 3 || (kind !== PANE_DATA_FRAME && kind !== PANE_SIZE_FRAME)) throw new Error('Not a pane frame');
  const idLength = (bytes[1]! << 8) | bytes[2]!;
  if (bytes.length < 3 + idLength) throw new Error('Truncated pane frame');
  const paneId = decoder.decode(bytes.subarray(3, 3 + idLength));
  const body = bytes.subarray(3 + idLength);
  if (kind === PANE_DATA_FRAME) return { paneId, data: body };
  const size = body.length === 4 ? { cols: (body[0]! << 8) | body[1]!, rows: (body[2]! << 8) | body[3]! } : undefined;
  if (!isPaneSize(size)) throw new Error('Not a pane size');
  return { paneId, size };
}

export function decodePaneData(bytes: Uint8Array): { paneId: string; data: Uint8Array } {
  const decoded = decodePaneFrame(bytes);
  if (!('data' in decoded)) throw new Error('Not a pane data frame');
  return decoded;
}
