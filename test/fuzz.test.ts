// The fuzzer in CI: a few hundred mutations of the fixtures per language through the whole CLI.
// Longer runs before a release: `npm run fuzz -- --count 10000` (see scripts/fuzz.mjs).
import { describe, expect, it } from 'vitest';
// @ts-expect-error plain ESM script without type declarations
import { loadSeeds, mutate, runFuzz } from '../scripts/fuzz.mjs';

const COUNT = Number(process.env.FAULTLINE_FUZZ_COUNT ?? 200);
const SEED = Number(process.env.FAULTLINE_FUZZ_SEED ?? 20261122);

describe('fuzzing', () => {
  it('mutations are deterministic per seed and cover every language', () => {
    const seeds = loadSeeds();
    for (const lang of ['python', 'typescript', 'yaml']) expect(seeds[lang].length).toBeGreaterThan(5);
    const once = (s: number) => {
      let a = s >>> 0;
      const next = () => ((a = (a * 1664525 + 1013904223) >>> 0) / 2 ** 32);
      const r = { next, int: (n: number) => Math.floor(next() * n), pick: <T>(xs: T[]) => xs[Math.floor(next() * xs.length)], range: (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1)) };
      return mutate(seeds.python[0], 'python', r, seeds.yaml).data.toString('base64');
    };
    expect(once(3)).toBe(once(3));
  });

  it(`survives ${COUNT} mutations per language: no crash, hang or exit 2; every unparsable file in errors`, async () => {
    const res = await runFuzz({ count: COUNT * 3, seed: SEED, batch: 300, jobs: 2, big: false });
    expect(res.mutants).toBe(COUNT * 3);
    expect(res.failures).toEqual([]);
    expect(res.errors).toBeGreaterThan(COUNT / 2); // the mutations do break files
  }, 240_000);
});
