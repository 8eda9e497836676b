// FL601: a POST handler that creates something a client's retry would create again, where the
// second one costs something: the create comes with a charge, an e-mail or notification, a job or
// a request to another service (each repeated by the retry: P1), or the row is an order, payment,
// invoice, booking or the like (a second one is a real second purchase: P2). POST is the one
// method a client may not repeat safely, and SDKs, gateways and mobile apps do repeat it after a
// timeout whose request had in fact committed.
//
// What stays quiet, because a retry there creates nothing new or nobody retries it:
//   - an idempotency key or client token in the handler (rule options `keyed`);
//   - an upsert, find-or-create, skip-duplicates option or ON CONFLICT SQL in the handler, a lookup
//     of the created model before the create (check-then-create), a unique constraint on the
//     model class when it is in the same file, or a caught unique violation (catalog `row-creates`);
//   - admin-only and development-only routes (catalog `restricted-routes`, options `restrictedPath`);
//   - log, audit, analytics and event rows (options `logRows`), and webhooks (FL600's).
// Handlers: Python routes and resource methods (catalog roles `http.route`, `http.resource`),
// TS/JS routes (`http.route` registration calls) and route files (catalog `route-files`, POST).
import type { Check, RuleContext } from '../api.js';
import type { CatalogApi, RestrictedRoutes, RowCreates } from '../../catalog/types.js';
import type { CallFact, FileFacts, FunctionFact, Loc, Value } from '../../languages/types.js';
import type { FindingDraft } from '../types.js';
import { functionAndNested } from '../analysis/facts-query.js';
import { declaredHandlers, httpHandlers, type Handler } from '../analysis/handlers.js';
import { lastSegment } from '../analysis/side-effects.js';

interface Options {
  /** paths FL600 judges (webhooks: the sender's retries, not the client's) */
  webhookPattern: string;
  /** any match in the handler's source text: an idempotency key or a client token */
  keyed: string[];
  /** route paths no retrying client calls: admin, development and test routes */
  restrictedPath: string;
  /** a word of a model or table name (singular, lower case) that makes its rows a log: a duplicate is noise */
  logRows: string;
  /** a word of a model, table or route name (singular, lower case) that makes a duplicate a second purchase */
  money: string;
  /** project wrappers recognised by the callee as written (arguments dropped), per side effect */
  effects: { charge: string; notify: string; enqueue: string };
  /** methods of an `http.request` that change state on the other side */
  httpMethods: string[];
  /** methods of a payments or messaging SDK (catalog tags `payments`, `messaging`) that create or send */
  remoteWrites: string;
}

type Effect = 'charge' | 'notify' | 'enqueue' | 'remote';

const DOES: Record<Effect, string> = {
  charge: 'charges a payment',
  notify: 'sends an e-mail or notification',
  enqueue: 'enqueues a job',
  remote: 'sends a state-changing request to another service',
};
const AGAIN: Record<Effect, string> = {
  charge: 'creates the row twice and charges twice',
  notify: 'creates the row twice and sends the message twice',
  enqueue: 'creates the row twice and runs the job twice',
  remote: 'creates the row twice and repeats the request to the other service',
};
const RANK: Effect[] = ['charge', 'notify', 'enqueue', 'remote'];

// ------------------------------------------------------------------------------------ names
/** A callee as written with its arguments dropped: `Unlocks.query.filter(a == b).first` -> `Unlocks.query.filter().first`. */
function bare(callee: string): string {
  let s = callee;
  for (let prev = ''; prev !== s; ) {
    prev = s;
    s = s.replace(/\([^()]*\)/g, '\u0000');
  }
  return s.replace(/\u0000/g, '()');
}

function receiverOf(callee: string): string {
  const b = bare(callee);
  const i = b.lastIndexOf('.');
  return i < 0 ? '' : b.slice(0, i);
}

function singular(w: string): string {
  if (w.length > 4 && w.endsWith('ies')) return `${w.slice(0, -3)}y`;
  if (w.length > 3 && w.endsWith('s') && !/(ss|us|is)$/.test(w)) return w.slice(0, -1);
  return w;
}

/** `ShareSubscriptions` -> [share, subscription]; `sort_order` -> [sort, order]; `/api/orders/:id` -> [api, order] */
function words(name: string): string[] {
  return name
    .replace(/\(\)/g, '')
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean)
    .map(singular);
}

const SUFFIX = new Set(['schema', 'serializer', 'model', 'repository', 'repo', 'collection', 'table', 'form', 'dto', 'entity']);

/** The words of a model's name without a trailing `Schema`, `Serializer`, `Repository`, …: `AuditLogSchema` -> [audit, log]. */
function modelWords(name: string): string[] {
  const w = words(name);
  while (w.length > 1 && SUFFIX.has(w[w.length - 1])) w.pop();
  return w;
}

/** What names one model, table or collection: `UnlockSchema`, `Unlocks`, `unlocks` -> `unlock`. */
function stem(name: string): string {
  return modelWords(name).join('');
}

function article(word: string): string {
  return /^[aeiou]/.test(word) ? `an ${word}` : `a ${word}`;
}

function valueText(v: Value | undefined): string {
  if (!v) return '';
  switch (v.kind) {
    case 'string':
      return v.value;
    case 'call':
    case 'name':
    case 'other':
      return v.text;
    case 'array':
      return v.items.map(valueText).join(', ');
    case 'object':
      return Object.entries(v.props)
        .map(([k, x]) => `${k}: ${valueText(x)}`)
        .join(', ');
    default:
      return '';
  }
}

function within(inner: Loc, outer: Loc): boolean {
  const after = inner.line > outer.line || (inner.line === outer.line && inner.column >= outer.column);
  const before = inner.endLine < outer.endLine || (inner.endLine === outer.endLine && inner.endColumn <= outer.endColumn);
  return after && before;
}

function earlier(a: Loc, b: Loc): boolean {
  return a.line < b.line || (a.line === b.line && a.column < b.column);
}

function sourceOf(text: string, loc: Loc): string {
  return text.split('\n').slice(loc.line - 1, loc.endLine).join('\n');
}

// ------------------------------------------------------------------------------------ handlers
function postHandlers(ctx: RuleContext): Handler[] {
  const { facts, catalog } = ctx;
  const out = httpHandlers(ctx).filter((h) => /^(POST |HTTP POST handler)/.test(h.kind));
  for (const routeFiles of catalog.entries('route-files', facts.language)) {
    for (const h of declaredHandlers(facts, ctx.file.path, { routeFiles })) if (h.fn.name === 'POST') out.push(h);
  }
  const seen = new Set<number>();
  return out.filter((h) => !seen.has(h.fn.id) && (seen.add(h.fn.id), true));
}

/** Who the route is kept to (catalog `restricted-routes`): a decorator, a middleware argument, a class attribute. */
function restrictedTo(facts: FileFacts, h: Handler, guards: RestrictedRoutes[]): string | undefined {
  const decorators = h.fn.decorators.map((d) => d.text.replace(/^@/, ''));
  const middleware = (h.call?.args ?? []).filter((a, i) => !(i === 0 && a.kind === 'string') && !(a.kind === 'function' && a.functionId === h.fn.id)).map(valueText);
  const attributes = h.fn.classId === undefined ? [] : facts.assignments.filter((a) => a.scope.classId === h.fn.classId && a.scope.functionId === undefined);
  for (const g of guards) {
    if (g.decorators && decorators.some((d) => new RegExp(g.decorators!).test(d))) return g.who;
    if (g.middleware && middleware.some((m) => new RegExp(g.middleware!).test(m))) return g.who;
    for (const [name, re] of Object.entries(g.classAttributes ?? {})) {
      if (attributes.some((a) => a.target === name && new RegExp(re).test(valueText(a.value)))) return g.who;
    }
  }
  return undefined;
}

// ------------------------------------------------------------------------------------ the check
const check: Check = (ctx) => {
  const o = ctx.rule.options as unknown as Options;
  const { facts, catalog } = ctx;
  const lang = facts.language;
  const rows = catalog.entries('row-creates', lang);
  if (!rows.length) return [];
  const guards = catalog.entries('restricted-routes', lang);
  const publishers = catalog.entries('injected-publishers', lang);
  const webhook = new RegExp(o.webhookPattern, 'i');
  const restrictedPath = new RegExp(o.restrictedPath, 'i');
  const keyed = o.keyed.map((k) => new RegExp(k, 'i'));
  const logRow = new RegExp(o.logRows, 'i');
  const money = new RegExp(o.money, 'i');
  const wrappers = { charge: new RegExp(o.effects.charge, 'i'), notify: new RegExp(o.effects.notify, 'i'), enqueue: new RegExp(o.effects.enqueue, 'i') };
  const httpMethods = new Set(o.httpMethods.map((m) => m.toLowerCase()));
  const remoteWrites = new RegExp(o.remoteWrites, 'i');
  const role = (q: string | null, roles: string[]) => catalog.lookupRole(q, lang, roles);

  const re = (s: string | undefined) => (s ? new RegExp(s, 'i') : undefined);
  const R = rows.map((r) => ({
    r,
    methods: new Set(r.methods),
    receiver: re(r.receiver),
    notReceiver: re(r.notReceiver),
    sql: re(r.sql)!,
    upserts: new RegExp(r.upserts),
    conflictSql: re(r.conflictSql)!,
    lookupMethods: new Set(r.lookups.methods),
    lookupSql: re(r.lookups.sql),
    uniqueErrors: new RegExp(r.uniqueErrors, 'i'),
  }));

  const strings = (c: CallFact): string[] => c.args.flatMap((a) => (a.kind === 'string' ? [a.value] : a.kind === 'other' ? [a.text.replace(/^`/, '')] : []));
  const optionKeys = (c: CallFact): Record<string, Value> => {
    const out: Record<string, Value> = { ...c.kwargs };
    for (const a of c.args) if (a.kind === 'object') Object.assign(out, a.props);
    return out;
  };
  /** The table of INSERT SQL in a string argument ('' when the SQL names none we can read). */
  const insertTable = (c: CallFact): string | undefined => {
    const s = strings(c).find((x) => R.some((r) => r.sql.test(x)));
    return s === undefined ? undefined : (/\binsert\s+(?:or\s+\w+\s+)?into\s+["'`[]?(\w+)/i.exec(s)?.[1] ?? '');
  };
  /** The table of SELECT SQL in a string argument. */
  const selectTable = (c: CallFact): string | undefined => {
    for (const s of strings(c)) {
      for (const r of R) {
        const m = r.lookupSql?.exec(s);
        if (m?.[1]) return m[1];
      }
    }
    return undefined;
  };

  /** Does this call insert a row (catalog `row-creates`)? */
  const isCreate = (c: CallFact): boolean =>
    R.some((x) => {
      const method = lastSegment(bare(c.callee));
      const recv = receiverOf(c.callee);
      if (x.methods.has(method) && recv && (!x.receiver || x.receiver.test(recv)) && !x.notReceiver?.test(recv)) return true;
      return strings(c).some((s) => x.sql.test(s));
    });

  /** A write that creates at most once: an upsert method, a skip-duplicates option, conflict SQL. */
  const dedupes = (c: CallFact): boolean =>
    R.some((x) => {
      if (x.upserts.test(lastSegment(bare(c.callee)))) return true;
      const keys = optionKeys(c);
      if (x.r.upsertKeys.some((k) => keys[k] !== undefined && !(keys[k].kind === 'boolean' && !(keys[k] as { value: boolean }).value))) return true;
      return strings(c).some((s) => x.conflictSql.test(s));
    });

  /** The constructor a value was made by: `Order(...)` -> Order; `UnlockSchema().load(...)` -> UnlockSchema. */
  const madeBy = (c: CallFact | undefined): string | undefined => {
    if (!c) return undefined;
    const q = bare(c.qualified ?? c.callee);
    const inst = /(\w+)\(\)\.\w+$/.exec(q);
    if (inst) return inst[1];
    const last = lastSegment(q);
    return /^[A-Z]/.test(last) ? last : undefined;
  };

  /** The model, table or collection a create or lookup works on, as written (undefined: not visible). */
  const modelOf = (c: CallFact, inside: Set<number>): string | undefined => {
    const table = insertTable(c) ?? selectTable(c);
    if (table !== undefined) return table || undefined;
    const segs = receiverOf(c.callee).split('.').filter(Boolean);
    if (lang === 'python') {
      const via = new Set(rows.flatMap((r) => r.lookups.via ?? []));
      const i = segs.findIndex((s, k) => k > 0 && via.has(s));
      if (i > 0) return segs[i - 1].replace(/\(\)$/, '');
      const a = c.args[0];
      const item = a?.kind === 'array' ? a.items[0] : a;
      if (item?.kind === 'call') return madeBy(facts.calls[item.callId]);
      if (item?.kind === 'name') {
        const root = item.text.split('.')[0];
        const bound = facts.assignments.filter((x) => x.target === root && x.scope.functionId !== undefined && inside.has(x.scope.functionId) && earlier(x.loc, c.loc)).pop();
        if (bound?.value.kind === 'call') return madeBy(facts.calls[bound.value.callId]);
        if (bound?.value.kind === 'name' && bound.value.resolved?.kind === 'call') return madeBy(facts.calls[bound.value.resolved.callId]);
      }
      return undefined;
    }
    // TS/JS: a chained collection or table by name (`db.collection('orders').insertOne`, `supabase.from('orders').insert`)
    const chained = facts.calls.find((r) => r.id !== c.id && r.loc.line === c.loc.line && r.loc.column === c.loc.column && within(r.loc, c.calleeLoc) && r.args[0]?.kind === 'string');
    if (chained && chained.args[0].kind === 'string') return chained.args[0].value;
    const cut = segs.findIndex((s) => s.endsWith('()'));
    const named = (cut < 0 ? segs : segs.slice(0, cut)).filter((s) => s !== 'this');
    return named.length ? named[named.length - 1] : undefined;
  };

  /** A read of this model before the create, in the same handler: check-then-create. */
  const lookedUp = (model: string, create: CallFact, calls: CallFact[], inside: Set<number>): boolean => {
    const key = stem(model);
    const modelArg = new Set(rows.flatMap((r) => r.lookups.modelArg ?? []));
    return calls.some((l) => {
      if (l.id === create.id || !earlier(l.loc, create.loc)) return false;
      const method = lastSegment(bare(l.callee));
      const table = selectTable(l);
      if (table) return stem(table) === key;
      if (modelArg.has(method) && l.args[0]?.kind === 'name' && stem(lastSegment(l.args[0].text)) === key) return true;
      if (!R.some((x) => x.lookupMethods.has(method)) || isCreate(l)) return false;
      const m = modelOf(l, inside);
      return m !== undefined && stem(m) === key;
    });
  };

  /** A model class in this file that declares a unique column or constraint the server does not fill itself. */
  const uniqueInFile = (model: string): boolean => {
    const key = stem(model);
    const cls = facts.classes.find((k) => stem(k.name) === key);
    if (!cls) return false;
    for (const x of R) {
      const generated = new Set(x.r.unique.generated ?? []);
      for (const c of facts.calls) {
        if (!within(c.loc, cls.loc) || (c.scope.functionId !== undefined && facts.functions[c.scope.functionId].classId === cls.id)) continue;
        if (x.r.unique.calls.includes(lastSegment(bare(c.callee)))) return true;
        const keys = optionKeys(c);
        if (x.r.unique.keys.some((k) => keys[k]?.kind === 'boolean' && (keys[k] as { value: boolean }).value) && !Object.keys(keys).some((k) => generated.has(k))) return true;
      }
      if (facts.assignments.some((a) => within(a.loc, cls.loc) && (x.r.unique.attributes ?? []).includes(a.target))) return true;
    }
    return false;
  };

  /** The handler catches the error a unique constraint raises: the duplicate is refused, not written. */
  const catchesUnique = (fn: FunctionFact): boolean =>
    facts.tries.some((t) => within(t.loc, fn.loc) && t.handlers.some((h) => R.some((x) => h.types.some((ty) => x.uniqueErrors.test(ty)) || x.uniqueErrors.test(sourceOf(ctx.text, h.loc)))));

  /** A payments or messaging SDK behind the call: a module function, or a method of a client built in this file. */
  const sdkOf = (c: CallFact): CatalogApi | undefined => {
    const call = role(c.qualified, ['third-party.call']);
    if (call) return call;
    for (let r = c.receiverCall === undefined ? undefined : facts.calls[c.receiverCall], n = 0; r && n < 8; r = r.receiverCall === undefined ? undefined : facts.calls[r.receiverCall], n++) {
      const client = role(r.qualified, ['third-party.client']);
      if (client) return client;
    }
    return undefined;
  };

  const changesState = (c: CallFact): boolean => {
    if (httpMethods.has(lastSegment(c.qualified ?? '').toLowerCase())) return true;
    const m = optionKeys(c).method ?? (lastSegment(c.qualified ?? '') === 'request' ? c.args[0] : undefined);
    return m?.kind === 'string' && httpMethods.has(m.value.toLowerCase());
  };

  const effectOf = (c: CallFact): Effect | undefined => {
    const callee = bare(c.callee);
    if (role(c.qualified, ['payment.create'])) return 'charge';
    const sdk = sdkOf(c);
    if (sdk && remoteWrites.test(lastSegment(callee))) {
      if (sdk.tags?.includes('payments')) return 'charge';
      if (sdk.tags?.includes('messaging')) return 'notify';
    }
    if (role(c.qualified, ['queue.publish'])) return 'enqueue';
    const recv = lastSegment(receiverOf(c.callee));
    if (publishers.some((p) => p.methods.includes(lastSegment(callee)) && new RegExp(p.receiver, 'i').test(recv))) return 'enqueue';
    if (role(c.qualified, ['http.request']) && changesState(c)) return 'remote';
    for (const e of ['charge', 'notify', 'enqueue'] as const) if (wrappers[e].test(callee)) return e;
    return undefined;
  };

  const out: FindingDraft[] = [];
  for (const h of postHandlers(ctx)) {
    if (webhook.test(h.path ?? ctx.file.path)) continue;
    if (h.path && restrictedPath.test(h.path)) continue;
    if (restrictedTo(facts, h, guards)) continue;
    const inside = functionAndNested(facts, h.fn.id);
    const calls = facts.calls.filter((c) => c.scope.functionId !== undefined && inside.has(c.scope.functionId));
    if (!calls.some(isCreate) && !calls.some((c) => effectOf(c) === 'charge')) continue;
    // comments dropped: `// TODO: idempotency key` is not one
    const code = sourceOf(ctx.text, h.fn.loc).replace(lang === 'python' ? /(^|\s)#.*$/gm : /(^|\s)\/\/.*$/gm, '$1');
    if (keyed.some((k) => k.test(code))) continue;
    if (calls.some(dedupes) || catchesUnique(h.fn)) continue;

    const effects = calls.flatMap((c) => {
      const kind = effectOf(c);
      return kind ? [{ kind, call: c }] : [];
    });
    const creates = calls
      .filter((c) => isCreate(c) && !effects.some((e) => e.call.id === c.id))
      .map((call) => ({ call, model: modelOf(call, inside) }))
      .filter((x) => !x.model || !(logRow.test(modelWords(x.model).pop() ?? '') || logRow.test(stem(x.model))))
      .filter((x) => !x.model || (!lookedUp(x.model, x.call, calls, inside) && !uniqueInFile(x.model)));
    const charge = effects.find((e) => e.kind === 'charge');
    if (!creates.length && !charge) continue;

    // what the retry duplicates: a money-like row by its model, else by the route and handler names
    const cls = h.fn.classId === undefined ? undefined : facts.classes[h.fn.classId];
    const routeWords = [...words(h.path ?? ''), ...words(h.fn.name), ...words(cls?.name ?? '')];
    const moneyWord = (model: string | undefined) => (model ? words(model) : routeWords).find((w) => money.test(w));
    const first = creates.find((x) => moneyWord(x.model)) ?? creates[0];
    const effect = RANK.map((k) => effects.find((e) => e.kind === k && e.call.id !== first?.call.id)).find(Boolean);
    const word = first ? moneyWord(first.model) : undefined;
    if (!effect && !word && first) continue;

    const file = /route handler$/.test(h.kind) ? /(?:^|\/)app(\/.*)?\/route\.\w+$/.exec(ctx.file.path) : null;
    const path = file ? file[1] || '/' : h.path;
    const at = first?.call ?? charge!.call;
    const also = first && effect ? `${earlier(effect.call.loc, first.call.loc) ? ' and' : ', then'} ${DOES[effect.kind]} (\`${bare(effect.call.callee)}\`, line ${effect.call.loc.line})` : '';
    const d: FindingDraft = {
      ruleId: ctx.rule.id,
      // Python handlers are named functions; TS/JS ones mostly arrows: point at the write
      loc: lang === 'python' ? h.fn.nameLoc : at.loc,
      message: ctx.rule.message,
      data: {
        // a router's prefix is not visible here: a named handler says which `POST /` it is
        handler: path ? `POST ${path}${h.fn.name && lang === 'python' ? ` (\`${h.fn.name}\`)` : ''}` : `\`${h.fn.qualifiedName}\``,
        what: !first ? 'a payment' : word ? `${article(word)} row` : 'a row',
        callee: bare(at.callee),
        line: String(at.loc.line),
        also,
        outcome: !first ? 'charges twice' : effect ? AGAIN[effect.kind] : `creates a second ${word}`,
      },
      symbol: h.fn.qualifiedName || undefined,
      where: { scope: h.fn.scope },
    };
    if (!effect && first) {
      d.priority = 'P2';
      d.priorityReason = `a duplicate ${word} row; no charge, message or job repeats with it`;
    } else if (first && effect && effect.kind !== 'charge') {
      // a client's retry repeats a message or a job, not a payment: readers of set S (SuperAGI's
      // agent runs that enqueue their execution) put each at P2, as issue #12 asks for POSTs
      d.priority = 'P2';
      d.priorityReason = `the retried POST ${DOES[effect.kind]} a second time; no payment repeats with it`;
    }
    out.push(d);
  }
  return out;
};

export default check;
