// gRPC calls with no deadline (grpc-js: the default is Infinity). Clients are recognised when
// built in this file from a package definition (rule options `clientRoots`, e.g.
// `grpc.loadPackageDefinition(def).shop.v1.Orders`); a call on such a client with no options
// object carrying `deadline` is reported. Options or metadata we cannot read, client interceptors
// and streaming-looking methods stay quiet.
import type { Check } from '../api.js';
import type { Value } from '../../languages/types.js';
import type { FindingDraft } from '../types.js';

interface Options {
  clientRoots?: string[];
  skipMethods?: string[];
  streamPattern?: string;
}

const check: Check = (ctx) => {
  const o = (ctx.rule.options ?? {}) as Options;
  const roots = o.clientRoots ?? ['@grpc/grpc-js.loadPackageDefinition()', 'grpc.loadPackageDefinition()'];
  const skip = new Set(o.skipMethods ?? ['close', 'getChannel', 'waitForReady', 'on', 'once']);
  const stream = new RegExp(o.streamPattern ?? 'stream|watch|subscribe|listen|tail', 'i');
  const facts = ctx.facts;
  const out: FindingDraft[] = [];
  for (const c of facts.calls) {
    if (c.receiverCall === undefined || !c.qualified) continue;
    const ctor = facts.calls[c.receiverCall];
    if (!ctor?.isNew || !ctor.qualified || !roots.some((r) => ctor.qualified!.startsWith(r + '.'))) continue;
    if (!c.qualified.startsWith(ctor.qualified + '().')) continue;
    const method = c.qualified.slice(ctor.qualified.length + 3);
    if (method.includes('.') || skip.has(method) || stream.test(method)) continue;
    // client-level interceptors may set deadlines
    const ctorOpts = ctor.args[2];
    if (ctor.argsOpen || (ctorOpts && !(ctorOpts.kind === 'object' && !ctorOpts.open && !('interceptors' in ctorOpts.props) && !('interceptor_providers' in ctorOpts.props)))) continue;
    if (c.argsOpen) continue;
    let unknown = false;
    let deadline = false;
    c.args.forEach((a: Value, i) => {
      if (i === 0 || a.kind === 'function') return; // the request, the callback
      const v = a.kind === 'name' && a.resolved ? a.resolved : a;
      if (v.kind === 'object') {
        if ('deadline' in v.props) deadline = true;
        else if (v.open) unknown = true;
      } else if (v.kind === 'call' && /Metadata$/.test(facts.calls[v.callId]?.qualified ?? '')) {
        // metadata carries no deadline
      } else unknown = true;
    });
    if (deadline || unknown) continue;
    out.push({
      ruleId: ctx.rule.id,
      loc: c.loc,
      message: ctx.rule.message,
      data: { callee: c.callee, method },
      where: { scope: c.scope },
    });
  }
  return out;
};

export default check;
