#!/usr/bin/env node
// What the rules cost on top of the engine, per language, in one thread and one process:
//   engine only   read + decode + parse + extract facts, every (non-test) file, no rule
//   all rules     the same, then every enabled rule on every file (each rule still checks its own
//                 gate, as in a scan; what is not skipped is the parse of files no rule wants)
//   as shipped    the same rules behind their gates: files no rule wants are never parsed
// Throughput is source MB per second of the whole file set in each case, so the ratios compare
// like with like. Prints figures only; run it a few times on a noisy machine.
//   npm run bench:rules -- <dir> [--runs N] [--select RULES]
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Catalog, readCatalogDir } from '../dist/catalog/index.js';
import { discover } from '../dist/engine/discover.js';
import { fileContext, isTestPath } from '../dist/engine/paths.js';
import { decodeFile } from '../dist/engine/process-file.js';
import { loadRules } from '../dist/engine/rules.js';
import { analyzeFacts, compileRules, fileWanted, GateInput } from '../dist/engine/run-file.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const rulesDir = join(here, '..', 'rules');
const { values, positionals } = parseArgs({ options: { runs: { type: 'string', default: '3' }, select: { type: 'string' } }, allowPositionals: true });
const runs = Number(values.runs);
const select = values.select?.split(',');
const dir = resolve(positionals[0] ?? '.');

const catalog = new Catalog(readCatalogDir(join(rulesDir, 'catalog')));
const metas = loadRules(rulesDir).filter((r) => !select || select.includes(r.id) || select.includes(r.name) || select.includes(r.category));
const rules = await compileRules(metas, catalog);
const engine = { priorityOverrides: {}, includeTests: false };
const found = discover(dir, [dir], { exclude: [], composeNames: [], gitignore: true });

const adapters = {
  python: await (await import('../dist/languages/python/index.js')).createPythonAdapter(),
  typescript: await (await import('../dist/languages/typescript/index.js')).createTypeScriptAdapter(),
};

console.log(`corpus: ${dir}; best of ${runs}, one thread`);
console.log('| language | rules | files | MB | engine only MB/s | all rules MB/s | as shipped MB/s | all rules / engine only | as shipped / engine only |');
console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|');
for (const lang of ['python', 'typescript']) {
  const files = found.files.filter((f) => f.kind === lang && !isTestPath(f.rel));
  if (!files.length) continue;
  const bytes = files.reduce((n, f) => n + readFileSync(f.abs).length, 0);
  const langRules = rules.filter((r) => r.meta.languages.includes(lang));
  /** one pass over every file; mode: 'engine' | 'rules' | 'gated' */
  const pass = (mode) => {
    const t0 = performance.now();
    for (const f of files) {
      const { text } = decodeFile(readFileSync(f.abs), lang);
      if (text === null) continue;
      const gateInput = new GateInput(text, lang);
      if (mode === 'gated' && !fileWanted(langRules, gateInput)) continue;
      let facts;
      try {
        facts = adapters[lang].extract(f.rel, text);
      } catch {
        continue; // reported by the scan as an error entry; not part of this measurement
      }
      if (mode !== 'engine') analyzeFacts(facts, text, fileContext(f.rel, text), langRules, catalog, engine, gateInput);
    }
    return (performance.now() - t0) / 1000;
  };
  const best = { engine: Infinity, rules: Infinity, gated: Infinity };
  pass('rules'); // warm-up: JIT and lazily loaded modules, not counted
  for (let i = 0; i < runs; i++) for (const mode of Object.keys(best)) best[mode] = Math.min(best[mode], pass(mode));
  const mb = bytes / 1e6;
  const rate = (s) => (mb / s).toFixed(2);
  console.log(
    `| ${lang} | ${langRules.length} | ${files.length} | ${mb.toFixed(1)} | ${rate(best.engine)} | ${rate(best.rules)} | ${rate(best.gated)} | ${(best.engine / best.rules).toFixed(2)}x | ${(best.engine / best.gated).toFixed(2)}x |`,
  );
}
