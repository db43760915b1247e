// In control mode tmux answers a program's terminal queries itself (device attributes, cursor position, modes,
// version, colours: input.c) and still passes the query bytes on in %output. A view that answered them too would
// type its answers into the program. This filter takes the queries out of the stream before it reaches any view;
// everything else passes byte for byte, whatever the cut between chunks.
//
// Taken out: CSI … c (DA1/DA2/DA3), CSI … n (DSR, CPR), CSI … $ p (DECRQM), CSI > … q (XTVERSION),
// CSI 11/13/14/15/16/18/19/20/21 t reports, OSC 4/10–19 and 52 with a `?` value, DCS $ q (DECRQSS) and DCS + q
// (XTGETTCAP).

const ESC = 0x1b;
const BEL = 0x07;

type State = 'ground' | 'esc' | 'csi' | 'osc' | 'osc-esc' | 'dcs' | 'dcs-esc';

/** Sequences longer than this are passed on as they are (an OSC 52 copy of a big selection, say). */
const MAX_HELD = 64 * 1024;

export class QueryFilter {
  private _state: State = 'ground';
  /** The bytes of the sequence being read (from its ESC). */
  private _held: number[] = [];

  /** Filters the next chunk; bytes of a sequence not finished yet are held until it is. */
  push(chunk: Uint8Array): Uint8Array {
    if (this._state === 'ground' && chunk.indexOf(ESC) < 0) return chunk;
    const out: number[] = [];
    for (const b of chunk) this._byte(b, out);
    if (this._held.length > MAX_HELD) {
      for (const h of this._held) out.push(h);
      this._held = [];
      this._state = 'ground';
    }
    return Uint8Array.from(out);
  }

  private _byte(b: number, out: number[]): void {
    switch (this._state) {
      case 'ground':
        if (b === ESC) {
          this._state = 'esc';
          this._held = [b];
        } else out.push(b);
        return;
      case 'esc':
        this._held.push(b);
        if (b === 0x5b /* [ */) this._state = 'csi';
        else if (b === 0x5d /* ] */) this._state = 'osc';
        else if (b === 0x50 /* P */) this._state = 'dcs';
        else this._flush(out, true);
        return;
      case 'csi':
        this._held.push(b);
        if (b >= 0x40 && b <= 0x7e) this._flush(out, !isCsiQuery(this._held));
        else if (b === ESC) this._restart(out);
        return;
      case 'osc':
        if (b === BEL) {
          this._held.push(b);
          this._flush(out, !isOscQuery(this._held));
        } else if (b === ESC) {
          this._held.push(b);
          this._state = 'osc-esc';
        } else this._held.push(b);
        return;
      case 'osc-esc':
        this._held.push(b);
        if (b === 0x5c /* \ */) this._flush(out, !isOscQuery(this._held));
        else this._state = 'osc';
        return;
      case 'dcs':
        this._held.push(b);
        if (b === ESC) this._state = 'dcs-esc';
        return;
      case 'dcs-esc':
        this._held.push(b);
        if (b === 0x5c) this._flush(out, !isDcsQuery(this._held));
        else this._state = 'dcs';
        return;
    }
  }

  /** A CSI broken by a new ESC: what came before passes, the new ESC starts over. */
  private _restart(out: number[]): void {
    this._held.pop();
    for (const h of this._held) out.push(h);
    this._held = [ESC];
    this._state = 'esc';
  }

  private _flush(out: number[], keep: boolean): void {
    if (keep) for (const h of this._held) out.push(h);
    this._held = [];
    this._state = 'ground';
  }
}

function text(bytes: number[]): string {
  return String.fromCharCode(...bytes);
}

function isCsiQuery(seq: number[]): boolean {
  const s = text(seq.slice(2));
  const final = s.slice(-1);
  const body = s.slice(0, -1);
  if (final === 'c') return /^[>=]?[\d;]*$/.test(body);
  if (final === 'n') return /^\??[\d;]*$/.test(body);
  if (final === 'p') return /^\??[\d;]*\$$/.test(body);
  if (final === 'q') return /^>[\d;]*$/.test(body);
  // Window reports (state, position, sizes, title); 22/23 (the title stack) are not queries.
  if (final === 't') return /^(11|13|14|15|16|18|19|20|21)(;\d*)*$/.test(body);
  return false;
}

function isOscQuery(seq: number[]): boolean {
  // ESC ] Ps ; Pt (BEL | ESC \)
  const end = seq[seq.length - 1] === BEL ? seq.length - 1 : seq.length - 2;
  const s = text(seq.slice(2, end));
  return /^(4;\d+|1[0-9]|52;[a-z0-9]*);\?$/.test(s);
}

function isDcsQuery(seq: number[]): boolean {
  const s = text(seq.slice(2, 4));
  return s === '$q' || s === '+q';
}
