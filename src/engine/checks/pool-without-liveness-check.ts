// SQLAlchemy engines that hand out pooled connections without checking them: neither
// `pool_pre_ping=True` nor a `pool_recycle` (catalog knob `liveness` of the engine API). Quiet for
// engines that pool nothing worth checking (NullPool, StaticPool…: catalog `sqlalchemy-engine`),
// in-process databases (SQLite URLs, or a URL we cannot read in a file that is clearly SQLite),
// options we cannot see (`**kwargs`, a poolclass from a variable), engines built for one job and
// dropped (chained, or a function's local that is not kept), and files that register a
// checkout/engine_connect listener (the hand-written ping recipe).
import type { Check } from '../api.js';
import type { FindingDraft } from '../types.js';
import { readKnob } from '../knobs.js';
import { engines, hasLivenessListener, probablyLocal, settingUrlPending, shortLived } from '../analysis/sqlalchemy-engines.js';

const check: Check = (ctx) => {
  const out: FindingDraft[] = [];
  const found = engines(ctx);
  if (!found.length || hasLivenessListener(ctx)) return out;
  for (const e of found) {
    if (e.dialect?.local || (!e.scheme && probablyLocal(e, ctx))) continue;
    if (e.pool === 'unpooled' || e.pool === 'unknown' || shortLived(e, ctx)) continue;
    const knob = e.api.knobs?.['liveness'];
    if (!knob) continue;
    const r = readKnob(e.call, e.api, 'liveness', ctx.facts, ctx.catalog);
    if (r.state !== 'missing' && r.state !== 'disabled') continue;
    out.push({
      ruleId: ctx.rule.id,
      loc: r.state === 'disabled' && r.valueLoc ? r.valueLoc : e.call.loc,
      message: ctx.rule.message,
      data: {
        callee: e.call.callee,
        driver: e.dialect?.driver ?? (e.scheme ? `\`${e.scheme}\`` : 'database'),
        state: r.state === 'disabled' ? `\`${r.key}\` turned off` : 'no `pool_pre_ping=True` and no `pool_recycle`',
        keys: knob.keys.join(' / '),
        ...(e.scheme ? {} : settingUrlPending(e)),
      },
      where: { scope: e.call.scope, apiTags: e.api.tags },
    });
  }
  return out;
};

export default check;
