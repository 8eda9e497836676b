// Compose interpolation: `$VAR`, `${VAR}`, `${VAR:-default}`, `${VAR-default}`, `${VAR:?err}`,
// `${VAR?err}`, `${VAR:+alt}`, `${VAR+alt}` and `$$` (a literal `$`). A variable we do not know
// keeps its literal text (`${VAR}`), except that a default is used when one is written: it is
// what compose itself runs with when the variable is unset.

/** Variable lookup (e.g. the project's `.env`); undefined = unknown. */
export type Env = (name: string) => string | undefined;

export const noEnv: Env = () => undefined;

const NAME_RE = /^[A-Za-z_][A-Za-z0-9_]*/;

/** index of the `}` closing the `${` whose body starts at `start`, honouring nesting */
function closingBrace(s: string, start: number): number {
  let depth = 1;
  for (let i = start; i < s.length; i++) {
    if (s[i] === '$' && s[i + 1] === '$') {
      i++;
      continue;
    }
    if (s[i] === '$' && s[i + 1] === '{') {
      depth++;
      i++;
    } else if (s[i] === '}' && --depth === 0) return i;
  }
  return -1;
}

export function interpolate(input: string, env: Env): { value: string; unknown: string[] } {
  if (!input.includes('$')) return { value: input, unknown: [] };
  const unknown: string[] = [];
  let out = '';
  for (let i = 0; i < input.length; i++) {
    const c = input[i];
    if (c !== '$') {
      out += c;
      continue;
    }
    const next = input[i + 1];
    if (next === '$') {
      out += '$';
      i++;
      continue;
    }
    if (next === '{') {
      const end = closingBrace(input, i + 2);
      if (end < 0) {
        out += input.slice(i);
        break;
      }
      const body = input.slice(i + 2, end);
      const literal = input.slice(i, end + 1);
      const name = NAME_RE.exec(body)?.[0];
      if (!name) {
        out += literal;
      } else {
        const rest = body.slice(name.length);
        const val = env(name);
        const op = /^(:-|-|:\?|\?|:\+|\+)/.exec(rest)?.[0] ?? '';
        const arg = rest.slice(op.length);
        const sub = (t: string): string => {
          const r = interpolate(t, env);
          unknown.push(...r.unknown);
          return r.value;
        };
        if (rest === '') {
          if (val === undefined) unknown.push(name);
          out += val ?? literal;
        } else if (op === ':-') out += val === undefined || val === '' ? sub(arg) : val;
        else if (op === '-') out += val === undefined ? sub(arg) : val;
        else if (op === ':+' || op === '+') {
          if (val === undefined) {
            unknown.push(name);
            out += literal;
          } else out += op === ':+' ? (val !== '' ? sub(arg) : '') : sub(arg);
        } else if (op === ':?' || op === '?') {
          if (val === undefined) unknown.push(name);
          out += val ?? literal;
        } else out += literal;
      }
      i = end;
      continue;
    }
    const name = NAME_RE.exec(input.slice(i + 1))?.[0];
    if (name) {
      const val = env(name);
      if (val === undefined) unknown.push(name);
      out += val ?? '$' + name;
      i += name.length;
    } else out += '$';
  }
  return { value: out, unknown };
}

/** Parse a `.env` file: KEY=VALUE lines, `#` comments, optional quotes, `export ` prefix. */
export function parseDotEnv(text: string): Map<string, string> {
  const vars = new Map<string, string>();
  for (const rawLine of text.split(/\r?\n/)) {
    const line = rawLine.trim();
    if (!line || line.startsWith('#')) continue;
    const m = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*=\s*(.*)$/.exec(line);
    if (!m) continue;
    let v = m[2];
    if ((v.startsWith('"') && v.endsWith('"') && v.length >= 2) || (v.startsWith("'") && v.endsWith("'") && v.length >= 2)) {
      v = v.slice(1, -1);
    } else v = v.replace(/\s+#.*$/, '');
    vars.set(m[1], v);
  }
  return vars;
}
