// The one place where runtime context changes a priority: the catalog table
// `contextPriorities` (rules/catalog/runtime-contexts.yaml), overridden per context by config
// `context-priorities:`. A context caps a rule's base priority (per category where the table
// says so) or turns it off; it never raises one.
import type { Catalog } from '../catalog/index.js';
import type { ContextPriorityEntry } from '../catalog/types.js';
import { PRIORITY_RANK, type Category, type Priority, type RuntimeContext } from '../engine/types.js';

export type Cap = Priority | 'off';

export class ContextPriorities {
  private readonly table = new Map<RuntimeContext, ContextPriorityEntry>();
  constructor(catalog: Catalog, overrides: Partial<Record<RuntimeContext, Cap>> = {}) {
    for (const e of catalog.section('context-priorities')) this.table.set(e.context, e);
    for (const [ctx, cap] of Object.entries(overrides) as Array<[RuntimeContext, Cap]>) {
      const e = this.table.get(ctx) ?? { context: ctx, cap };
      // a config cap replaces the whole row: the user said what this context is worth
      this.table.set(ctx, { ...e, cap, categories: undefined, rules: undefined });
    }
  }

  /** The priority reported for a finding of rule `ruleId` and `category` at `base` in `context`, or 'off'. */
  apply(base: Priority, category: Category, context: RuntimeContext, ruleId?: string): Cap {
    const e = this.table.get(context);
    if (!e) return base;
    const cap = (ruleId !== undefined ? e.rules?.[ruleId] : undefined) ?? e.categories?.[category] ?? e.cap;
    if (cap === 'off') return 'off';
    return PRIORITY_RANK[base] >= PRIORITY_RANK[cap] ? base : cap;
  }

  consequence(context: RuntimeContext): string | undefined {
    return this.table.get(context)?.consequence;
  }

  /** the priority a rule's finding gets in this context when no request reaches it (none: unchanged) */
  offRequestPath(ruleId: string, context: RuntimeContext): Priority | undefined {
    return this.table.get(context)?.offRequestPath?.[ruleId];
  }

  /** the category's P0 needs a request path in this context */
  needsRequestPath(category: Category, context: RuntimeContext): boolean {
    return this.table.get(context)?.p0OnRequestPath?.includes(category) ?? false;
  }
}
