// The texts a report shows for one finding: message, what breaks, fix and experiment, chosen for the
// finding's backend family and runtime context (rule YAML `variants:`) and filled with the values the
// rule's message was rendered from. A placeholder with no value never reaches the page: it reads as
// a plain phrase ("the dependency"), or its clause is dropped. Pure.
import type { Finding, RuleMeta, RuleVariant, RuntimeContext, SystemModel } from '../engine/types.js';
import { familyOf, imageOf, type Family } from './library.js';
import { fillCode } from './common.js';
import { readByDefault } from '../languages/compose/model.js';

/** `{name}`, not `${name}` (shell / JS) and not `{{name}}` (Go templates in docker commands). */
export const PLACEHOLDER = /(?<![{$])\{([A-Za-z_][\w-]*)\}(?!\})/g;
/** `<name>` placeholders a reader would have to fill in by hand. */
export const ANGLE_PLACEHOLDER = /<([A-Za-z_][\w-]*)>/g;

/**
 * What an unfilled placeholder reads as. Written so the sentence around it still holds; '' drops an
 * optional tail (`{dependents}`, `{heartbeat}`). A test renders every rule with no values at all.
 */
export const PLACEHOLDER_FALLBACK: Record<string, string> = {
  service: 'the service',
  backend: 'the dependency',
  dependency: 'the dependency',
  dependents: '',
  callee: 'this call',
  api: 'this call',
  default: 'see the rule documentation',
  state: 'no',
  keys: 'its timeout and limit options',
  key: 'its timeout option',
  image: 'its image',
  driver: 'the database driver',
  value: 'a dead value',
  target: 'the client attribute',
  problem: 'has a setting that loses data',
  probe: "the image's own readiness command or an HTTP request to the service's health endpoint",
  name: 'this client',
  mount: "the image's data directory",
  path: "the image's data directory",
  how: 'this setting',
  where: '',
  what: 'has no rule id or reason',
  reason: 'does not prove the service is ready',
  form: 'its short form',
  class: 'this class',
  attempts: 'a few',
  who: 'the callers',
  test: 'this probe',
  task: 'this task',
  subject: 'This handler',
  source: 'the setting',
  n: 'a few',
  missing: 'no connect or statement timeout',
  lacks: 'no explicit timeout',
  heartbeat: '',
  hazard: 'the caller waits as long as the other side stalls',
  handlerLine: 'the handler',
  grace: 'a short time',
  function: 'this function',
  fix: "the driver's connect and statement timeouts",
  effect: 'writes or calls out',
  detail: 'nothing bounds how long it waits',
  delivery: 'a message can be delivered more than once',
  decorator: 'retry',
  budget: 'reconnecting stops after a fixed budget',
  at: '',
};

/** A placeholder whose value can stand in for another's (a data directory is where the volume goes). */
const ALIASES: Record<string, string> = { mount: 'path', api: 'callee' };

/** Values can come from the scanned repository: keep them on one line and out of code-span syntax. */
function clean(v: string): string {
  return v.replace(/[\r\n]+/g, ' ').replace(/`/g, "'").trim();
}

function fallback(key: string): string {
  return PLACEHOLDER_FALLBACK[key] ?? key.replace(/[-_]+/g, ' ').replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
}

/** The fallback phrase, capitalised when it starts a sentence. */
function phrase(key: string, whole: string, at: number): string {
  const p = fallback(key);
  const before = whole.slice(0, at);
  const starts = /^\s*$/.test(before) || (/[.!?]\s+$/.test(before) && !/\b(?:e\.g|i\.e|etc|vs)\.\s+$/.test(before));
  return starts ? p.charAt(0).toUpperCase() + p.slice(1) : p;
}

/**
 * Fills `{name}` placeholders. An unfilled one that is a whole code span (`` `{probe}` ``) becomes
 * the plain fallback phrase; inside a longer code span (a shell command) it becomes `$NAME`, a shell
 * variable the reader sets; elsewhere the phrase. A clause "e.g. `{x}`" with no value is dropped.
 */
export function fillText(text: string, values: Record<string, string> = {}): string {
  const value = (k: string): string | undefined => {
    const v = values[k] ?? (ALIASES[k] ? values[ALIASES[k]] : undefined);
    return v === undefined || v === '' ? undefined : clean(v);
  };
  let t = text.trim();
  // an example that cannot be given is left out rather than replaced by a vague phrase
  t = t.replace(/,?\s*(?:e\.g\.|for example|such as)\s*`\{([A-Za-z_][\w-]*)\}`/g, (m, k: string) => (value(k) !== undefined ? m : ''));
  // whole code span
  t = t.replace(/`\{([A-Za-z_][\w-]*)\}`/g, (m, k: string, at: number, whole: string) => {
    const v = value(k);
    return v !== undefined ? `\`${v}\`` : phrase(k, whole, at);
  });
  // inside a longer code span: a shell variable
  t = t.replace(/`[^`\n]*`/g, (span) =>
    span.replace(PLACEHOLDER, (_m, k: string) => value(k) ?? `$${k.replace(/[^A-Za-z0-9]+/g, '_').toUpperCase()}`),
  );
  t = t.replace(PLACEHOLDER, (_m, k: string, at: number, whole: string) => value(k) ?? phrase(k, whole, at));
  // tidy the seams a dropped clause leaves, outside code spans only
  return t.replace(/(`+)[\s\S]*?\1|[^`]+/g, (part) => (part.startsWith('`') ? part : part.replace(/\s+([.,;:])/g, '$1').replace(/ {2,}/g, ' ')));
}

/**
 * Values a rule's message was rendered from, read back from the message when the engine did not
 * pass them on: the template's literal parts are anchors, each placeholder a lazy group.
 */
export function valuesFromMessage(template: string, message: string): Record<string, string> {
  const names: string[] = [];
  let source = '';
  let last = 0;
  for (const m of template.trim().matchAll(PLACEHOLDER)) {
    source += escapeRe(template.trim().slice(last, m.index));
    const k = m[1];
    const groupName = k.replace(/[^A-Za-z0-9_]/g, '_');
    source += names.includes(groupName) ? `\\k<${groupName}>` : `(?<${groupName}>[\\s\\S]*?)`;
    if (!names.includes(groupName)) names.push(groupName);
    last = m.index + m[0].length;
  }
  if (!names.length) return {};
  source += escapeRe(template.trim().slice(last));
  try {
    const match = new RegExp(`^${source}$`).exec(message.trim());
    if (!match?.groups) return {};
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(match.groups)) if (v !== undefined && v !== '') out[k] = v;
    return out;
  } catch {
    return {};
  }
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

type WithData = Finding & { data?: Record<string, string> };

/** The values for a finding's texts: the engine's data, else what the message shows, plus the compose service and image. */
export function valuesOf(f: Finding, rule: RuleMeta | undefined, system?: SystemModel): Record<string, string> {
  const data = (f as WithData).data;
  const values: Record<string, string> = rule && !data ? valuesFromMessage(rule.message, f.message) : {};
  Object.assign(values, data ?? {});
  const compose = /\.ya?ml$/i.test(f.file);
  if (compose && f.symbol && !values.service) values.service = f.symbol;
  if (compose && !values.image) {
    const image = imageOf(f, system);
    if (image) values.image = image;
  }
  return values;
}

export interface Experiment {
  break: string;
  observe: string;
  pass: string;
  rollback: string;
  /** the rule's own hypothesis, when it has one */
  hypothesis?: string;
}

export interface FindingTexts {
  /** variant keys applied, library first ("redis", "browser") */
  variants: string[];
  impact?: string;
  fixTitle: string;
  /** the fix as code for a language, from the variant when it has one */
  fixCode: (lang: string) => string | undefined;
  experiment?: Experiment;
}

/**
 * Kinds of finding a check names in `data.textVariant`, for rule `variants:` beside families and
 * contexts; and client libraries whose calls a fix is written for (`axios`: the finding's API is
 * one of its calls, so the fix shows its `timeout` option, not `fetch`'s signal).
 */
export const TEXT_VARIANTS = ['password', 'credential', 'connection-url', 'node-without-volume', 'axios'] as const;
/** the client-library text variants, picked from the finding's API when the check names no kind */
export const CLIENT_VARIANTS: ReadonlySet<string> = new Set(['axios']);

export interface TextSelection {
  family?: Family;
  /** what kind of finding the check says it is (`data.textVariant`: FL051's connection URL or password) */
  variant?: string;
  context?: RuntimeContext;
  values?: Record<string, string>;
  /** the compose file the finding's service is defined in (relative to the scan root) */
  composeFile?: string;
}

const COMPOSE_VERB = /\bdocker compose (?=(?:ps|exec|pause|unpause|stop|start|restart|up|down|kill|logs|config|run|top)\b)/g;

/**
 * Commands aimed at the compose file the service is defined in: one that `docker compose` would
 * not find by itself from the repository root gets `-f <file>`, so the command runs as written.
 */
export function targetComposeFile(text: string, file: string | undefined): string {
  // a path at the scan root that compose finds by itself (compose.yaml, its override)
  if (!file || readByDefault(file)) return text;
  const arg = /^[\w./-]+$/.test(file) ? file : `'${file.replace(/'/g, `'\\''`)}'`;
  return text.replace(COMPOSE_VERB, `docker compose -f ${arg} `);
}

/** The rule's texts for one finding's family and context (a context variant wins over a family variant). */
export function textsFor(rule: RuleMeta, sel: TextSelection = {}): FindingTexts {
  const keys: string[] = [];
  for (const k of [sel.family, sel.variant, sel.context]) if (k && rule.variants?.[k]) keys.push(k);
  const layers: RuleVariant[] = keys.map((k) => rule.variants![k]);
  const pick = <T>(get: (v: RuleVariant) => T | undefined, base: T): T => {
    let out = base;
    for (const l of layers) out = get(l) ?? out;
    return out;
  };
  const values = sel.values ?? {};
  const impactText = pick((v) => v.impact, rule.docs.impact ?? rule.docs.why);
  const title = pick((v) => v.fix?.title, rule.fix.title);
  const code = (lang: string) => {
    const c = pick((v) => v.fix?.code?.[lang], rule.fix.code?.[lang]);
    return c === undefined ? undefined : fillCode(c, values);
  };
  let experiment: Experiment | undefined;
  if (rule.experiment) {
    const e = rule.experiment;
    const brk = fillText(pick((v) => v.experiment?.break, e.break), values);
    const explicitRollback = pick((v) => v.experiment?.rollback, e.rollback);
    const at = (t: string) => targetComposeFile(t, sel.composeFile);
    experiment = {
      break: at(brk),
      observe: at(fillText(pick((v) => v.experiment?.observe, e.observe), values)),
      pass: at(fillText(pick((v) => v.experiment?.pass, e.pass), values)),
      rollback: at(explicitRollback ? fillText(explicitRollback, values) : deriveRollback(brk)),
    };
    const hypothesis = pick((v) => v.experiment?.hypothesis, e.hypothesis);
    if (hypothesis) experiment.hypothesis = fillText(hypothesis, values);
  }
  return {
    variants: keys,
    impact: impactText ? fillText(impactText.replace(/\s*\n\s*/g, ' '), values) : undefined,
    fixTitle: fillText(title, values),
    fixCode: code,
    experiment,
  };
}

/**
 * The undo of an injection the rules describe in words (no command to reverse): the step that
 * stops nothing says so instead of asking to unpause what was never paused.
 */
const PROSE_ROLLBACKS: Array<[RegExp, string]> = [
  [/docker compose down && docker compose up -d/, 'Nothing to undo: the stack is up again at the end of the step. Restore what the test lost from a backup, if it was more than test data.'],
  [/^`?docker compose up -d/, 'Stop the test stack when you are done (`docker compose down`).'],
  [/\b(wrapper script|replace the external command)\b/i, 'Put the real command back (remove the wrapper from `PATH`) and kill any child still running (`pkill -f` the wrapper).'],
  [/^hold every pool(ed)? connection|^run a query that waits on a lock/i, 'End the sessions that hold the connections or the lock (`SELECT pg_terminate_backend(pid)` for them, or stop the client running them); check that the pool drains back to normal.'],
  [/^lower `visibility_timeout`/i, 'Set `visibility_timeout` back to its real value and restart the workers.'],
  [/^in a staging copy, throw from/i, 'Remove the debug route and restart the service if the throw took it down.'],
  [/^(With the service idle[^,]*, )?restart the (dependency|database|WebSocket)\b/i, 'Nothing to undo once the dependency is back; if the service did not recover by itself, restart it: that is the failure the fix removes.'],
  [/\b(make (the|one) [\w' ]*?(dependency|round)[\w ]*? fail|stop (the|every) [\w ]+|return 503|inject (errors|an exception)|hang or fail)\b/i, 'Start what you stopped and remove the stub or fault you put in front of the dependency; check that the stack is back to its steady state before the next run.'],
  [/^start the (service|stack) without/i, 'Start it again with the variable set, and delete what the test wrote while it ran without.'],
  [/^(send|from a page|run (two|the service)|kick|publish|write a row|kill the worker)\b/i, 'Nothing to undo beyond the test data: delete the rows, messages or jobs the step created.'],
];

/** The undo of common injections, read from the break step's commands. */
export function deriveRollback(breakText: string): string {
  const steps: string[] = [];
  const add = (s: string) => {
    if (!steps.includes(s)) steps.push(s);
  };
  for (const m of breakText.matchAll(/`([^`\n]+)`/g)) {
    const cmd = m[1];
    let r: RegExpMatchArray | null;
    if ((r = cmd.match(/docker compose pause (\S+)/))) add(`\`docker compose unpause ${r[1]}\``);
    else if ((r = cmd.match(/docker pause (\S+)/))) add(`\`docker unpause ${r[1]}\``);
    else if ((r = cmd.match(/docker compose (?:stop|kill)(?: -s \S+)? ([^\s;,&|]+)/))) add(`\`docker compose up -d ${r[1]}\``);
    else if ((r = cmd.match(/docker compose exec (\S+) kill -STOP (\S+)/))) add(`\`docker compose exec ${r[1]} kill -CONT ${r[2]}\` (or \`docker compose restart ${r[1]}\`)`);
    else if (/toxiproxy-cli toxic add/.test(cmd)) {
      const name = cmd.match(/-n (\S+)/)?.[1];
      const proxy = cmd.trim().split(/\s+/).pop();
      add(name ? `\`toxiproxy-cli toxic remove -n ${name} ${proxy}\`` : '`toxiproxy-cli toxic remove` the toxic you added (`toxiproxy-cli inspect` lists them)');
    } else if ((r = cmd.match(/tc qdisc add dev (\S+)/))) add(`\`tc qdisc del dev ${r[1]} root\``);
    else if (/iptables -A/.test(cmd)) add(`the same rule with \`-D\` instead of \`-A\` (\`${cmd.replace(/-A\b/, '-D')}\`)`);
    else if ((r = cmd.match(/docker compose down && docker compose up -d ([^\s;,&|]+)/))) {
      // `down` stopped the whole stack and the step brought back one service: the rest stays down
      add(`\`docker compose up -d\` to start the rest of the stack (the step's \`down\` stopped all of it and started only \`${r[1]}\` again)`);
      add('restore what the test lost from a backup, if it was more than test data');
    } else if (/docker compose down/.test(cmd) && !/up -d/.test(cmd)) add('`docker compose up -d`');
    else if (/kill -9|SIGKILL/.test(cmd)) add('start the killed process again (`docker compose up -d`)');
  }
  if (/toxiproxy/i.test(breakText) && !steps.some((s) => s.includes('toxiproxy'))) add('remove the toxic (`toxiproxy-cli toxic remove -n NAME PROXY`, or point the service back at the real host)');
  if (/iptables/i.test(breakText) && !steps.some((s) => s.includes('iptables'))) add('delete the iptables rule you added (`iptables -D …` with the same arguments)');
  if (steps.length) {
    const text = `${steps.join(', then ')}; check that the stack is back to its steady state before the next run.`;
    return text.charAt(0).toUpperCase() + text.slice(1);
  }
  for (const [when, undo] of PROSE_ROLLBACKS) if (when.test(breakText)) return undo;
  return 'Undo the injection (start or unpause what you stopped, remove proxies and stubs), then check that the stack is back to its steady state before the next run.';
}

/** Every placeholder left in a rendered text: `{name}` or `<name>`, for tests and a last-line guard. */
export function leftoverPlaceholders(text: string): string[] {
  return [...text.matchAll(PLACEHOLDER), ...text.matchAll(ANGLE_PLACEHOLDER)].map((m) => m[0]);
}

/** The finding's message with any placeholder the engine could not fill replaced as in fillText. */
export function findingMessage(f: Finding): string {
  // a route's path parameter (`/discord/connector/{connector_id}/channels`) is part of the value
  // the engine put in, not a placeholder it left: only `{name}` not right after a `/` is one
  const unfilled = [...f.message.matchAll(PLACEHOLDER)].some((m) => f.message[m.index! - 1] !== '/');
  return unfilled ? fillText(f.message.replace(/\/\{([A-Za-z_][\w-]*)\}/g, '/\u0000$1\u0001'), (f as WithData).data).replace(/\u0000/g, '{').replace(/\u0001/g, '}') : f.message.trim();
}

export { familyOf };
