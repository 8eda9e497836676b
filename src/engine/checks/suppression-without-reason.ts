// FL001: every `faultline: ignore[...]` names its rules and says why.
import type { Check } from '../api.js';

const check: Check = (ctx) =>
  ctx.facts.suppressions
    .filter((s) => !s.rules.length || !s.reason)
    .map((s) => ({
      ruleId: ctx.rule.id,
      loc: s.loc,
      message: ctx.rule.message,
      data: { what: !s.rules.length ? (s.reason ? 'names no rule' : 'names no rule and gives no reason') : 'gives no reason' },
    }));

export default check;
