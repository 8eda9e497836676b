// FL052: a secret passed to a service through compose interpolation with a literal default:
// `JWT_SECRET: ${JWT_SECRET:-changeme}`, `DATABASE_URL: postgres://app:${DB_PASSWORD:-app}@db/app`.
// When the variable is not set where the stack is deployed, compose substitutes the default and
// the service starts with a secret that is in the repository. Judged like FL051
// (analysis/secret-names): signing secrets P0, passwords, third-party keys and connection URLs P1,
// placeholder API keys quiet. `${VAR:?required}`, `${VAR}` and `${VAR:-}` are fine; so is a
// default the project's `.env` overrides, and any default written in a developer-only file
// (override, *.dev.yml, .devcontainer, a file whose header says it is not for production), which
// is not a production secret. One default is one finding: the same `${VAR:-x}` written for five
// services of one file is reported at its first use, naming the others.
import type { ComposeCheck } from '../api.js';
import { composeDraft, profileP2, type ComposeDraft } from '../analysis/compose-project.js';
import { secretJudge, URL_PASSWORD, type SecretKind } from '../analysis/secret-names.js';
import { interpolate, noEnv } from '../../languages/compose/interpolate.js';
import { isDevFile } from '../../languages/compose/model.js';
import { publishedBeyondLoopback, writtenEnvironment } from '../../languages/compose/service.js';
import { get, type YNode } from '../../languages/compose/tree.js';

/** `${NAME:-default}` / `${NAME-default}` (no nesting inside the default) */
const WITH_DEFAULT = /\$\{([A-Za-z_][A-Za-z0-9_]*)(:?-)([^${}]*)\}/g;

const WHAT: Record<SecretKind, string> = {
  signing: 'a signing secret',
  password: 'a password',
  credential: 'a credential',
  url: 'a connection URL with a password in it',
};
const CONSEQUENCE: Record<SecretKind, string> = {
  signing: 'a deploy where the variable is not set starts fine, and anyone who has read the repository can sign tokens or session cookies the service accepts.',
  password: 'a deploy where the variable is not set runs on a password everyone with the repository knows.',
  credential: 'a deploy where the variable is not set runs on a key that is in the repository.',
  url: 'a deploy where the variable is not set connects with the user and password written in the repository.',
};

/**
 * The entry as written and as the fix writes it, for the fix diff: the default replaced by
 * `${VAR:?…}` in the finding's own line (`- POSTGRES_PASSWORD=${LETTA_PG_PASSWORD:-letta}`).
 */
function fixLines(written: string, expr: string, variable: string): { written: string; required: string } {
  return { written, required: written.replace(expr, `\${${variable}:?set ${variable} in the deployment environment}`) };
}

const check: ComposeCheck = (ctx) => {
  const secrets = secretJudge(ctx.catalog.section('secret-names')[0]);
  const out: ComposeDraft[] = [];
  const seen = new Set<string>();
  // file + variable + default -> the draft reporting it, and the services it also reaches
  const firstUse = new Map<string, { d: ComposeDraft; also: string[] }>();
  /** false when the same default in the same file was reported already (this service is added to it) */
  const firstTime = (file: string, variable: string, fallback: string, service: string): boolean => {
    const prior = firstUse.get(`${file}\0${variable}\0${fallback}`);
    if (!prior) return true;
    if (prior.d.data?.service !== service && !prior.also.includes(service)) {
      prior.also.push(service);
      prior.d.data = { ...prior.d.data, also: ` (also ${prior.also.map((a) => `\`${a}\``).join(', ')})` };
    }
    return false;
  };
  const remember = (d: ComposeDraft, variable: string, fallback: string) => firstUse.set(`${d.file}\0${variable}\0${fallback}`, { d, also: [] });
  // a password (or a URL holding one) of a backing service that publishes no port beyond the
  // host's loopback: only the stack's own containers (and the host) can reach what it unlocks
  // (readers: security hygiene, P2; open-notebook's SurrealDB on 127.0.0.1:8000, judged P2)
  type View = (typeof ctx.project.services)[number];
  const internalStore = (s: View | undefined) => s !== undefined && s.info !== undefined && s.info.kind !== 'app' && !publishedBeyondLoopback(s.node);
  const unlocksInternal = (v: View, kind: SecretKind, whole: string): string | undefined => {
    if (kind === 'signing') return undefined;
    if (kind === 'url') {
      const host = /@([^:/?#\s]+)/.exec(whole)?.[1];
      const target = host ? ctx.project.byName.get(host) : undefined;
      return internalStore(target) ? target!.name : undefined;
    }
    return kind === 'password' && internalStore(v) ? v.name : undefined;
  };
  const internalP2 = (d: ComposeDraft, store: string | undefined): ComposeDraft => {
    if (!store) return d;
    d.priority = 'P2';
    d.priorityReason = `\`${store}\` publishes no port beyond the host's loopback: only the stack's own services (and the host) can use the default`;
    return d;
  };
  /** one finding: the entry (`shown`) gets the interpolated `variable`'s literal default */
  const report = (
    v: View,
    src: Parameters<typeof composeDraft>[1],
    f: { shown: string; variable: string; expr: string; fallback: string; kind: SecretKind; section: string; written: string; whole: string },
  ) => {
    const d = composeDraft(ctx, src, v.name, {
      variable: f.shown,
      envVar: f.variable,
      expr: f.expr,
      what: WHAT[f.kind],
      consequence: CONSEQUENCE[f.kind],
      kind: f.kind,
      also: '',
      section: f.section,
      ...fixLines(f.written, f.expr, f.variable),
    });
    remember(d, f.variable, f.fallback);
    if (f.kind !== 'signing') {
      d.priority = 'P1';
      d.priorityReason = `a ${f.kind === 'url' ? 'connection URL' : f.kind} default, not a signing secret`;
    }
    out.push(profileP2(v, internalP2(d, unlocksInternal(v, f.kind, f.whole))));
  };
  for (const v of ctx.project.services) {
    // `command: redis-server --requirepass ${REDIS_PASSWORD:-changeme}`: judged by the variable's name
    const cmds: YNode[] = [];
    const section = new Map<YNode, { key: string; listed: boolean }>();
    for (const key of ['command', 'entrypoint']) {
      const c = get(v.node, key);
      if (c?.kind === 'scalar') cmds.push(c);
      else if (c?.kind === 'seq') cmds.push(...c.items);
      if (c?.kind === 'scalar') section.set(c, { key, listed: false });
      else if (c?.kind === 'seq') for (const it of c.items) section.set(it, { key, listed: true });
    }
    for (const c of cmds) {
      if (c.kind !== 'scalar' || typeof c.raw !== 'string' || !c.raw.includes('${') || v.dev || isDevFile(c.src.file)) continue;
      WITH_DEFAULT.lastIndex = 0;
      for (let m = WITH_DEFAULT.exec(c.raw); m; m = WITH_DEFAULT.exec(c.raw)) {
        const [expr, variable, , fallback] = m;
        const kind = secrets.judge(variable, fallback);
        // the project's `.env` sets it: the interpolated command does not hold the default
        if (!kind || !String(c.value).includes(fallback)) continue;
        const key = `${c.src.file}:${c.src.loc.line}:${c.src.loc.column}:${expr}`;
        if (seen.has(key)) continue;
        seen.add(key);
        if (!firstTime(c.src.file, variable, fallback, v.name)) continue;
        const where = section.get(c) ?? { key: 'command', listed: false };
        report(v, c.src, { shown: variable, variable, expr, fallback, kind, section: where.key, written: `${where.listed ? '- ' : ''}${c.raw}`, whole: String(c.value) });
      }
    }
    for (const e of writtenEnvironment(get(v.node, 'environment'))) {
      if (!e.raw.includes('${') || v.dev || isDevFile(e.scalar.src.file)) continue;
      // the project's `.env` sets the variable: compose does not use the default
      const whole = interpolate(e.raw, noEnv).value;
      if (whole !== e.value) continue;
      WITH_DEFAULT.lastIndex = 0;
      const exprs: RegExpExecArray[] = [];
      for (let m = WITH_DEFAULT.exec(e.raw); m; m = WITH_DEFAULT.exec(e.raw)) exprs.push(m);
      // a URL assembled from several defaults (`postgresql://${DB_USER:-app}:${DB_PASSWORD:-app}@${DB_HOST:-db}`)
      // is reported at the one in the password's place, not at the first
      const password = URL_PASSWORD.exec(whole)?.[1];
      const atPassword = password === undefined ? -1 : exprs.findIndex((x) => x[3] === password && /PASS|SECRET|TOKEN|KEY/i.test(x[1]));
      if (atPassword > 0) exprs.unshift(...exprs.splice(atPassword, 1));
      for (const m of exprs) {
        const [expr, variable, , fallback] = m;
        // a URL assembled around the default (`postgres://app:${DB_PASSWORD:-app}@db/app`) is
        // judged as the URL; a plain default by the entry's and the variable's names
        const kind =
          (whole !== fallback ? secrets.judge(e.name, whole) : undefined) ??
          secrets.judge(variable, fallback) ??
          (variable !== e.name ? secrets.judge(e.name, fallback) : undefined);
        if (!kind) continue;
        const key = `${e.scalar.src.file}:${e.scalar.src.loc.line}:${e.scalar.src.loc.column}:${expr}`;
        if (seen.has(key)) continue;
        seen.add(key);
        // the entry's secret (a URL's password comes first) is a default reported already: this
        // entry is one more service on that finding, not a finding for the URL's other defaults
        if (!firstTime(e.scalar.src.file, variable, fallback, v.name)) break;
        report(v, e.scalar.src, { shown: e.name, variable, expr, fallback, kind, section: 'environment', written: e.listed ? `- ${e.name}=${e.raw}` : `${e.name}: ${e.raw}`, whole });
        break;
      }
    }
  }
  // an app's copy of a backing store's password (`DB_PASS` on the app, `POSTGRES_PASSWORD` from
  // the same variable on postgres): the default unlocks that store, which publishes no port
  // (etherpad's compose; readers of set Z judged it P2 twice)
  for (const { d, also } of firstUse.values()) {
    if (d.priority !== 'P1' || d.data?.kind !== 'password') continue;
    const store = also.map((n) => ctx.project.byName.get(n)).find((s) => internalStore(s));
    if (store) internalP2(d, store.name);
  }
  return out;
};

export default check;
