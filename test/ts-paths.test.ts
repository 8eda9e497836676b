// tsconfig path mappings and the memo a cached re-scan answers them from.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TsPaths } from '../dist/model/ts-paths.js';
import { makeTree } from './helpers.js';

const FILES = {
  'tsconfig.base.json': JSON.stringify({ compilerOptions: { baseUrl: '.', paths: { '@lib/*': ['src/lib/*'] } } }),
  'tsconfig.json': JSON.stringify({ extends: './tsconfig.base.json' }),
  'src/lib/api.ts': 'export const api = 1;\n',
  'src/lib/other.ts': 'export const other = 1;\n',
  'src/app.ts': "import { api } from '@lib/api';\n",
};
const known = new Set(Object.keys(FILES).filter((f) => f.endsWith('.ts')));

describe('TsPaths memo', () => {
  it('answers what the last scan learnt, and what it did not, from the same files', () => {
    const root = makeTree(FILES);
    const first = new TsPaths(root, ['tsconfig.json']);
    expect(first.resolve('src/app.ts', '@lib/api', known)).toBe('src/lib/api.ts');
    expect(first.resolve('src/app.ts', 'react', known)).toBeUndefined();
    const memo = first.memo()!;
    // the config it extends is part of what the answers depend on
    expect(Object.keys(memo.reads).sort()).toEqual(['tsconfig.base.json', 'tsconfig.json']);
    const again = new TsPaths(root, ['tsconfig.json']);
    again.adopt(JSON.parse(JSON.stringify(memo)), known);
    expect(again.resolve('src/app.ts', '@lib/api', known)).toBe('src/lib/api.ts');
    expect(again.memo()).toBeUndefined(); // nothing new learnt: nothing to save
    // a specifier the memo never met still resolves (through the compiler)
    expect(again.resolve('src/app.ts', '@lib/other', known)).toBe('src/lib/other.ts');
    expect(again.memo()!.configs['']!.memo).toContainEqual(['@lib/other', 'src/lib/other.ts']);
  });

  it('is dropped when a config it read changed, even one it only extends', () => {
    const root = makeTree(FILES);
    const first = new TsPaths(root, ['tsconfig.json']);
    first.resolve('src/app.ts', '@lib/api', known);
    const memo = first.memo()!;
    writeFileSync(join(root, 'tsconfig.base.json'), JSON.stringify({ compilerOptions: { baseUrl: '.', paths: { '@lib/*': ['src/lib/other'] } } }));
    const again = new TsPaths(root, ['tsconfig.json']);
    again.adopt(memo, known);
    expect(again.resolve('src/app.ts', '@lib/api', known)).toBe('src/lib/other.ts');
  });

  it('ignores a memo of the wrong shape or for folders with no tsconfig (a cache directory may hold anything)', () => {
    const root = makeTree(FILES);
    for (const forged of [null, 'x', { reads: {}, configs: { '': { prefixes: '@', exact: [], memo: [] } } }, { reads: {}, configs: { elsewhere: null } }]) {
      const p = new TsPaths(root, ['tsconfig.json']);
      p.adopt(forged, known);
      expect(p.resolve('src/app.ts', '@lib/api', known)).toBe('src/lib/api.ts');
    }
    const lying = new TsPaths(root, ['tsconfig.json']);
    lying.adopt({ reads: { 'tsconfig.json': 'not-its-hash' }, configs: { '': null } }, known);
    expect(lying.resolve('src/app.ts', '@lib/api', known)).toBe('src/lib/api.ts');
  });
});
