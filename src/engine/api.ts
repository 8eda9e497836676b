// What matchers and code checks receive, and what they return. A check is a module
// src/engine/checks/<name>.ts whose default export is a `Check`; a matcher keyword is a module
// src/engine/matchers/<keyword>.ts whose default export is a `Matcher`. Both are loaded by name.
import type { CatalogApi } from '../catalog/types.js';
import type { Catalog } from '../catalog/index.js';
import type { FileFacts } from '../languages/types.js';
import type { FindingDraft, RuleMeta } from './types.js';

export interface FileContext {
  /** relative POSIX path */
  path: string;
  /** test code: tests/, test_*.py, *_test.py, *.spec.ts, *.test.ts, __tests__/, conftest.py, e2e/ */
  isTest: boolean;
  /** scripts/, tools/, bin/, or a Python file with an `if __name__ == "__main__"` guard */
  isScript: boolean;
  /** front-end code: .jsx/.tsx or a file importing react/vue/svelte/@angular */
  isBrowser: boolean;
}

export interface RuleContext {
  facts: FileFacts;
  text: string;
  file: FileContext;
  rule: RuleMeta;
  catalog: Catalog;
}

/** The per-call knob answer: what the scanner can see of one knob on one call. */
export type KnobState = 'set' | 'missing' | 'disabled' | 'unknown';

export interface KnobReading {
  state: KnobState;
  /** the spelling found (or expected, when missing) */
  key: string;
  /** where the value was found (the call's or the constructor's) */
  source: 'call' | 'receiver' | 'assignment' | 'default' | 'none';
  /** the value's location when found */
  valueLoc?: import('../languages/types.js').Loc;
}

export type Check = (ctx: RuleContext) => FindingDraft[];
export type Matcher = (spec: unknown, ctx: RuleContext) => FindingDraft[];

export type { CatalogApi };
