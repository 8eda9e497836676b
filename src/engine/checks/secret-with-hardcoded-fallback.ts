// A secret read from the environment with a hard-coded fallback: `process.env.JWT_SECRET ||
// 'dev-secret'` (also `??`, bracket access, `const { JWT_SECRET = 'dev' } = process.env` and zod
// env schemas' `.default('…')`) in TS/JS; environment reads with a fallback in Python (catalog
// role `env.read`: os.getenv, python-decouple, django-environ; also `… or "dev"`) and string
// defaults of settings-class fields (role `settings.class`, plain or through `Field("…")`). When
// the variable is missing in production the service starts anyway, with a secret that is in the
// repository.
//
// What the fallback costs depends on what the secret does (catalog section `secret-names` names the words):
// - a signing secret (JWT, session, cookie, webhook signatures, Django's SECRET_KEY): the service
//   itself trusts what is signed with it, so any literal, placeholder or not, lets anyone who read
//   the source forge tokens. The rule's priority (P0 in a service).
// - a password (shared by two services we run): the fallback usually works, because the compose
//   file or the database image defaults to the same value. P1.
// - an API key or token issued by someone else: P1, and a placeholder (`sk_nothing`, `sk-proj-`
//   with nothing after it, an all-zero UUID, `your-key-here`) is quiet: the provider rejects it,
//   the feature fails closed.
// - a connection URL whose fallback carries a password (`postgres://app:secret@db/app`), whatever
//   the variable is called: P1, as a password.
import type { Check } from '../api.js';
import type { FindingDraft } from '../types.js';
import type { CallFact, Scope, Value } from '../../languages/types.js';
import { knobValues } from '../knobs.js';
import { secretJudge, type SecretKind } from '../analysis/secret-names.js';

type Kind = SecretKind;


const TS_FALLBACK =
  /process\.env(?:\.([A-Za-z_$][\w$]*)|\[\s*(['"])([^'"\n]+)\2\s*\])\s*(?:\|\||\?\?)\s*(['"`])((?:(?!\4)[^\\\n]|\\.)*)\4/g;
/** `const { JWT_SECRET = 'dev', PORT = '3000' } = process.env` */
const TS_DESTRUCTURE = /\{([^{}]*)\}\s*=\s*process\.env\b/g;
const TS_DESTRUCTURE_ENTRY = /(?:^|,)\s*([A-Za-z_$][\w$]*)\s*(?::\s*[A-Za-z_$][\w$]*\s*)?=\s*(['"`])((?:(?!\2)[^\\\n]|\\.)*)\2/g;
/** zod env schemas: `JWT_SECRET: z.string().min(32).default('dev-secret')` */
const TS_ZOD_DEFAULT = /\b([A-Za-z_$][\w$]*)\s*:\s*z\s*\.\s*string\(\)[^,\n{}]*?\.default\(\s*(['"`])((?:(?!\2)[^\\\n]|\\.)*)\2\s*\)/g;

const WHAT: Record<Kind, string> = {
  signing: 'a signing secret written in the source',
  password: 'a password written in the source',
  credential: 'a credential written in the source',
  url: 'a connection URL with its password written in the source',
};
const CONSEQUENCE: Record<Kind, string> = {
  signing: 'a deploy that loses the variable keeps running, and anyone who has read the repository can sign tokens or session cookies this service accepts as genuine.',
  password: 'a deploy that loses the variable keeps running on a password everyone with the repository knows, often the same default the database was started with.',
  credential: 'a deploy that loses the variable keeps running on a key that is in the repository, and calls it authorises run against whatever account it belongs to.',
  url: 'a deploy that loses the variable connects with the user and password written in the repository instead of failing at startup.',
};

/** the rule's text variant for each kind (its impact, fix and experiment); a signing secret keeps the base texts */
const TEXTS: Partial<Record<Kind, string>> = { password: 'password', credential: 'credential', url: 'connection-url' };

/**
 * The keys of the objects and the callees of the calls that enclose `offset`, innermost first:
 * `jwtOptions: { secret: process.env.X || 'y' }` gives `jwtOptions`, `JwtModule.register({ secret: … })`
 * gives `JwtModule.register`. Strings are not skipped: a brace in one only blurs the scan for that
 * value, and the scan stops after 2000 characters.
 */
export function enclosingNames(text: string, offset: number): string[] {
  const names: string[] = [];
  let depth = 0;
  for (let i = offset - 1; i >= 0 && i >= offset - 2000 && names.length < 4; i--) {
    const ch = text[i];
    if (ch === '}' || ch === ')' || ch === ']') depth++;
    else if (ch === '{' || ch === '(' || ch === '[') {
      if (depth > 0) { depth--; continue; }
      const before = text.slice(Math.max(0, i - 120), i);
      const m = ch === '{' ? /([A-Za-z_$][\w$]*)['"]?\s*:\s*$|([A-Za-z_$][\w$.]*)\s*\(\s*$/.exec(before) : ch === '(' ? /([A-Za-z_$][\w$.]*)\s*$/.exec(before) : null;
      const name = m?.[1] ?? m?.[2];
      if (name) names.push(name);
    }
  }
  return names;
}

function lineCol(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let last = -1;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    last = i;
  }
  return { line, column: offset - last };
}

/**
 * The URL's host has no dot: `localhost`, or a compose service name (`postgres_db`, `db`). A
 * deploy outside that compose network cannot reach it, so losing the variable fails loudly.
 */
export function localHost(url: string): boolean {
  const m = /^[a-z][\w+.-]*:\/\/(?:[^@/\s]*@)?(\[[^\]]*\]|[^:/?#\s]+)/i.exec(url);
  if (!m) return false;
  const host = m[1].toLowerCase();
  return host === '[::1]' || /^127\./.test(host) || (!host.includes('.') && !host.startsWith('['));
}

const check: Check = (ctx) => {
  const secrets = secretJudge(ctx.catalog.section('secret-names')[0]);
  const out: FindingDraft[] = [];
  const span = (offset: number, length: number) => {
    const start = lineCol(ctx.text, offset);
    const end = lineCol(ctx.text, offset + length);
    return { line: start.line, column: start.column, endLine: end.line, endColumn: end.column };
  };
  // comments are not code
  const commented = (offset: number) => /^\s*(\/\/|\*|\/\*|#)/.test(ctx.text.slice(ctx.text.lastIndexOf('\n', offset) + 1, offset));
  // The project checks for the fallback itself (`if SECRET_KEY == "dev": raise …`): the literal
  // shows up again elsewhere in the file, and a refusal follows it within a few lines. A check
  // that only logs a warning (keep's `if jwt_secret == "jwtsecret": logger.warning(…)`) still
  // runs on the known value.
  const refusal = /\b(raise|throw|sys\.exit|process\.exit|os\._exit|exit\(|abort\(|assert)\b/;
  const guarded = (literal: string) =>
    ['"', "'", '`'].some((q) => {
      const quoted = q + literal + q;
      const first = ctx.text.indexOf(quoted);
      for (let at = first < 0 ? -1 : ctx.text.indexOf(quoted, first + quoted.length); at >= 0; at = ctx.text.indexOf(quoted, at + quoted.length)) {
        const from = ctx.text.lastIndexOf('\n', at) + 1;
        let to = at;
        for (let i = 0; i < 6 && to >= 0; i++) to = ctx.text.indexOf('\n', to + 1);
        if (refusal.test(ctx.text.slice(from, to < 0 ? undefined : to))) return true;
      }
      return false;
    });
  /** the finding for variable `name` falling back to `fallback`, or undefined when that is fine */
  const judge = (name: string, fallback: string): Kind | undefined => (guarded(fallback) ? undefined : secrets.judge(name, fallback));
  const draft = (kind: Kind, loc: FindingDraft['loc'], name: string, source: string, fallback: string, scope?: Scope): FindingDraft => ({
    ruleId: ctx.rule.id,
    loc,
    message: ctx.rule.message,
    data: { name, source, kind, what: WHAT[kind], consequence: CONSEQUENCE[kind], ...(TEXTS[kind] ? { textVariant: TEXTS[kind] } : {}) },
    ...(kind === 'url' && localHost(fallback)
      ? { priority: 'P2' as const, priorityReason: 'the fallback URL names a host that exists only on this machine or inside a compose network: a deploy elsewhere that loses the variable fails to connect instead of using these credentials' }
      : kind === 'signing'
        ? {}
        : { priority: 'P1' as const, priorityReason: `a ${kind === 'url' ? 'connection URL' : kind} fallback, not a signing secret: the service does not trust what it signs` }),
    ...(scope ? { where: { scope } } : {}),
  });

  if (ctx.facts.language === 'typescript') {
    const seen = new Set<number>();
    const push = (found: Kind | undefined, offset: number, length: number, name: string, source: string, fallback: string) => {
      if (!found || commented(offset) || seen.has(offset)) return;
      // PASSWORD_RESET_SECRET under `jwtOptions`, AUTH_TOKEN passed to `JwtModule.register`: signed with
      const kind = found === 'credential' && enclosingNames(ctx.text, offset).some((n) => secrets.signs(n)) ? 'signing' : found;
      seen.add(offset);
      out.push(draft(kind, span(offset, length), name, source, fallback));
    };
    TS_FALLBACK.lastIndex = 0;
    for (let m = TS_FALLBACK.exec(ctx.text); m; m = TS_FALLBACK.exec(ctx.text)) {
      const name = m[1] ?? m[3];
      push(judge(name, m[5]), m.index, m[0].length, name, `process.env.${name}`, m[5]);
    }
    TS_DESTRUCTURE.lastIndex = 0;
    for (let m = TS_DESTRUCTURE.exec(ctx.text); m; m = TS_DESTRUCTURE.exec(ctx.text)) {
      const body = m[1];
      const bodyAt = m.index + 1;
      TS_DESTRUCTURE_ENTRY.lastIndex = 0;
      for (let e = TS_DESTRUCTURE_ENTRY.exec(body); e; e = TS_DESTRUCTURE_ENTRY.exec(body)) {
        const at = bodyAt + e.index + e[0].indexOf(e[1]);
        push(judge(e[1], e[3]), at, e[0].length - e[0].indexOf(e[1]), e[1], `process.env.${e[1]}`, e[3]);
      }
    }
    // a zod schema only matters when it parses the environment
    if (/\bprocess\.env\b/.test(ctx.text) && /\bfrom\s+['"]zod['"]/.test(ctx.text)) {
      TS_ZOD_DEFAULT.lastIndex = 0;
      for (let m = TS_ZOD_DEFAULT.exec(ctx.text); m; m = TS_ZOD_DEFAULT.exec(ctx.text))
        push(judge(m[1], m[3]), m.index, m[0].length, m[1], `env schema ${m[1]}`, m[3]);
    }
    return out;
  }
  const literal = (v: Value | undefined): string | undefined => (v?.kind === 'string' ? v.value : undefined);
  // Python: calls the catalog knows as environment reads (role `env.read`: the variable's name and
  // the fallback are knobs), and settings classes (role `settings.class`) whose field defaults are
  // what the service runs with when the variable is missing.
  const { catalog, facts } = ctx;
  const lineStarts = [0];
  for (let i = ctx.text.indexOf('\n'); i >= 0; i = ctx.text.indexOf('\n', i + 1)) lineStarts.push(i + 1);
  for (const c of facts.calls) {
    const api = catalog.lookupRole(c.qualified, 'python', ['env.read']);
    const [varKnob, fallbackKnob] = [api?.knobs?.variable, api?.knobs?.fallback];
    if (!api || !varKnob || !fallbackKnob) continue;
    const name = knobValues(c, api, varKnob).found[0]?.value;
    if (name?.kind !== 'string') continue;
    const given = knobValues(c, api, fallbackKnob).found[0]?.value;
    let fallback = literal(given);
    if (fallback === undefined || fallback === '') {
      const none = !given || given.kind === 'null' || fallback === '';
      if (!none) continue;
      // `os.environ.get("X") or "dev"`: the fallback is the `or` operand right after the call
      const end = lineStarts[c.loc.endLine - 1] + c.loc.endColumn - 1;
      const m = /^\s*or\s*(['"])((?:(?!\1)[^\\\n]|\\.)*)\1/.exec(ctx.text.slice(end, end + 200));
      if (!m) continue;
      fallback = m[2];
    }
    const kind = judge(name.value, fallback);
    if (!kind) continue;
    const d = draft(kind, c.loc, name.value, c.callee, fallback, c.scope);
    const unused = kind === 'signing' ? unusedDjangoKey(ctx, c.id) : undefined;
    if (unused) {
      d.priority = 'P2';
      d.priorityReason = unused;
    }
    out.push(d);
  }
  const settingsClasses = new Set(
    facts.classes.filter((k) => k.bases.some((b) => catalog.lookupRole(b, 'python', ['settings.class']))).map((k) => k.id),
  );
  /** a field's default: the literal, or `Field("…")` / `Field(default="…")` */
  const fieldDefault = (v: Value): string | undefined => {
    if (v.kind === 'string') return v.value;
    if (v.kind !== 'call') return undefined;
    const call: CallFact | undefined = facts.calls[v.callId];
    if (!call || !/^pydantic(?:_settings)?\.Field$/.test(call.qualified ?? '')) return undefined;
    return literal(call.kwargs.default) ?? literal(call.args[0]);
  };
  for (const a of facts.assignments) {
    if (a.scope.classId === undefined || a.scope.functionId !== undefined || !settingsClasses.has(a.scope.classId)) continue;
    if (!/^[A-Za-z_]\w*$/.test(a.target)) continue;
    const fallback = fieldDefault(a.value);
    if (fallback === undefined) continue;
    const kind = judge(a.target, fallback);
    if (kind) out.push(draft(kind, a.loc, a.target, `settings field ${a.target}`, fallback, a.scope));
  }
  return out;
};

/**
 * Django's SECRET_KEY in a settings module that installs nothing that signs with it (catalog
 * `django-settings` signing: sessions, auth, messages, simplejwt …), with INSTALLED_APPS and
 * MIDDLEWARE both visible lists and no JWT named in the file: a forged value has no session,
 * login or reset token to forge, only what the app's own code signs. Undefined otherwise.
 */
function unusedDjangoKey(ctx: Parameters<Check>[0], callId: number): string | undefined {
  const signing = ctx.catalog.section('django-settings').find((e) => e.signing)?.signing;
  if (!signing) return undefined;
  const { facts } = ctx;
  const top = (name: string) => facts.assignments.filter((a) => a.target === name && a.scope.functionId === undefined && a.scope.classId === undefined);
  if (!top(signing.setting).some((a) => a.value.kind === 'call' && a.value.callId === callId)) return undefined;
  const lists = ['INSTALLED_APPS', 'MIDDLEWARE'].map((n) => top(n));
  if (lists.some((l) => l.length !== 1)) return undefined;
  const items: string[] = [];
  for (const [a] of lists) {
    if (a.value.kind !== 'array' || a.value.open || a.augmented) return undefined;
    for (const i of a.value.items) {
      if (i.kind !== 'string') return undefined;
      items.push(i.value);
    }
  }
  // `INSTALLED_APPS.append(...)` elsewhere in the file adds what is not visible here (`+=` is a
  // second assignment, refused above); a JWT library is often configured by name, not installed
  if (facts.calls.some((c) => /^(INSTALLED_APPS|MIDDLEWARE)\.(append|extend|insert)$/.test(c.callee)) || /jwt/i.test(ctx.text)) return undefined;
  const signs = (item: string) => signing.apps.some((p) => item === p || item.startsWith(`${p}.`)) || signing.middleware.some((m) => item.endsWith(`.${m}`) || item === m);
  if (items.some(signs)) return undefined;
  return `the settings install no app or middleware that signs with ${signing.setting} (no sessions, logins, messages or JWTs): a forged key reaches only what the app's own code signs`;
}

export default check;
