// Root causes instead of floods. Findings that share one cause get one `group` key: a client
// built without the setting and the call sites that go through it; one rule firing on the same
// API across sibling files of a folder, or across sibling folders (one adapter per provider);
// the same compose service flagged in near-identical
// variants of a file; one rule on several services of one compose file; and, as a last resort, what is left of a rule that fires more than
// FLOOD times at P0/P1 in one repository, by top-level folder. Fingerprints are untouched.
import { createHash } from 'node:crypto';
import { posix } from 'node:path';
import { PRIORITY_RANK, type Finding } from '../engine/types.js';
import type { ModelGroup } from './types.js';

/** sibling findings that make a group */
const SIBLINGS = 3;
/** P0/P1 findings of one rule in one repo past which the rest is grouped by folder */
export const FLOOD = 25;

function groupId(kind: string, key: string): string {
  return `g-${createHash('sha256').update(`${kind}\0${key}`).digest('hex').slice(0, 12)}`;
}

const isCompose = (f: Finding) => /\.ya?ml$/.test(f.file);

function collect(findings: Finding[], keyOf: (f: Finding) => string | undefined): Map<string, Finding[]> {
  const by = new Map<string, Finding[]>();
  for (const f of findings) {
    if (f.group) continue;
    const k = keyOf(f);
    if (k === undefined) continue;
    const list = by.get(k) ?? [];
    list.push(f);
    by.set(k, list);
  }
  return by;
}

function seal(kind: ModelGroup['kind'], key: string, members: Finding[], title: string, groups: ModelGroup[]): void {
  const sorted = [...members].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line));
  const cause = sorted[0];
  const id = groupId(kind, key);
  for (const f of sorted) {
    f.group = id;
    const others = sorted.filter((o) => o !== f);
    // the cause lists every member; a member points back at the cause
    const rel = (f === cause ? others : [cause]).map((o) => ({ file: o.file, line: o.line, column: o.column, message: f === cause ? 'same cause' : 'root cause' }));
    f.related = [...(f.related ?? []), ...rel].slice(0, 100);
  }
  groups.push({ id, ruleId: cause.ruleId, kind, title, file: cause.file, line: cause.line, count: sorted.length });
}

/**
 * Assign `group` (and related locations) to the findings in place; returns the groups.
 * `scopeOf`: the process a file belongs to (its package), for settings that hold process-wide.
 */
export function groupFindings(findings: Finding[], scopeOf: (file: string) => string = () => ''): ModelGroup[] {
  const groups: ModelGroup[] = [];
  // a client that already carries its call sites (the worker saw them) is its own group
  for (const f of findings) {
    // (calls through it only: a handler folded into this call, or what a handler reaches, is no call site)
    const sites = f.related?.filter((r) => (r.message ?? '').startsWith('call through')).length ?? 0;
    if (sites >= 2 && f.data?.api) {
      const id = groupId('shared-client', `${f.ruleId}\0${f.file}\0${f.line}\0${f.column}`);
      f.group = id;
      const callee = f.data.callee ?? f.data.api;
      // calls to the function that makes the call (a wrapper), not calls through a client it built
      const wrapper = f.symbol && f.related!.filter((r) => (r.message ?? '').startsWith('call through')).every((r) => (r.message ?? '').startsWith(`call through \`${f.symbol}\``)) ? f.symbol : undefined;
      const title = wrapper ? `\`${wrapper}\` (it calls \`${callee}\`) and the ${sites} calls to it` : `\`${callee}\` here and the ${sites} calls made through it`;
      groups.push({ id, ruleId: f.ruleId, kind: 'shared-client', title, file: f.file, line: f.line, count: 1 + sites });
    }
  }
  const compose = collect(findings.filter(isCompose), (f) => (f.symbol ? `${f.ruleId}\0${f.symbol}\0${f.message}` : undefined));
  for (const [key, list] of compose) {
    if (new Set(list.map((f) => f.file)).size < 2) continue;
    seal('compose-variants', key, list, `service \`${list[0].symbol}\` in ${new Set(list.map((f) => f.file)).size} variants of the compose setup`, groups);
  }
  // one rule on several services of one compose file (no limits anywhere, no restart policy
  // anywhere) is one decision about that file, made once
  const perFile = collect(findings.filter(isCompose), (f) => `${f.ruleId}\0${f.file}\0${f.priority}`);
  for (const [key, list] of perFile) {
    if (list.length < SIBLINGS) continue;
    const names = [...new Set(list.map((f) => f.symbol).filter(Boolean))];
    seal('compose-file', key, list, `${names.length} services of ${list[0].file}`, groups);
  }
  // calls on the library's own instance across files of one process (tianji's notification
  // providers: `axios.post` in six files with no timeout): one process-wide setting
  // (`axios.defaults.timeout`, the finding's `globalDefault`) at startup covers every one
  const global = collect(
    findings.filter((f) => !isCompose(f) && f.data?.globalDefault),
    // (every priority: one setting covers a P1 call and a P2 call alike, peppermint's reader)
    (f) => `${f.ruleId}\0${f.data!.globalDefault}\0${scopeOf(f.file)}`,
  );
  for (const [key, list] of global) {
    const files = new Set(list.map((f) => f.file)).size;
    if (list.length < SIBLINGS || files < 2) continue;
    const setting = list[0].data!.globalDefault!;
    const scope = key.split('\0')[2];
    seal('library-default', key, list, `${list.length} calls in ${files} files${scope ? ` of ${scope}/` : ''} go through the global \`${setting.split('.')[0]}\`: set \`${setting}\` once where the process starts to cover them all`, groups);
  }
  // one rule on one API in sibling files of a folder, then in sibling folders of one parent (one
  // adapter per provider: anything-llm's server/utils/AiProviders/<provider>/index.js)
  const levels: Array<{ up: (file: string) => string; unit: (file: string) => string; depth: number; minUnits: number; word: string }> = [
    { up: (file) => posix.dirname(file), unit: (file) => file, depth: 1, minUnits: 2, word: 'files' },
    { up: (file) => posix.dirname(posix.dirname(file)), unit: (file) => posix.dirname(file), depth: 3, minUnits: SIBLINGS, word: 'folders' },
  ];
  for (const level of levels) {
    const what = (f: Finding) => f.data?.api ?? f.data?.callee;
    const siblings = collect(
      findings.filter((f) => !isCompose(f) && f.file.split('/').length >= level.depth),
      (f) => `${f.ruleId}\0${level.up(f.file)}\0${what(f) ?? ''}\0${f.priority}`,
    );
    for (const [key, list] of siblings) {
      const units = new Set(list.map((f) => level.unit(f.file))).size;
      if (list.length < SIBLINGS || units < level.minUnits) continue;
      const api = what(list[0]);
      seal('sibling-files', key, list, `${api ? `\`${api}\`` : `${list.length} findings`} in ${units} ${level.word} of ${level.up(list[0].file)}/`, groups);
    }
  }
  const loud = new Map<string, Finding[]>();
  for (const f of findings) {
    if (f.group || PRIORITY_RANK[f.priority] > PRIORITY_RANK.P1) continue;
    const list = loud.get(f.ruleId) ?? [];
    list.push(f);
    loud.set(f.ruleId, list);
  }
  for (const [ruleId, list] of loud) {
    if (list.length <= FLOOD) continue;
    const byTop = collect(list, (f) => `${ruleId}\0${f.file.split('/').slice(0, Math.min(2, f.file.split('/').length - 1)).join('/')}\0${f.priority}`);
    for (const [key, members] of byTop) {
      if (members.length < 2) continue;
      const dir = key.split('\0')[1];
      seal('rule-flood', key, members, `${members.length} ${members[0].priority} findings of ${ruleId} under ${dir || '.'}/`, groups);
    }
  }
  return groups.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}
