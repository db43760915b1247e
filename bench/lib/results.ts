// One row of the table: a figure for Holdfast (or a reference path) beside OpenSSH's in the same run.
import { summarize, type Summary } from './stats';

export interface Row {
  /** Case and path, e.g. "throughput exec / Holdfast core → xterm headless". */
  name: string;
  unit: string;
  summary: Summary;
  /** Name of the OpenSSH row this one is compared with, and how (ratio of medians). */
  reference?: string;
  /** Higher is better (throughput) or lower (times). */
  better: 'higher' | 'lower';
  target?: { text: string; met: boolean };
  note?: string;
}

export class Results {
  readonly rows: Row[] = [];
  readonly notes: string[] = [];

  add(row: Omit<Row, 'summary'> & { values: number[] }): Row {
    const { values, ...rest } = row;
    const full: Row = { ...rest, summary: summarize(values) };
    this.rows.push(full);
    return full;
  }

  find(name: string): Row | undefined {
    return this.rows.find((r) => r.name === name);
  }

  ratio(row: Row): number | undefined {
    if (!row.reference) return undefined;
    const ref = this.find(row.reference);
    if (!ref) return undefined;
    return row.summary.median / ref.summary.median;
  }
}
