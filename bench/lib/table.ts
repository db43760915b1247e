// The table as text: one row per path, the ratio to its OpenSSH reference, and the target where one applies.
import type { Results } from './results';

function fmt(n: number): string {
  if (!Number.isFinite(n)) return '–';
  if (Math.abs(n) >= 100) return n.toFixed(0);
  if (Math.abs(n) >= 10) return n.toFixed(1);
  return n.toFixed(2);
}

export function formatTable(results: Results): string {
  const header = ['case / path', 'unit', 'median', 'min', 'max', 'vs OpenSSH', 'target'];
  const lines = results.rows.map((row) => {
    const ratio = results.ratio(row);
    return [
      row.name,
      row.unit,
      fmt(row.summary.median),
      fmt(row.summary.min),
      fmt(row.summary.max),
      ratio === undefined ? '' : `${fmt(ratio)}×`,
      row.target ? `${row.target.met ? 'met' : 'MISSED'}: ${row.target.text}` : '',
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const render = (cells: string[]) => `| ${cells.map((c, i) => (i >= 2 && i <= 5 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join(' | ')} |`;
  const sep = `|${widths.map((w, i) => (i >= 2 && i <= 5 ? `${'-'.repeat(w + 1)}:` : '-'.repeat(w + 2))).join('|')}|`;
  const notes = results.rows.filter((r) => r.note).map((r) => `- ${r.name}: ${r.note}`);
  return [render(header), sep, ...lines.map(render), ...(notes.length ? ['', ...notes] : [])].join('\n');
}
