// A secret read from the environment with a hard-coded fallback: `process.env.JWT_SECRET ||
// 'dev-secret'` (also `??`, bracket access) in TS/JS; `os.environ.get("SECRET_KEY", "dev")` /
// `os.getenv("SECRET_KEY", "dev")`, `… or "dev"`, python-decouple / django-environ defaults and
// pydantic settings field defaults in Python. When the variable is missing in production the
// service starts anyway, signing with a secret that is in the repository.
import type { Check } from '../api.js';
import type { FindingDraft } from '../types.js';
import type { Value } from '../../languages/types.js';

/** A Python call that reads a variable (name in the first argument) and takes a fallback. */
interface EnvReader {
  /** qualified callee: `os.getenv`, `decouple.config`, `environ.Env()` (an instance called) */
  call: string;
  /** positional index of the fallback, when it can be passed positionally */
  default?: number;
  /** keyword of the fallback */
  defaultKey?: string;
}

interface Options {
  /** Python calls that read the environment with a fallback */
  envReaders?: EnvReader[];
  /** Python settings classes whose field defaults are fallbacks for environment variables */
  settingsBases?: string[];
  /** the name's last word must be one of these (JWT_SECRET, DB_PASSWORD, API_KEY, jwtSecret) */
  secretWords?: string[];
  /** and none of its words one of these (JWT_PUBLIC_KEY, STRIPE_PUBLISHABLE_KEY) */
  notSecretWords?: string[];
  /** a name ending in KEY is a record's key name, not a secret, when the word before is one of these (LDAP_EMAIL_KEY) */
  recordKeyWords?: string[];
}

// `os.environ.get("X") or "dev"`: the fallback is an `or` operand, not an argument
const PY_OR_FALLBACK =
  /os\.(?:environ\.get|getenv)\(\s*(['"])([^'"\n]+)\1\s*(?:,\s*(?:None|''|""))?\s*\)\s*or\s*(['"])((?:(?!\3)[^\\\n]|\\.)*)\3/g;

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
  const opts = (ctx.rule.options ?? {}) as Options;
  const secretWords = new Set((opts.secretWords ?? ['SECRET', 'PASSWORD', 'PASSWD', 'PWD', 'TOKEN', 'KEY', 'SALT', 'PASSPHRASE']).map((w) => w.toUpperCase()));
  const notSecretWords = new Set((opts.notSecretWords ?? ['PUBLIC', 'PUBLISHABLE', 'ID']).map((w) => w.toUpperCase()));
  const recordKeyWords = new Set((opts.recordKeyWords ?? []).map((w) => w.toUpperCase()));
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
  const readers = opts.envReaders ?? [];
  for (const c of ctx.facts.calls) {
    const reader = c.qualified ? readers.find((r) => r.call === c.qualified) : undefined;
    if (!reader) continue;
    const key = c.args[0];
    const dflt = (reader.default !== undefined ? c.args[reader.default] : undefined) ?? (reader.defaultKey ? c.kwargs[reader.defaultKey] : undefined);
    if (key?.kind !== 'string' || !isSecret(key.value) || !usable(dflt)) continue;
    out.push({ ruleId: ctx.rule.id, loc: c.loc, message: ctx.rule.message, data: { name: key.value, source: c.callee }, where: { scope: c.scope } });
  }
  PY_OR_FALLBACK.lastIndex = 0;
  for (let m = PY_OR_FALLBACK.exec(ctx.text); m; m = PY_OR_FALLBACK.exec(ctx.text)) {
    const [name, fallback] = [m[2], m[4]];
    if (!isSecret(name) || fallback.trim() === '' || guarded(fallback) || commented(m.index)) continue;
    out.push({ ruleId: ctx.rule.id, loc: span(m.index, m[0].length), message: ctx.rule.message, data: { name, source: `os.environ.get("${name}") or …` } });
  }
  // pydantic settings: a field default is what the service runs with when the variable is missing
  const bases = new Set(opts.settingsBases ?? []);
  const settingsClasses = new Set(ctx.facts.classes.filter((k) => k.bases.some((b) => bases.has(b))).map((k) => k.id));
  for (const a of ctx.facts.assignments) {
    if (a.scope.classId === undefined || a.scope.functionId !== undefined || !settingsClasses.has(a.scope.classId)) continue;
    if (!/^[A-Za-z_]\w*$/.test(a.target) || !isSecret(a.target) || !usable(a.value)) continue;
    out.push({ ruleId: ctx.rule.id, loc: a.loc, message: ctx.rule.message, data: { name: a.target, source: `settings field ${a.target}` }, where: { scope: a.scope } });
  }
  return out;
};

export default check;
