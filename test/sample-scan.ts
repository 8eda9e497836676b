// Shared by the sample-service tests: read a sample's `expect:` / `ok:` annotations (as
// "file:line RULEID" keys) and scan it end to end with every rule.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { expect } from 'vitest';
import { loadRules } from '../dist/engine/rules.js';
import { scan } from '../dist/engine/scan.js';
import { readAnnotations } from './annotations.js';

export const SAMPLES = join(import.meta.dirname, '..', 'fixtures', '_samples');

const idOf = new Map<string, string>();
for (const r of loadRules()) {
  idOf.set(r.id, r.id);
  idOf.set(r.name, r.id);
}

function sourceFiles(dir: string, ext: RegExp): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((n) => {
      const p = join(dir, n);
      return statSync(p).isDirectory() ? sourceFiles(p, ext) : ext.test(n) ? [p] : [];
    });
}

/** `expect:` keys (sorted, unique) and `ok:` keys of every source file under `root` matching `ext` */
export function sampleAnnotations(root: string, ext: RegExp): { want: string[]; forbid: Set<string> } {
  const want: string[] = [];
  const forbid = new Set<string>();
  for (const f of sourceFiles(root, ext)) {
    const rel = relative(root, f).split('\\').join('/');
    for (const a of readAnnotations(readFileSync(f, 'utf8'))) {
      for (const r of a.rules) {
        const id = idOf.get(r);
        if (!id) throw new Error(`${rel}:${a.line}: unknown rule "${r}"`);
        if (a.kind === 'expect') want.push(`${rel}:${a.line} ${id}`);
        if (a.kind === 'ok') forbid.add(`${rel}:${a.line} ${id}`);
      }
    }
  }
  return { want: [...new Set(want)].sort(), forbid };
}

export async function scanSample(root: string) {
  const res = await scan({ root, targets: [root], jobs: 1, config: {} });
  expect(res.errors).toEqual([]);
  return res;
}

export const findingKey = (f: { file: string; line: number; ruleId: string }) => `${f.file}:${f.line} ${f.ruleId}`;
