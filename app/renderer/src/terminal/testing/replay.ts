// Turns a recorded echo trace (echoTraces.ts) into timed events, as a slow link delivers them: each key at its
// time, each echo a round trip later, optionally cut into pieces anywhere. Pure data, for the predictive echo tests.
import type { IEchoTrace } from './echoTraces';

export type TraceEvent =
  | { readonly t: number; readonly key: string; readonly step: number }
  | { readonly t: number; readonly output: string; readonly step: number };

export interface IReplayTiming {
  /** From a key to its echo reaching the terminal. */
  echoMs: number;
  /** Between keys. */
  gapMs: number;
  /** Extra pauses before some steps (step index → ms), as a person stops to read. */
  pauses?: Readonly<Record<number, number>>;
  /** From this step on, no echo comes (the link stalls, the program stops echoing). */
  dropEchoFrom?: number;
  /** Cuts every batch into pieces at offsets drawn from this seed: a link cuts output anywhere. */
  splitSeed?: number;
}

/** When the first key is typed: the setup has long been drawn. */
export const FIRST_KEY_AT = 1000;

export function traceEvents(trace: IEchoTrace, timing: IReplayTiming): TraceEvent[] {
  const events: TraceEvent[] = [{ t: 0, output: trace.setup, step: -1 }];
  let t = FIRST_KEY_AT;
  trace.steps.forEach((step, i) => {
    t += timing.pauses?.[i] ?? 0;
    events.push({ t, key: step.key, step: i });
    if (step.echo && (timing.dropEchoFrom === undefined || i < timing.dropEchoFrom)) events.push({ t: t + timing.echoMs, output: step.echo, step: i });
    t += timing.gapMs;
  });
  // In time order; at the same moment the echo is in before the next key (stable otherwise).
  const ordered = events.map((e, i) => ({ e, i })).sort((a, b) => a.e.t - b.e.t || rank(a.e) - rank(b.e) || a.i - b.i);
  const sorted = ordered.map(({ e }) => e);
  return timing.splitSeed === undefined ? sorted : split(sorted, timing.splitSeed);
}

function rank(e: TraceEvent): number {
  return 'output' in e ? 0 : 1;
}

function split(events: TraceEvent[], seed: number): TraceEvent[] {
  const random = mulberry32(seed);
  const out: TraceEvent[] = [];
  for (const e of events) {
    if (!('output' in e) || e.output.length < 2) {
      out.push(e);
      continue;
    }
    const cuts = new Set<number>();
    const count = 1 + Math.floor(random() * 4);
    for (let i = 0; i < count; i++) {
      let at = 1 + Math.floor(random() * (e.output.length - 1));
      // Never between the halves of a surrogate pair: the pieces are strings, the terminal gets them whole.
      if (isLowSurrogate(e.output.charCodeAt(at))) at--;
      if (at > 0) cuts.add(at);
    }
    let from = 0;
    for (const at of [...cuts].sort((a, b) => a - b)) {
      out.push({ t: e.t, output: e.output.slice(from, at), step: e.step });
      from = at;
    }
    out.push({ t: e.t, output: e.output.slice(from), step: e.step });
  }
  return out;
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
