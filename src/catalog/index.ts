// Loads rules/catalog/*.yaml (plus entries from user config) and answers "which catalog API is
// this qualified callee?". Pure data in, lookups out; no rule logic here.
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Ajv } from 'ajv';
import { parse as parseYaml } from 'yaml';
import type { CatalogApi, CatalogFile, CatalogLanguage, CatalogSectionName, CatalogSections } from './types.js';

/** rules/catalog.schema.json: the shape of every catalog file (dist/catalog/ -> ../../rules). */
export const CATALOG_SCHEMA_URL = new URL('../../rules/catalog.schema.json', import.meta.url);
export const CATALOG_SCHEMA_ID = 'https://faultline.dev/schemas/catalog.schema.json';

let schemaCache: object | undefined;
/** The catalog schema, parsed once (the config loader validates `catalog:` entries against its `definitions/api`). */
export function catalogSchema(): object {
  return (schemaCache ??= JSON.parse(readFileSync(CATALOG_SCHEMA_URL, 'utf8')) as object);
}

export class CatalogError extends Error {}

type Validator = ((data: unknown) => boolean) & { errors?: Array<{ instancePath: string; keyword: string; message?: string; params: Record<string, unknown> }> | null };
let validator: Validator | undefined;

/** Throws CatalogError naming the file and the path of every problem (an unknown key names the key). */
export function validateCatalogFile(data: unknown, file: string): CatalogFile {
  validator ??= new Ajv({ allErrors: true, strict: false }).compile(catalogSchema()) as unknown as Validator;
  if (validator(data)) return data as CatalogFile;
  const unknown = new Map<string, string[]>();
  const problems: string[] = [];
  for (const e of validator.errors ?? []) {
    const path = e.instancePath || '/';
    if (e.keyword === 'additionalProperties') {
      unknown.set(path, [...(unknown.get(path) ?? []), `"${String(e.params.additionalProperty)}"`]);
      continue;
    }
    // `oneOf` wrappers repeat what their branches already said
    const text = `${path}: ${e.message ?? e.keyword}`;
    if (e.keyword !== 'oneOf' && !problems.includes(text)) problems.push(text);
  }
  for (const [path, keys] of unknown) {
    const hint = path === '/' ? ' (a catalog file holds `description`, `apis` and the sections of rules/catalog.schema.json; an API entry belongs under `apis:`)' : '';
    problems.unshift(`${path}: unknown key${keys.length > 1 ? 's' : ''} ${keys.join(', ')}${hint}`);
  }
  throw new CatalogError(`${file}: ${problems.join('; ')}`);
}

/** More `{a,b}` expansions than anyone writes by hand: `{a,b}` repeated 22 times is 4 million. */
export const MAX_BRACE_EXPANSIONS = 1000;

export class BraceLimitError extends Error {}

/**
 * Expand `{a,b}` alternations (nested allowed) into plain patterns. Throws BraceLimitError past
 * `limit` patterns, before doing the work: alternations multiply, so a short string can ask for
 * millions. Config is checked with `braceExpansions` first (a clear error naming the key).
 */
export function expandBraces(pattern: string, limit = MAX_BRACE_EXPANSIONS): string[] {
  const out: string[] = [];
  expandInto(pattern, out, limit);
  return out;
}

function expandInto(pattern: string, out: string[], limit: number): void {
  const open = pattern.indexOf('{');
  if (open >= 0) {
    let depth = 0;
    for (let i = open; i < pattern.length; i++) {
      if (pattern[i] === '{') depth++;
      else if (pattern[i] === '}' && --depth === 0) {
        const inner = pattern.slice(open + 1, i);
        const parts: string[] = [];
        let d = 0;
        let start = 0;
        for (let j = 0; j < inner.length; j++) {
          if (inner[j] === '{') d++;
          else if (inner[j] === '}') d--;
          else if (inner[j] === ',' && d === 0) {
            parts.push(inner.slice(start, j));
            start = j + 1;
          }
        }
        parts.push(inner.slice(start));
        const head = pattern.slice(0, open);
        const tail = pattern.slice(i + 1);
        for (const p of parts) expandInto(head + p + tail, out, limit);
        return;
      }
    }
    // unbalanced: literal
  }
  // every branch of the recursion ends in one pattern here, so the count bounds the work too
  if (out.length >= limit) throw new BraceLimitError(`expands to more than ${limit} patterns`);
  out.push(pattern);
}

/** Longer than any qualified name; bounds the cost of expanding (slices of the whole pattern). */
export const MAX_PATTERN_LENGTH = 1000;
const MAX_BRACE_GROUPS = 64;

/**
 * Why a `match` pattern from config cannot be used (too long, too many groups, or more than
 * `limit` patterns after expansion), or undefined. Checked before anything expands it.
 */
export function patternProblem(pattern: string, limit = MAX_BRACE_EXPANSIONS): string | undefined {
  if (pattern.length > MAX_PATTERN_LENGTH) return `is longer than ${MAX_PATTERN_LENGTH} characters`;
  if (pattern.split('{').length - 1 > MAX_BRACE_GROUPS) return `has more than ${MAX_BRACE_GROUPS} \`{\` groups`;
  try {
    expandBraces(pattern, limit);
  } catch (e) {
    if (e instanceof BraceLimitError) return `${e.message} (\`{a,b}\` alternatives multiply)`;
    throw e;
  }
  return undefined;
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** `*` = one dotted segment; a leading `*.` = any prefix, including none. */
function patternToRegExp(p: string): RegExp {
  let prefix = '';
  let rest = p;
  if (rest.startsWith('*.')) {
    prefix = '(?:.*\\.)?';
    rest = rest.slice(2);
  }
  const body = rest
    .split('*')
    .map(escapeRe)
    .join('[^.]+');
  return new RegExp(`^${prefix}${body}$`);
}

interface Indexed {
  exact: Map<string, CatalogApi[]>;
  wild: Array<{ re: RegExp; api: CatalogApi }>;
}

export class Catalog {
  private readonly byLang: Record<CatalogLanguage, Indexed> = {
    python: { exact: new Map(), wild: [] },
    typescript: { exact: new Map(), wild: [] },
  };
  private readonly sections = new Map<string, unknown[]>();
  readonly apis: CatalogApi[] = [];
  private readonly cache = new Map<string, CatalogApi[]>();

  constructor(files: CatalogFile[]) {
    for (const f of files) {
      for (const [key, value] of Object.entries(f)) {
        if (key === 'apis' || key === 'description') continue;
        const list = this.sections.get(key) ?? [];
        if (Array.isArray(value)) list.push(...value);
        else list.push(value);
        this.sections.set(key, list);
      }
      for (const api of f.apis ?? []) this.add(api);
    }
  }

  private add(api: CatalogApi): void {
    this.apis.push(api);
    const idx = this.byLang[api.language];
    for (const raw of api.match) {
      for (const p of expandBraces(raw)) {
        if (p.includes('*')) idx.wild.push({ re: patternToRegExp(p), api });
        else {
          const list = idx.exact.get(p) ?? [];
          list.push(api);
          idx.exact.set(p, list);
        }
      }
    }
  }

  /** Every catalog API whose pattern matches this qualified name. */
  lookup(qualified: string | null, language: CatalogLanguage): CatalogApi[] {
    if (!qualified) return [];
    const key = language + '\0' + qualified;
    const hit = this.cache.get(key);
    if (hit) return hit;
    const idx = this.byLang[language];
    let out = idx.exact.get(qualified) ?? [];
    const wild = idx.wild.filter((w) => w.re.test(qualified)).map((w) => w.api);
    if (wild.length) out = [...out, ...wild];
    this.cache.set(key, out);
    return out;
  }

  /** The first API with one of these roles, or undefined. */
  lookupRole(qualified: string | null, language: CatalogLanguage, roles: readonly string[]): CatalogApi | undefined {
    return this.lookup(qualified, language).find((a) => roles.includes(a.role));
  }

  /** Every entry of a typed section (rules/catalog.schema.json), across files, in file order. */
  section<K extends CatalogSectionName>(name: K): CatalogSections[K] {
    return (this.sections.get(name) ?? []) as CatalogSections[K];
  }

  /** The entries of a section that hold for this language: its own, and those that name no language. */
  entries<K extends CatalogSectionName>(name: K, language: CatalogLanguage): CatalogSections[K] {
    return this.section(name).filter((e) => (e as { language?: string }).language === undefined || (e as { language?: string }).language === language) as CatalogSections[K];
  }

  /**
   * What a file must mention for an API with one of these roles to be called in it: the modules
   * it would import (first segment of each pattern) and the globals it would call (`global: true`
   * entries such as `fetch`). Used for cheap per-file gates before parsing. Null when a pattern
   * starts with a wildcard (a team wrapper that can come from anywhere: no gate).
   */
  gateWords(roles: readonly string[], language?: CatalogLanguage): { modules: string[]; globals: string[] } | null {
    const modules = new Set<string>();
    const globals = new Set<string>();
    for (const api of this.apis) {
      if (!roles.includes(api.role)) continue;
      if (language && api.language !== language) continue;
      for (const raw of api.match) {
        for (const p of expandBraces(raw)) {
          const first = p.split(/[.(]/)[0];
          // "@aws-sdk/*" gates on the scope; "*.task" can come from anywhere: it gates on the words
          // the entry `requires`, or not at all
          if (!first || first.startsWith('*') || (first.includes('*') && !/^[^*]+\/\*$/.test(first))) {
            if (!api.requires?.length) return null;
            for (const w of api.requires) globals.add(w);
            continue;
          }
          (api.global ? globals : modules).add(first.replace(/^node:/, ''));
        }
      }
    }
    return { modules: [...modules].sort(), globals: [...globals].sort() };
  }
}

/**
 * dist/catalog/validated.json, written by `npm run build:dist` (scripts/stamp-catalog.mjs): the
 * hash of the schema and of each built-in catalog file it validated. Compiling the schema costs
 * about 200 ms, most of a cached re-scan, so a file whose text still has the hash it had when the
 * build validated it is not validated again, nor parsed (the stamp holds its data); an edited
 * one (or a folder of the user's) is.
 */
export const CATALOG_STAMP_URL = new URL('./validated.json', import.meta.url);

// JSON has no Infinity, which the catalog writes (`disabledBy: [0, null, .inf]`): the stamp spells
// it as a string no catalog text holds
const INF = '\u0000inf';
export const stampReplacer = (_k: string, v: unknown): unknown => (v === Infinity ? INF : v === -Infinity ? `-${INF}` : v);
const stampReviver = (_k: string, v: unknown): unknown => (v === INF ? Infinity : v === `-${INF}` ? -Infinity : v);

export function sha1(text: string): string {
  return createHash('sha1').update(text).digest('hex');
}

let stamp: { dir: string; schema: string; files: Record<string, { sha: string; data: CatalogFile }> } | null | undefined;
function stampFor(dir: string): Record<string, { sha: string; data: CatalogFile }> | undefined {
  if (stamp === undefined) {
    try {
      stamp = JSON.parse(readFileSync(CATALOG_STAMP_URL, 'utf8'), stampReviver) as typeof stamp;
    } catch {
      stamp = null;
    }
  }
  if (!stamp || resolve(stamp.dir) !== resolve(dir)) return undefined;
  return stamp.schema === sha1(readFileSync(CATALOG_SCHEMA_URL, 'utf8')) ? stamp.files : undefined;
}

/** Read and validate every *.yaml in a catalog directory, sorted by name for determinism, with their file names. */
export function readCatalogFiles(dir: string, opts: { trustStamp?: boolean } = {}): Array<{ name: string; data: CatalogFile; sha: string }> {
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => /\.ya?ml$/.test(n)).sort();
  } catch {
    return [];
  }
  const stamped = opts.trustStamp === false ? undefined : stampFor(dir);
  return names.map((name) => {
    const file = join(dir, name);
    const text = readFileSync(file, 'utf8');
    const sha = sha1(text);
    // validated by the build in exactly this text: its parsed data too (YAML parsing the catalog
    // is another 100 ms)
    const known = stamped?.[name];
    if (known?.sha === sha) return { name, data: known.data, sha };
    let doc: unknown;
    try {
      doc = parseYaml(text);
    } catch (e) {
      throw new CatalogError(`${file}: invalid YAML: ${(e as Error).message.split('\n')[0]}`);
    }
    return { name, data: validateCatalogFile(doc ?? {}, file), sha };
  });
}

/** Read and validate every *.yaml in a catalog directory, sorted by name for determinism. */
export function readCatalogDir(dir: string): CatalogFile[] {
  return readCatalogFiles(dir).map((f) => f.data);
}
