// gRPC calls with no deadline (grpc-js: the default is Infinity). Clients are recognised when
// built in this file from a package definition (catalog section `grpc-clients`: the client roots,
// e.g. `grpc.loadPackageDefinition(def).shop.v1.Orders`), from a constructor the section names
// (`makeGenericClientConstructor(def, name)`, the base `Client` and its generic `makeUnaryRequest`,
// whose first arguments are the request), and how a call passes its deadline; a
// call on such a client with no options object carrying the deadline is reported. Options or
// metadata we cannot read, client interceptors and streaming-looking methods stay quiet.
import type { Check } from '../api.js';
import type { GrpcClients } from '../../catalog/types.js';
import type { CallFact, Value } from '../../languages/types.js';
import type { FindingDraft } from '../types.js';

const check: Check = (ctx) => {
  const kinds = ctx.catalog.entries('grpc-clients', ctx.facts.language);
  const kindOf = (ctor: CallFact): GrpcClients | undefined =>
    kinds.find((k) => k.roots.some((r) => ctor.qualified!.startsWith(r + '.')) || (k.constructors ?? []).includes(ctor.qualified!));
  const facts = ctx.facts;
  const out: FindingDraft[] = [];
  for (const c of facts.calls) {
    if (c.receiverCall === undefined || !c.qualified) continue;
    const ctor = facts.calls[c.receiverCall];
    if (!ctor?.isNew || !ctor.qualified) continue;
    const k = kindOf(ctor);
    if (!k || !c.qualified.startsWith(ctor.qualified + '().')) continue;
    const method = c.qualified.slice(ctor.qualified.length + 3);
    if (method.includes('.') || k.clientMethods.includes(method) || new RegExp(k.streamingNames, 'i').test(method)) continue;
    // client-level interceptors may set deadlines
    const ctorOpts = ctor.args[k.clientOptionsArg];
    if (ctor.argsOpen || (ctorOpts && !(ctorOpts.kind === 'object' && !ctorOpts.open && !k.interceptorKeys.some((key) => key in ctorOpts.props)))) continue;
    if (c.argsOpen) continue;
    let unknown = false;
    let deadline = false;
    // the request (a message, or for generic calls its path, serializers and message), the callback
    const requestArgs = k.requestArgs?.[method] ?? 1;
    if (c.args.length < requestArgs) continue;
    c.args.forEach((a: Value, i) => {
      if (i < requestArgs || a.kind === 'function') return;
      const v = a.kind === 'name' && a.resolved ? a.resolved : a;
      if (v.kind === 'object') {
        if (k.deadlineKey in v.props) deadline = true;
        else if (v.open) unknown = true;
      } else if (v.kind === 'call' && new RegExp(k.metadata).test(facts.calls[v.callId]?.qualified ?? '')) {
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
