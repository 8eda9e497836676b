// Library clients that reconnect on their own but give up after a budget (catalog role
// `reconnecting.client`, knob `reconnect-attempts`, whose `disabledBy` lists the "unlimited"
// values): the library default is a finite budget (nats.js: 10 attempts), or the code sets a
// finite number, or reconnecting is switched off (knob `reconnect` set to false).
// Quiet when the code watches for the end of the budget itself (`nc.closed()`, a
// 'reconnect_failed' listener, `closed_cb=`: catalog section `reconnect-ends`), when the client is
// closed again in the function that opened it (one-shot), or when the options are not visible.
import type { Check } from '../api.js';
import type { Value } from '../../languages/types.js';
import type { FindingDraft } from '../types.js';
import { isDisabledValue, objectPath, optionsObject } from '../knobs.js';

function finiteNumber(v: Value): number | undefined {
  if (v.kind === 'number' && Number.isFinite(v.value)) return v.value;
  if (v.kind === 'name' && v.resolved) return finiteNumber(v.resolved);
  return undefined;
}

const check: Check = (ctx) => {
  const lang = ctx.facts.language;
  const ends = ctx.catalog.entries('reconnect-ends', lang);
  const endMethods = ends.flatMap((e) => e.methods ?? []);
  const endEvents = ends.flatMap((e) => e.events ?? []);
  const endKwargs = ends.flatMap((e) => e.kwargs ?? []);
  const closeMethods = ends.flatMap((e) => e.closeMethods ?? []);
  const out: FindingDraft[] = [];
  for (const call of ctx.facts.calls) {
    const api = ctx.catalog.lookupRole(call.qualified, lang, ['reconnecting.client']);
    const knob = api?.knobs?.['reconnect-attempts'];
    if (!api || !knob) continue;
    const watched = ctx.facts.calls.some((c) => {
      if (c.receiverCall !== call.id || !c.qualified) return false;
      const method = c.qualified.slice(c.qualified.lastIndexOf('.') + 1);
      if (endMethods.includes(method)) return true;
      const ev = c.args[0];
      return ev?.kind === 'string' && endEvents.includes(ev.value);
    });
    if (watched) continue;
    // connect, ask, close in one function (a readiness probe, a CLI command): no budget to run out of
    const oneShot =
      call.scope.functionId !== undefined &&
      ctx.facts.calls.some((c) => {
        if (c.receiverCall !== call.id || c.scope.functionId !== call.scope.functionId || !c.qualified) return false;
        return closeMethods.includes(c.qualified.slice(c.qualified.lastIndexOf('.') + 1));
      });
    if (oneShot) continue;
    // Python passes options as keyword arguments, TS/JS in an options object
    const py = api.language === 'python';
    if (py && (call.kwargsOpen || endKwargs.some((k) => call.kwargs[k]))) continue;
    const obj = py ? undefined : optionsObject(call, api);
    if (obj === 'open') continue;
    const read = (k: string) => (py ? (call.kwargs[k] ? { value: call.kwargs[k], key: k } : undefined) : obj ? objectPath(obj, k) : undefined);
    const data: Record<string, string> = { callee: call.callee, key: knob.keys[0] };
    let loc = call.loc;
    const off = api.knobs?.['reconnect'];
    const offValue = off ? off.keys.map(read).find((f) => f && f !== 'unknown') : undefined;
    if (offValue && offValue !== 'unknown' && offValue.value.kind === 'boolean' && !offValue.value.value) {
      data.budget = `reconnecting is switched off (\`${offValue.key}: false\`)`;
      loc = offValue.value.loc;
    } else {
      const found = knob.keys.map(read).find((f) => f !== undefined);
      if (found === 'unknown') continue;
      if (found) {
        if (isDisabledValue(found.value, knob, ctx.facts)) continue; // unlimited
        const n = finiteNumber(found.value);
        if (n === undefined) continue; // a value we cannot read
        data.budget = `it gives up after ${n} reconnect attempt${n === 1 ? '' : 's'} (\`${found.key}\`)`;
        loc = found.value.loc;
      } else {
        if (knob.default !== 'bounded') continue;
        data.budget = `by default it gives up (${knob.defaultNote ?? 'a finite budget'})`;
      }
    }
    out.push({ ruleId: ctx.rule.id, loc, message: ctx.rule.message, data, where: { scope: call.scope, apiTags: api.tags } });
  }
  return out;
};

export default check;
