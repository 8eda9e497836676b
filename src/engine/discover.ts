// File discovery: walk the scan roots, honour .gitignore files (nested too) and --exclude globs,
// skip dependency, virtualenv, vendored and generated folders, never follow symlinks, and classify
// each file by extension (sources) or by name (compose). Output is sorted for determinism.
import { existsSync, lstatSync, readFileSync, readdirSync, type Dirent } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import ignore, { type Ignore } from 'ignore';
import picomatch from 'picomatch';
import { parseDocument } from 'yaml';
import { COMPONENT_FILE } from '../model/components.js';

export type FileKind = 'python' | 'typescript' | 'compose';

export interface DiscoveredFile {
  abs: string;
  /** relative POSIX path from the scan root */
  rel: string;
  kind: FileKind;
  size: number;
}

export interface DiscoverOptions {
  /** extra exclude globs (relative to the root) */
  exclude: string[];
  /** extra compose file names (globs on the base name) */
  composeNames: string[];
  /** honour .gitignore files */
  gitignore: boolean;
}

export interface Discovery {
  files: DiscoveredFile[];
  /** package manifests seen on the walk (package.json, pyproject.toml, tsconfig.json), Dockerfiles, CI workflows and Svelte/Vue components, relative POSIX paths, for the project model */
  manifests: string[];
  /** counts of skipped entries by reason */
  skipped: Record<string, number>;
  /** directories and files that could not be read (also counted in `skipped`) */
  errors: Array<{ file: string; message: string }>;
}

/** faultline's own result cache: never scanned, counted or listed, so it cannot change a report */
export const CACHE_DIR_NAME = '.faultline-cache';

/** Folders that never hold first-party code worth auditing. */
export const DEFAULT_SKIP_DIRS = new Set([
  '.git', '.hg', '.svn', 'node_modules', 'bower_components', 'jspm_packages',
  '.venv', '.tox', '.nox', '__pycache__', '.mypy_cache', '.pytest_cache', '.ruff_cache',
  'site-packages', '.eggs', 'vendor', 'vendored', 'third_party', 'third-party',
  'dist', 'build', 'out', '.next', '.nuxt', '.svelte-kit', '.turbo', '.cache', 'coverage', '.yarn', '.pnpm-store',
]);

const PY_EXT = /\.py$/;
// manifest.json: a WebExtension's manifest marks its folder as browser code (src/model/packages.ts)
const MANIFESTS = new Set(['package.json', 'pyproject.toml', 'tsconfig.json', 'manifest.json']);
/** Dockerfiles, listed with the manifests: the model reads what their RUN / ENTRYPOINT / CMD steps run */
export const DOCKERFILE_NAME = /^(?:[Dd]ockerfile(?:\..+)?|.+\.[Dd]ockerfile)$/;
/** GitHub Actions workflows, listed with the manifests: the model reads which scripts their steps run */
export const WORKFLOW_FILE = /(^|\/)\.github\/workflows\/[^/]+\.ya?ml$/;
const TS_EXT = /\.(ts|tsx|js|jsx|mjs|cjs|mts|cts)$/;
const DTS = /\.d\.[cm]?ts$/;
const COMPOSE_NAME = /^(docker-)?compose([.-][^/]*)?\.ya?ml$/;

export function classify(name: string, composeExtra: picomatch.Matcher | null): FileKind | null {
  if (PY_EXT.test(name)) return 'python';
  if (TS_EXT.test(name)) return DTS.test(name) ? null : 'typescript';
  if (COMPOSE_NAME.test(name) || (composeExtra && composeExtra(name))) return 'compose';
  return null;
}

const YAML_EXT = /\.ya?ml$/;
/** Compose files are small; a larger YAML file not named like one is not read to find out. */
const COMPOSE_SNIFF_BYTES = 256 * 1024;
const COMPOSE_TOP_KEYS = new Set(['version', 'name', 'services', 'networks', 'volumes', 'configs', 'secrets', 'include', 'models']);

/**
 * A YAML file not named like a compose file (`stack.yml`, `deploy/prod.yml`) is one when its
 * top level is compose's (only compose keys and `x-` extensions) and `services:` maps names to
 * definitions, one at least with `image:` or `build:`. A text test comes first; only files that
 * pass it are parsed.
 */
export function looksLikeCompose(text: string): boolean {
  if (!/^services:[ \t]*(?:#.*)?$/m.test(text) || !/^[ \t]+(?:image|build):/m.test(text)) return false;
  let data: unknown;
  try {
    const doc = parseDocument(text, { uniqueKeys: false });
    if (doc.errors.length) return false;
    data = doc.toJS();
  } catch {
    return false;
  }
  if (!data || typeof data !== 'object' || Array.isArray(data)) return false;
  const top = data as Record<string, unknown>;
  if (!Object.keys(top).every((k) => COMPOSE_TOP_KEYS.has(k) || k.startsWith('x-'))) return false;
  const services = top.services;
  if (!services || typeof services !== 'object' || Array.isArray(services)) return false;
  const defs = Object.values(services as Record<string, unknown>);
  if (!defs.every((d) => d === null || (typeof d === 'object' && !Array.isArray(d)))) return false;
  return defs.some((d) => d !== null && ('image' in (d as object) || 'build' in (d as object)));
}

function sniffCompose(abs: string, size: number): boolean {
  if (size > COMPOSE_SNIFF_BYTES) return false;
  try {
    return looksLikeCompose(readFileSync(abs, 'utf8'));
  } catch {
    return false;
  }
}

function toPosix(p: string): string {
  return sep === '/' ? p : p.split(sep).join('/');
}

/**
 * Walk one root. `root` is the directory paths are made relative to; explicit file paths given on
 * the command line are always scanned (a YAML file named explicitly counts as compose).
 */
export function discover(root: string, targets: string[], opts: DiscoverOptions): Discovery {
  const absRoot = resolve(root);
  const skipped: Record<string, number> = {};
  const bump = (r: string) => (skipped[r] = (skipped[r] ?? 0) + 1);
  const errors: Discovery['errors'] = [];
  const unreadable = (abs: string, what: string, e: unknown) => {
    bump(`unreadable ${what}`);
    errors.push({ file: toPosix(relative(absRoot, abs)) || '.', message: `cannot read ${what}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}` });
  };
  const files = new Map<string, DiscoveredFile>();
  const manifests: string[] = [];
  const excluded = opts.exclude.length ? picomatch(opts.exclude, { dot: true }) : null;
  const composeExtra = opts.composeNames.length ? picomatch(opts.composeNames, { dot: true, basename: true }) : null;

  const isExcluded = (rel: string, isDir: boolean) =>
    excluded !== null && (excluded(rel) || (isDir && excluded(rel + '/')) || excluded(rel + (isDir ? '/**' : '')));

  // .gitignore stack: each entry applies to paths relative to its directory
  const walk = (dirAbs: string, ignores: Array<{ base: string; ig: Ignore }>) => {
    let entries: Dirent[];
    try {
      entries = readdirSync(dirAbs, { withFileTypes: true });
    } catch (e) {
      unreadable(dirAbs, 'directory', e);
      return;
    }
    let stack = ignores;
    if (opts.gitignore && entries.some((e) => e.name === '.gitignore' && e.isFile())) {
      try {
        const ig = ignore().add(readFileSync(join(dirAbs, '.gitignore'), 'utf8'));
        stack = [...ignores, { base: dirAbs, ig }];
      } catch {
        /* unreadable .gitignore: ignore it */
      }
    }
    const gitIgnored = (abs: string, isDir: boolean) =>
      stack.some(({ base, ig }) => {
        const r = toPosix(relative(base, abs));
        return r !== '' && !r.startsWith('..') && ig.ignores(isDir ? r + '/' : r);
      });
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      const abs = join(dirAbs, e.name);
      const rel = toPosix(relative(absRoot, abs));
      if (e.name === CACHE_DIR_NAME) continue;
      if (e.isSymbolicLink()) {
        bump('symlink (not followed)');
        continue;
      }
      if (e.isDirectory()) {
        if (DEFAULT_SKIP_DIRS.has(e.name) || existsSync(join(abs, 'pyvenv.cfg'))) {
          bump('dependency or generated folder');
          continue;
        }
        if (isExcluded(rel, true)) {
          bump('excluded');
          continue;
        }
        if (gitIgnored(abs, true)) {
          bump('gitignored');
          continue;
        }
        walk(abs, stack);
      } else if (e.isFile()) {
        const kind = classify(e.name, composeExtra);
        if (!kind) {
          if (MANIFESTS.has(e.name) || DOCKERFILE_NAME.test(e.name) || WORKFLOW_FILE.test(rel) || COMPONENT_FILE.test(e.name)) manifests.push(rel);
          // other YAML: compose by content? Excluded and gitignored files are neither read nor counted.
          if (!YAML_EXT.test(e.name) || isExcluded(rel, false) || gitIgnored(abs, false)) continue;
          let st;
          try {
            st = lstatSync(abs);
          } catch {
            continue;
          }
          if (sniffCompose(abs, st.size)) files.set(rel, { abs, rel, kind: 'compose', size: st.size });
          continue;
        }
        if (isExcluded(rel, false)) {
          bump('excluded');
          continue;
        }
        if (gitIgnored(abs, false)) {
          bump('gitignored');
          continue;
        }
        let size = 0;
        try {
          size = lstatSync(abs).size;
        } catch (err) {
          unreadable(abs, 'file', err);
          continue;
        }
        files.set(rel, { abs, rel, kind, size });
      }
    }
  };

  // Ancestor .gitignore files between the repository root and the scan root also apply.
  const ancestorIgnores: Array<{ base: string; ig: Ignore }> = [];
  if (opts.gitignore) {
    let dir = absRoot;
    const chain: string[] = [];
    for (;;) {
      const parent = resolve(dir, '..');
      if (existsSync(join(dir, '.git')) || parent === dir) break;
      dir = parent;
      chain.unshift(dir);
    }
    if (existsSync(join(dir, '.git'))) {
      for (const d of chain) {
        const gi = join(d, '.gitignore');
        if (existsSync(gi)) {
          try {
            ancestorIgnores.push({ base: d, ig: ignore().add(readFileSync(gi, 'utf8')) });
          } catch {
            /* ignore */
          }
        }
      }
    }
  }

  for (const t of targets.length ? targets : [absRoot]) {
    const abs = resolve(t);
    let st;
    try {
      st = lstatSync(abs);
    } catch {
      bump('missing path');
      continue;
    }
    if (st.isSymbolicLink()) {
      bump('symlink (not followed)');
      continue;
    }
    if (st.isDirectory()) walk(abs, ancestorIgnores);
    else if (st.isFile()) {
      const name = abs.slice(abs.lastIndexOf(sep) + 1);
      const kind = classify(name, composeExtra) ?? (/\.ya?ml$/.test(name) ? 'compose' : null);
      if (!kind) {
        bump('unsupported file type');
        continue;
      }
      const rel = toPosix(relative(absRoot, abs)) || name;
      files.set(rel, { abs, rel, kind, size: st.size });
    }
  }
  const sorted = [...files.values()].sort((a, b) => (a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : 0));
  return { files: sorted, manifests: manifests.sort(), skipped, errors };
}
