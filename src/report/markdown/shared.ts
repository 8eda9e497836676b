// Pieces every part of the Markdown audit uses: options, links to code, names of things, plurals.
import type { Category, Finding, RuntimeContext } from '../../engine/types.js';
import { displayPath, period } from '../common.js';
import { mdCode, mdHref, mdMessage } from '../escape.js';
import { FAMILY_LABEL } from '../library.js';
import type { Cause, FindingView } from '../view.js';

export interface MarkdownOptions {
  /** heading of the report */
  title?: string;
  /** the scan root relative to the repository root, for links */
  pathPrefix?: string;
  /** URL prefix for file links, e.g. `https://github.com/o/r/blob/<sha>/`; default: relative links */
  linkBase?: string;
  /** where the full report can be read (the summary form links to it) */
  reportUrl?: string;
  /** shown under the title when given (stable output otherwise) */
  timestamp?: string;
  /** extra lines for the scope section, e.g. what a baseline or diff filter hid */
  notes?: string[];
  /** cut the report at a section boundary to stay under this many UTF-8 bytes */
  maxBytes?: number;
  /** how many rules the executive summary describes */
  topRisks?: number;
  /** how many changes the "fix first" list names */
  fixFirst?: number;
  /** causes of one rule shown in full (excerpt, blast radius); the rest are listed under <details> */
  detailsPerRule?: number;
  /** the short pull-request form, whose findings live in the full report */
  summaryForm?: boolean;
}

export const CATEGORY_LABEL: Record<Category, string> = {
  timeout: 'Timeouts',
  pool: 'Connection pools',
  retry: 'Retries and lost work',
  healthcheck: 'Healthchecks',
  'permanent-failure': 'Recovery from failure',
  idempotency: 'Idempotency',
  durability: 'Durability',
  'circuit-breaker': 'Circuit breakers',
  'resource-limit': 'Resource limits',
  config: 'Production configuration',
};

export const CONTEXT_LABEL: Record<RuntimeContext, string> = {
  service: 'service code',
  browser: 'browser code',
  cli: 'CLI and scripts',
  build: 'build tooling',
  example: 'examples',
  test: 'tests',
};

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

export function list(items: string[], and = 'and'): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} ${and} ${items[items.length - 1]}`;
}

/** A service name (from the repository) as code. */
export function svc(name: string, inTable = false): string {
  return mdCode(name, inTable);
}

/** Names as code, at most `max`, then "and N more". */
export function names(items: string[], max = 6, inTable = false): string {
  const shown = items.slice(0, max).map((n) => svc(n, inTable));
  if (items.length > max) shown.push(`${items.length - max} more`);
  return list(shown);
}

/** Entry point labels (repository text: route paths, task names) as code, at most `max`, then "and N more entry points". */
export function entryNames(labels: string[], max = 4, inTable = false, total = labels.length): string {
  const shown = labels.slice(0, max).map((n) => mdCode(n, inTable));
  if (total > shown.length) shown.push(plural(total - shown.length, 'more entry point'));
  return list(shown);
}

export function fileHref(f: Pick<Finding, 'file' | 'line'> & { endLine?: number }, opts: MarkdownOptions): string {
  const path = displayPath(f.file, opts.pathPrefix);
  const anchor = f.endLine !== undefined && f.endLine > f.line ? `#L${f.line}-L${f.endLine}` : `#L${f.line}`;
  return mdHref(`${opts.linkBase ?? ''}${path.split('/').map(encodeURIComponent).join('/')}${anchor}`);
}

/** `[`path:line`](link)`: the form every location takes (tests and readers rely on it). */
export function fileLink(f: Pick<Finding, 'file' | 'line'> & { endLine?: number }, opts: MarkdownOptions, inTable = false): string {
  const path = displayPath(f.file, opts.pathPrefix);
  return `[${mdCode(`${path}:${f.line}`, inTable)}](${fileHref(f, opts)})`;
}

/** A finding's message as safe Markdown, ending with a full stop. */
export function message(v: FindingView, inTable = false): string {
  return mdMessage(period(v.message), inTable);
}

/** Where a finding runs, in words: "in `worker`", "browser code". */
export function whereLabel(v: FindingView): string {
  const parts: string[] = [];
  const own = v.services.map((s) => s.name).filter((n) => n !== v.f.symbol);
  if (own.length) parts.push(`${own.length === 1 ? 'service' : 'services'} ${names(own, 3)}`);
  if (v.context && v.context !== 'service') parts.push(CONTEXT_LABEL[v.context]);
  return parts.join(', ');
}

/** What one change is, in words: "in `compose.yaml` for 6 services", "in `app/client.py` (3 places)". */
export function causeScope(c: Cause, opts: MarkdownOptions): string {
  const n = c.findings.length;
  if (c.kind === 'compose-file') {
    const services = [...new Set(c.findings.map((v) => v.f.symbol).filter((s): s is string => !!s))].sort();
    return `${fileLink(c, opts)} for ${plural(services.length, 'service')} (${names(services, 4)})`;
  }
  if (c.kind === 'same-file') return `${fileLink(c, opts)} (${plural(n, 'place')})`;
  if (c.kind === 'single') {
    const v = c.findings[0];
    return `${fileLink(v.f, opts)}${v.f.symbol ? ` in ${mdCode(v.f.symbol)}` : ''}`;
  }
  const files = new Set(c.findings.map((v) => v.f.file)).size;
  return `${fileLink(c, opts)} (${plural(n, 'finding')}${files > 1 ? ` in ${plural(files, 'file')}` : ''})`;
}

/** The change a cause asks for: the fix title for its library and context, or the model's group title. */
export function causeChange(c: Cause): string {
  const t = c.findings[0].texts;
  const fix = t ? period(t.fixTitle) : `Fix ${c.ruleId}.`;
  // one process-wide setting, or else the fix at each call
  if (c.groupTitle && c.kind === 'library-default') return `${mdMessage(c.groupTitle)}; or, call by call: ${mdMessage(fix.charAt(0).toLowerCase() + fix.slice(1))}`;
  if (c.groupTitle) return `${mdMessage(period(c.groupTitle))} ${mdMessage(fix)}`;
  return mdMessage(fix);
}

/** "Redis", "browser code": the variant a text was picked for, as a label. */
export function variantLabel(keys: string[]): string {
  // a kind of finding (`password`, `node-without-volume`) is what the fix says already: no label
  return keys
    .filter((k) => k in FAMILY_LABEL || k in CONTEXT_LABEL)
    .map((k) => (k in FAMILY_LABEL ? FAMILY_LABEL[k as keyof typeof FAMILY_LABEL] : CONTEXT_LABEL[k as RuntimeContext]))
    .join(', ');
}

/** A section heading with an explicit anchor (GitHub keeps `id`s as `user-content-…` and resolves `#id`). */
export function heading(level: number, text: string, id: string): string {
  return `<a id="${id}"></a>\n${'#'.repeat(level)} ${text}`;
}
