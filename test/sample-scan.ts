// Shared by the sample-service tests: read a sample's annotations (annotations.ts, the same reader
// and judge as the rule fixtures) and scan it end to end with every rule.
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { expect } from 'vitest';
import { scan } from '../dist/engine/scan.js';
import { addExpectations, emptyExpectations, keyOf, type Expectations } from './annotations.js';
import { FIXTURES, idOf, rules, walkFiles } from './fixture-harness.js';

export const SAMPLES = `${FIXTURES}/_samples`;

/** The annotations, every rule, of the source files under `root` matching `ext` */
export function sampleExpectations(root: string, ext: RegExp): Expectations {
  const into = emptyExpectations();
  for (const f of walkFiles(root).filter((p) => ext.test(p))) {
    addExpectations(into, relative(root, f).split('\\').join('/'), readFileSync(f, 'utf8'), idOf);
  }
  return into;
}

export async function scanSample(root: string) {
  const res = await scan({ root, targets: [root], jobs: 1, config: {}, rules });
  expect(res.errors).toEqual([]);
  return res;
}

export const findingKey = (f: { file: string; line: number; ruleId: string }) => keyOf(f.file, f.line, f.ruleId);
