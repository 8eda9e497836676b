// SQLAlchemy engines whose DBAPI driver gets no connect timeout and/or no statement timeout. The
// driver comes from the URL scheme when the URL is written in the file (catalog
// `sqlalchemy-dialects`: which keys each driver reads from connect_args or the query string, and
// its defaults). A URL from configuration hides the driver: then only the statement side is
// checked, across every catalogued network driver, at P2 (the URL may still carry one), and only
// for engines that outlive the call that builds them, outside scripts; rule option
// `unknownDriver: false` turns that part off.
// Priority: P2 (catalog py-sqla-connect-args), except a missing connect timeout on an engine that
// opens a new connection per checkout (NullPool): that is a raw driver connect on every request,
// which the catalog rates P1 (py-psycopg2-raw). That case is the rule's default priority.
import type { DriverTimeout } from '../../catalog/types.js';
import type { Check } from '../api.js';
import type { FindingDraft } from '../types.js';
import { dialects, engines, probablyLocal, settingUrlPending, shortLived, timeoutState, type Engine } from '../analysis/sqlalchemy-engines.js';

interface Options {
  unknownDriver?: boolean;
}

type Kind = 'connect' | 'statement';
const LABEL: Record<Kind, string> = { connect: 'connect timeout', statement: 'statement timeout' };

function missingText(kind: Kind, t: DriverTimeout, state: 'missing' | 'disabled'): string {
  return state === 'disabled' ? `a disabled ${LABEL[kind]} (\`${t.keys[0]}\`)` : `no ${LABEL[kind]} (${t.defaultNote ?? 'none by default'})`;
}

const check: Check = (ctx) => {
  const o = (ctx.rule.options ?? {}) as Options;
  const out: FindingDraft[] = [];
  const push = (e: Engine, driver: string, missing: string[], fix: string, priority: 'P1' | 'P2', reason: string) =>
    out.push({
      ruleId: ctx.rule.id,
      loc: e.call.loc,
      message: ctx.rule.message,
      data: { callee: e.call.callee, driver, missing: missing.join(' and '), fix, ...(e.scheme ? {} : settingUrlPending(e)) },
      priority,
      priorityReason: reason,
      where: { scope: e.call.scope, apiTags: e.api.tags },
    });
  for (const e of engines(ctx)) {
    if (e.dialect?.local) continue;
    if (e.dialect) {
      const missing: string[] = [];
      const fix: string[] = [];
      let connectMissing = false;
      for (const kind of ['connect', 'statement'] as const) {
        const t = e.dialect.timeouts?.[kind];
        if (!t) continue;
        const s = timeoutState(e, t, ctx.facts, ctx.text);
        if (s !== 'missing' && s !== 'disabled') continue;
        missing.push(missingText(kind, t, s));
        if (t.fix) fix.push(t.fix);
        if (kind === 'connect') connectMissing = true;
      }
      if (!missing.length) continue;
      const perCheckout = connectMissing && e.pool === 'unpooled';
      push(
        e,
        e.dialect.driver,
        missing,
        `\`connect_args={${fix.join(', ')}}\``,
        perCheckout ? 'P1' : 'P2',
        perCheckout ? 'NullPool: every checkout is a fresh connect with no timeout' : 'timeouts of a pooled engine (catalog: P2)',
      );
    } else if (!e.scheme && o.unknownDriver !== false && !ctx.file.isScript) {
      // the URL comes from configuration: is any catalogued statement timeout visible?
      // a one-shot engine on a URL handed in is typically a data tool reading any SQL source
      if (probablyLocal(e, ctx) || e.connectArgs === 'unknown' || shortLived(e, ctx)) continue;
      const network = dialects(ctx).filter((d) => !d.local && d.timeouts?.statement);
      const states = network.map((d) => timeoutState({ ...e, query: new Map() }, d.timeouts!.statement!, ctx.facts, ctx.text));
      if (states.some((s) => s === 'set' || s === 'unknown')) continue;
      const hints = [...new Set(network.map((d) => d.timeouts!.statement!.fix).filter((f): f is string => !!f))];
      push(e, 'the configured driver\'s', ['no statement timeout visible'], hints.map((h) => `\`connect_args={${h}}\``).join(' or '), 'P2', 'the driver is not visible (URL from configuration), and the URL itself may set one');
    }
  }
  return out;
};

export default check;
