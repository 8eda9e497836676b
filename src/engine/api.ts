// What matchers and code checks receive, and what they return. A rule's code check is the module
// src/engine/checks/<rule name>.ts whose default export is a `Check`, for source files and compose
// projects alike; a matcher keyword is a module src/engine/matchers/<keyword>.ts whose default
// export is a `Matcher`. Both are loaded by name.
import type { CatalogApi } from '../catalog/types.js';
import type { Catalog } from '../catalog/index.js';
import type { FileFacts } from '../languages/types.js';
import type { ProjectView } from './analysis/compose-project.js';
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

/** What a check of a Python or TypeScript rule looks at: one source file. */
export interface SourceTarget {
  facts: FileFacts;
  text: string;
  file: FileContext;
}

/** What a check of a compose rule looks at: one compose project (base file + overrides), each service read once. */
export interface ComposeTarget {
  project: ProjectView;
}

/**
 * The one context every check and matcher receives: the rule, the catalog, and what is being
 * checked (a source file by default, a compose project for compose rules).
 */
export type RuleContext<T extends SourceTarget | ComposeTarget = SourceTarget> = { rule: RuleMeta; catalog: Catalog } & T;

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

/** A rule's code check. Compose checks are `Check<ComposeTarget>` and set each draft's `file` and `symbol` (the service). */
export type Check<T extends SourceTarget | ComposeTarget = SourceTarget> = (ctx: RuleContext<T>) => FindingDraft[];
export type ComposeCheck = Check<ComposeTarget>;
export type Matcher = (spec: unknown, ctx: RuleContext) => FindingDraft[];

export type { CatalogApi };
