// yaml Document -> a small location-keeping tree with aliases and merge keys (`<<`) resolved.
// Every node keeps the file and range it was WRITTEN at, so a value that comes from an anchor
// points inside the anchor's target, not at the alias.
import { LineCounter, isAlias, isMap, isPair, isScalar, isSeq, parseDocument, visit } from 'yaml';
import type { Document, Node as YamlNode, Pair } from 'yaml';
import type { Loc } from '../types.js';
import { interpolate, type Env } from './interpolate.js';

export interface Src {
  file: string;
  loc: Loc;
}

export interface YEntry {
  key: string;
  keySrc: Src;
  value: YNode;
}

/** compose merge tags on a node: `!reset` (drop the inherited value), `!override` (replace it) */
export type MergeTag = 'reset' | 'override';

export interface YMap {
  kind: 'map';
  src: Src;
  tag?: MergeTag;
  entries: Map<string, YEntry>;
}

export interface YSeq {
  kind: 'seq';
  src: Src;
  tag?: MergeTag;
  items: YNode[];
}

export interface YScalar {
  kind: 'scalar';
  src: Src;
  tag?: MergeTag;
  /** value after `${VAR}` / `$$` interpolation (strings only) */
  value: string | number | boolean | null;
  /** the text as written */
  raw: string;
  /** variables that were referenced but unknown (their literal was kept) */
  unknownVars?: string[];
}

export type YNode = YMap | YSeq | YScalar;

export interface ParsedYaml {
  root: YNode | null;
  /** the comment that opens the document, before its first key (as the parser attaches it) */
  header?: string;
  /** the comment right above each service's key (`# used only for testing` over `proxy:`) */
  serviceNotes?: Record<string, string>;
  /** first parse error, if any */
  error?: { line: number; message: string };
}

const MAX_DEPTH = 64;

function makeLoc(lc: LineCounter, start: number, end: number): Loc {
  const a = lc.linePos(start);
  const b = lc.linePos(Math.max(start, end));
  return { line: a.line, column: a.col, endLine: b.line, endColumn: b.col };
}

/**
 * yaml leaves a plain scalar under a tag it does not know as a string (`!reset null` -> "null");
 * compose's `!reset`/`!override` only mark how to merge, so the value reads as untagged YAML 1.2.
 */
function plainValue(s: string): string | number | boolean | null {
  if (/^(?:~|null|Null|NULL|)$/.test(s)) return null;
  if (/^(?:true|True|TRUE)$/.test(s)) return true;
  if (/^(?:false|False|FALSE)$/.test(s)) return false;
  if (/^[-+]?(?:0|[1-9][0-9]*)$/.test(s) || /^0o[0-7]+$/.test(s) || /^0x[0-9a-fA-F]+$/.test(s)) return Number(s);
  if (/^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$/.test(s)) return Number(s);
  return s;
}

function isMergeKey(key: unknown): boolean {
  return isScalar(key) && (typeof key.value === 'symbol' || key.value === '<<');
}

function keyText(key: unknown): string {
  if (isScalar(key)) return key.value === null ? '' : String(key.value);
  return String(key);
}

class Converter {
  /** anchors in document order (an anchor may be redefined: an alias uses the last one before it) */
  private readonly anchors = new Map<string, Array<{ at: number; node: YamlNode }>>();
  /** the first key written twice in one mapping (yaml's own uniqueKeys check is quadratic) */
  duplicate?: { key: string; line: number };

  constructor(
    doc: Document,
    private readonly lc: LineCounter,
    private readonly file: string,
    private readonly env: Env,
  ) {
    // yaml's Alias.resolve() walks the whole document per call; index the anchors once instead
    visit(doc, (_key, node) => {
      const n = node as YamlNode & { anchor?: string };
      if (n && typeof n === 'object' && 'anchor' in n && n.anchor) {
        const list = this.anchors.get(n.anchor) ?? [];
        list.push({ at: n.range?.[0] ?? 0, node: n });
        this.anchors.set(n.anchor, list);
      }
    });
  }

  private lookupAnchor(name: string, at: number): YamlNode | null {
    let found: YamlNode | null = null;
    for (const a of this.anchors.get(name) ?? []) if (a.at <= at) found = a.node;
    return found;
  }

  private src(node: { range?: [number, number, number] | null } | null | undefined): Src {
    const r = node?.range;
    return { file: this.file, loc: r ? makeLoc(this.lc, r[0], r[1]) : { line: 1, column: 1, endLine: 1, endColumn: 1 } };
  }

  private resolve(node: unknown, depth: number): YamlNode | null {
    let n = node as YamlNode | null;
    let guard = 0;
    while (n && isAlias(n) && guard++ < MAX_DEPTH) n = this.lookupAnchor(n.source, n.range?.[0] ?? Infinity);
    return depth > MAX_DEPTH ? null : n;
  }

  /** one conversion per yaml node: anchors merged into many services are converted once */
  private readonly done = new Map<YamlNode, YNode | null>();

  convert(node: unknown, depth = 0): YNode | null {
    const n = this.resolve(node, depth);
    if (!n) return null;
    if (this.done.has(n)) return this.done.get(n)!;
    this.done.set(n, null); // a cycle through aliases converts to nothing
    const out = this.convertResolved(n, depth);
    const tag = (n as { tag?: string }).tag;
    if (out && (tag === '!reset' || tag === '!override')) out.tag = tag === '!reset' ? 'reset' : 'override';
    this.done.set(n, out);
    return out;
  }

  private convertResolved(n: YamlNode, depth: number): YNode | null {
    if (isMap(n)) {
      const entries = new Map<string, YEntry>();
      const merges: unknown[] = [];
      for (const pair of n.items as Pair[]) {
        if (isMergeKey(pair.key)) {
          const v = this.resolve(pair.value, depth + 1);
          if (isSeq(v)) merges.push(...v.items);
          else merges.push(v);
          continue;
        }
        const key = keyText(pair.key);
        if (entries.has(key) && !this.duplicate) this.duplicate = { key, line: this.src(pair.key as YamlNode).loc.line };
        const value = this.convert(pair.value, depth + 1) ?? this.nullAt(pair);
        entries.set(key, { key, keySrc: this.src(pair.key as YamlNode), value });
      }
      // merge sources: own keys win, earlier sources win over later ones (YAML merge key spec)
      for (const m of merges) {
        const src = this.convert(m, depth + 1);
        if (src?.kind !== 'map') continue;
        for (const [k, e] of src.entries) if (!entries.has(k)) entries.set(k, e);
      }
      return { kind: 'map', src: this.src(n), entries };
    }
    if (isSeq(n)) {
      const items: YNode[] = [];
      for (const it of n.items) {
        const c = this.convert(it, depth + 1);
        if (c) items.push(c);
      }
      return { kind: 'seq', src: this.src(n), items };
    }
    if (isScalar(n)) {
      const tag = (n as { tag?: string }).tag;
      const v = (tag === '!reset' || tag === '!override') && n.type === 'PLAIN' && typeof n.value === 'string' ? plainValue(n.value) : n.value;
      const raw = typeof n.source === 'string' ? n.source : v === null || v === undefined ? '' : String(v);
      if (typeof v === 'string') {
        const r = interpolate(v, this.env);
        const out: YScalar = { kind: 'scalar', src: this.src(n), value: r.value, raw: v };
        if (r.unknown.length) out.unknownVars = r.unknown;
        return out;
      }
      const value = typeof v === 'number' || typeof v === 'boolean' ? v : v === null || v === undefined ? null : String(v);
      return { kind: 'scalar', src: this.src(n), value, raw };
    }
    return null;
  }

  /** `key:` with nothing after it: a null scalar placed right after the key */
  private nullAt(pair: Pair): YScalar {
    const s = this.src(isPair(pair) ? (pair.key as YamlNode) : null);
    return { kind: 'scalar', src: s, value: null, raw: '' };
  }
}

/** Parse one YAML text. Never throws: a syntax error comes back in `error`. */
export function parseYamlTree(file: string, text: string, env: Env): ParsedYaml {
  const lc = new LineCounter();
  let doc: Document;
  try {
    doc = parseDocument(text, { lineCounter: lc, merge: true, prettyErrors: false, uniqueKeys: false });
  } catch (e) {
    return { root: null, error: { line: 1, message: (e as Error).message } };
  }
  if (doc.errors.length) {
    const err = doc.errors[0];
    const line = err.linePos?.[0]?.line ?? lc.linePos(err.pos[0]).line;
    const message =
      err.code === 'MULTIPLE_DOCS'
        ? 'the file holds several YAML documents (`---`); a compose file is one document'
        : err.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
    return { root: null, error: { line, message } };
  }
  try {
    const conv = new Converter(doc, lc, file, env);
    const root = conv.convert(doc.contents);
    if (conv.duplicate) return { root: null, error: { line: conv.duplicate.line, message: `key \`${conv.duplicate.key}\` is defined twice in the same mapping` } };
    // a comment block right above the first key is attached to the map or to that key; one set
    // off by a blank line is the document's
    const contents = doc.contents as (YamlNode & { commentBefore?: string | null; items?: Array<{ key?: { commentBefore?: string | null } }> }) | null;
    const header = [doc.commentBefore, contents?.commentBefore, isMap(contents) ? contents.items[0]?.key && (contents.items[0].key as { commentBefore?: string | null }).commentBefore : undefined]
      .filter((c): c is string => typeof c === 'string' && c.trim() !== '')
      .join('\n');
    const notes: Record<string, string> = {};
    const services = isMap(contents) ? contents.items.find((i) => (i.key as { value?: unknown } | null)?.value === 'services')?.value : undefined;
    if (isMap(services)) {
      services.items.forEach((i, n) => {
        const key = i.key as { value?: unknown; commentBefore?: string | null } | null;
        // the first service's comment may be the `services:` block's own; only a later one is surely its
        if (n > 0 && typeof key?.value === 'string' && key.commentBefore?.trim()) notes[key.value] = key.commentBefore;
      });
    }
    return { root, ...(header ? { header } : {}), ...(Object.keys(notes).length ? { serviceNotes: notes } : {}) };
  } catch (e) {
    return { root: null, error: { line: 1, message: (e as Error).message } };
  }
}

// ---- small accessors ----

export function get(node: YNode | undefined | null, key: string): YNode | undefined {
  return node?.kind === 'map' ? node.entries.get(key)?.value : undefined;
}

export function entry(node: YNode | undefined | null, key: string): YEntry | undefined {
  return node?.kind === 'map' ? node.entries.get(key) : undefined;
}

export function getPath(node: YNode | undefined | null, path: string[]): YNode | undefined {
  let cur: YNode | undefined | null = node;
  for (const k of path) cur = get(cur, k);
  return cur ?? undefined;
}

export function entryPath(node: YNode | undefined | null, path: string[]): YEntry | undefined {
  const parent = getPath(node, path.slice(0, -1));
  return entry(parent, path[path.length - 1]);
}

/** scalar as string ('' for null), undefined for maps/sequences */
export function str(node: YNode | undefined | null): string | undefined {
  if (node?.kind !== 'scalar') return undefined;
  return node.value === null ? '' : String(node.value);
}
