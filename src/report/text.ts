// Terminal output, one line per finding (path:line:col, like compilers and Ruff, so editors and
// terminals make it clickable), then errors and a one-line summary.
import type { Priority, ScanResult } from '../engine/types.js';

export interface TextOptions {
  color: boolean;
}

const PRIORITY_COLOR: Record<Priority, string> = { P0: '\x1b[1;31m', P1: '\x1b[33m', P2: '\x1b[36m' };
const DIM = '\x1b[2m';
const BOLD = '\x1b[1m';
const RESET = '\x1b[0m';

export function renderText(result: ScanResult, opts: TextOptions): string {
  const c = (code: string, s: string) => (opts.color ? code + s + RESET : s);
  const lines: string[] = [];
  for (const f of result.findings) {
    lines.push(
      `${c(BOLD, `${f.file}:${f.line}:${f.column}`)}: ${c(PRIORITY_COLOR[f.priority], f.priority)} ${f.ruleId} ${c(DIM, `[${f.category}]`)} ${f.message}`,
    );
  }
  if (result.errors.length) {
    if (lines.length) lines.push('');
    for (const e of result.errors) lines.push(`${c(BOLD, e.file + (e.line ? `:${e.line}` : ''))}: ${c(DIM, 'error:')} ${e.message}`);
  }
  const by = { P0: 0, P1: 0, P2: 0 };
  for (const f of result.findings) by[f.priority]++;
  const n = result.findings.length;
  if (lines.length) lines.push('');
  lines.push(
    `${n === 0 ? 'No findings' : `${n} finding${n === 1 ? '' : 's'} (P0: ${by.P0}, P1: ${by.P1}, P2: ${by.P2})`} in ${result.stats.files} file${
      result.stats.files === 1 ? '' : 's'
    }${result.errors.length ? `, ${result.errors.length} error${result.errors.length === 1 ? '' : 's'}` : ''}.`,
  );
  return lines.join('\n') + '\n';
}
