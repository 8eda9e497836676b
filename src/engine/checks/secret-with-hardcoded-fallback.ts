// A secret read from the environment with a hard-coded fallback: `process.env.JWT_SECRET ||
// 'dev-secret'` (also `??`, bracket access) in TS/JS; environment reads with a fallback in Python
// (catalog role `env.read`: os.getenv, python-decouple, django-environ; also `… or "dev"`) and
// string defaults of settings-class fields (role `settings.class`). When the variable is missing in
// production the service starts anyway, signing with a secret that is in the repository.
import type { Check } from '../api.js';
import type { FindingDraft } from '../types.js';
import type { Value } from '../../languages/types.js';
import { knobValues } from '../knobs.js';

interface Options {
  /** the name's last word must be one of these (JWT_SECRET, DB_PASSWORD, API_KEY, jwtSecret) */
  secretWords: string[];
  /** and none of its words one of these (JWT_PUBLIC_KEY, STRIPE_PUBLISHABLE_KEY) */
  notSecretWords: string[];
  /** a name ending in KEY is a record's key name, not a secret, when the word before is one of these (LDAP_EMAIL_KEY) */
  recordKeyWords: string[];
}

const TS_FALLBACK =
  /process\.env(?:\.([A-Za-z_$][\w$]*)|\[\s*(['"])([^'"\n]+)\2\s*\])\s*(?:\|\||\?\?)\s*(['"`])((?:(?!\4)[^\\\n]|\\.)*)\4/g;

function lineCol(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let last = -1;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    last = i;
  }
  return { line, column: offset - last };
}

const check: Check = (ctx) => {
  const opts = ctx.rule.options as unknown as Options;
  const secretWords = new Set(opts.secretWords.map((w) => w.toUpperCase()));
  const notSecretWords = new Set(opts.notSecretWords.map((w) => w.toUpperCase()));
  const recordKeyWords = new Set(opts.recordKeyWords.map((w) => w.toUpperCase()));
  const isSecret = (name: string) => {
    const words = name
      .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
      .split(/[_\W]+/)
      .filter(Boolean)
      .map((w) => w.toUpperCase());
    const last = words[words.length - 1];
    // LDAP_EMAIL_KEY, SORT_KEY: the name of a key in a record, not a key that unlocks anything
    if (last === 'KEY' && words.length > 1 && recordKeyWords.has(words[words.length - 2])) return false;
    return words.length > 0 && secretWords.has(last) && !words.some((w) => notSecretWords.has(w));
  };
  const out: FindingDraft[] = [];
  const span = (offset: number, length: number) => {
    const start = lineCol(ctx.text, offset);
    const end = lineCol(ctx.text, offset + length);
    return { line: start.line, column: start.column, endLine: end.line, endColumn: end.column };
  };
  // comments are not code
  const commented = (offset: number) => /^\s*(\/\/|\*|\/\*|#)/.test(ctx.text.slice(ctx.text.lastIndexOf('\n', offset) + 1, offset));
  // The project checks for the fallback itself (`if SECRET_KEY == "dev": raise …`): the literal
  // shows up again elsewhere in the file.
  const guarded = (literal: string) =>
    ['"', "'", '`'].some((q) => {
      const quoted = q + literal + q;
      const first = ctx.text.indexOf(quoted);
      return first >= 0 && ctx.text.indexOf(quoted, first + quoted.length) >= 0;
    });
  if (ctx.facts.language === 'typescript') {
    TS_FALLBACK.lastIndex = 0;
    for (let m = TS_FALLBACK.exec(ctx.text); m; m = TS_FALLBACK.exec(ctx.text)) {
      const name = m[1] ?? m[3];
      const fallback = m[5];
      if (!isSecret(name) || fallback.trim() === '' || fallback.includes('${') || guarded(fallback) || commented(m.index)) continue;
      out.push({
        ruleId: ctx.rule.id,
        loc: span(m.index, m[0].length),
        message: ctx.rule.message,
        data: { name, source: `process.env.${name}` },
      });
    }
    return out;
  }
  const usable = (v: Value | undefined): v is Extract<Value, { kind: 'string' }> =>
    v?.kind === 'string' && v.value.trim() !== '' && !guarded(v.value);
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
    if (name?.kind !== 'string' || !isSecret(name.value)) continue;
    let fallback: string | undefined;
    const given = knobValues(c, api, fallbackKnob).found[0]?.value;
    const none = !given || given.kind === 'null' || (given.kind === 'string' && given.value === '');
    if (usable(given)) fallback = given.value;
    else if (none) {
      // `os.environ.get("X") or "dev"`: the fallback is the `or` operand right after the call
      const end = lineStarts[c.loc.endLine - 1] + c.loc.endColumn - 1;
      const m = /^\s*or\s*(['"])((?:(?!\1)[^\\\n]|\\.)*)\1/.exec(ctx.text.slice(end, end + 200));
      if (m && m[2].trim() !== '' && !guarded(m[2])) fallback = m[2];
    }
    if (fallback === undefined) continue;
    out.push({ ruleId: ctx.rule.id, loc: c.loc, message: ctx.rule.message, data: { name: name.value, source: c.callee }, where: { scope: c.scope } });
  }
  const settingsClasses = new Set(
    facts.classes.filter((k) => k.bases.some((b) => catalog.lookupRole(b, 'python', ['settings.class']))).map((k) => k.id),
  );
  for (const a of facts.assignments) {
    if (a.scope.classId === undefined || a.scope.functionId !== undefined || !settingsClasses.has(a.scope.classId)) continue;
    if (!/^[A-Za-z_]\w*$/.test(a.target) || !isSecret(a.target) || !usable(a.value)) continue;
    out.push({ ruleId: ctx.rule.id, loc: a.loc, message: ctx.rule.message, data: { name: a.target, source: `settings field ${a.target}` }, where: { scope: a.scope } });
  }
  return out;
};

export default check;
