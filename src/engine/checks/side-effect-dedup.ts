// FL600: an at-least-once handler (a task, job processor, queue consumer or webhook route) whose
// side effect (a payment, a write, a state-changing request, a message) has no dedup check. One
// hazard, one rule; each language's half reads its own options block:
//   python      task handlers from the catalog (`task.register`), Celery's delivery semantics
//   typescript  workers, consumers and routes declared in the options
import type { Check } from '../api.js';
import { pythonTaskFindings, type PythonDedupOptions } from './_dedup-python.js';
import { typescriptHandlerFindings, type TypeScriptDedupOptions } from './_dedup-typescript.js';

interface Options {
  python?: PythonDedupOptions;
  typescript?: TypeScriptDedupOptions;
}

const check: Check = (ctx) => {
  const o = (ctx.rule.options ?? {}) as Options;
  return ctx.facts.language === 'python' ? pythonTaskFindings(ctx, o.python ?? {}) : typescriptHandlerFindings(ctx, o.typescript ?? {});
};

export default check;
