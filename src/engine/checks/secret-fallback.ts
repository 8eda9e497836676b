// A secret read from the environment with a hard-coded fallback: `process.env.JWT_SECRET ||
// 'dev-secret'` (also `??`, bracket access) in TS/JS; `os.environ.get("SECRET_KEY", "dev")` /
// `os.getenv("SECRET_KEY", "dev")` in Python. When the variable is missing in production the
// service starts anyway, signing with a secret that is in the repository.
import type { Check } from '../api.js';
import type { FindingDraft } from '../types.js';

interface Options {
  /** the name's last word must be one of these (JWT_SECRET, DB_PASSWORD, API_KEY, jwtSecret) */
  secretWords?: string[];
  /** and none of its words one of these (JWT_PUBLIC_KEY, STRIPE_PUBLISHABLE_KEY) */
  notSecretWords?: string[];
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
  const opts = (ctx.rule.options ?? {}) as Options;
  const secretWords = new Set((opts.secretWords ?? ['SECRET', 'PASSWORD', 'PASSWD', 'PWD', 'TOKEN', 'KEY', 'SALT', 'PASSPHRASE']).map((w) => w.toUpperCase()));
  const notSecretWords = new Set((opts.notSecretWords ?? ['PUBLIC', 'PUBLISHABLE', 'ID']).map((w) => w.toUpperCase()));
  const isSecret = (name: string) => {
    const words = name
      .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
      .split(/[_\W]+/)
      .filter(Boolean)
      .map((w) => w.toUpperCase());
    return words.length > 0 && secretWords.has(words[words.length - 1]) && !words.some((w) => notSecretWords.has(w));
  };
  const out: FindingDraft[] = [];
  if (ctx.facts.language === 'typescript') {
    TS_FALLBACK.lastIndex = 0;
    for (let m = TS_FALLBACK.exec(ctx.text); m; m = TS_FALLBACK.exec(ctx.text)) {
      const name = m[1] ?? m[3];
      const fallback = m[5];
      if (!isSecret(name) || fallback.trim() === '' || fallback.includes('${')) continue;
      const start = lineCol(ctx.text, m.index);
      const end = lineCol(ctx.text, m.index + m[0].length);
      // comments are not code
      const lineStart = ctx.text.lastIndexOf('\n', m.index) + 1;
      const before = ctx.text.slice(lineStart, m.index);
      if (/^\s*(\/\/|\*|\/\*)/.test(before)) continue;
      out.push({
        ruleId: ctx.rule.id,
        loc: { line: start.line, column: start.column, endLine: end.line, endColumn: end.column },
        message: ctx.rule.message,
        data: { name, source: `process.env.${name}` },
      });
    }
    return out;
  }
  for (const c of ctx.facts.calls) {
    if (!c.qualified || !/^os\.(environ\.get|getenv)$/.test(c.qualified)) continue;
    const [key, dflt] = [c.args[0], c.args[1] ?? c.kwargs['default']];
    if (key?.kind !== 'string' || dflt?.kind !== 'string' || !isSecret(key.value) || dflt.value.trim() === '') continue;
    out.push({ ruleId: ctx.rule.id, loc: c.loc, message: ctx.rule.message, data: { name: key.value, source: c.callee }, where: { scope: c.scope } });
  }
  return out;
};

export default check;
