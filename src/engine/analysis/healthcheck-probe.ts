// Reads a healthcheck `test` the way an operator would: does it prove the service is READY, or
// only that a binary, a file, a process or an open port exists?
import { posix } from 'node:path';
import { shellSplit, type HealthcheckTest, type ShellToken } from '../../languages/compose/service.js';

export interface ProbeVerdict {
  strength: 'ok' | 'weak';
  /** why it is weak, as a sentence fragment ("only checks that the binary runs") */
  reason?: string;
}

export interface ProbeContext {
  /** regexes that mark a real readiness probe for this image */
  strong: RegExp[];
  /** the service speaks HTTP: a TCP connect proves nothing */
  http: boolean;
  /** the service has a protocol-level probe (a TCP connect is weak) */
  protocolProbe: boolean;
  /** redis with `requirepass`: `redis-cli ping` must authenticate or check for PONG */
  redisAuth: boolean;
}

type Segment = { words: string[]; before?: ShellToken & { op: string } };

function segments(tokens: ShellToken[]): Segment[] {
  const out: Segment[] = [];
  let cur: Segment = { words: [] };
  for (const t of tokens) {
    if ('op' in t) {
      out.push(cur);
      cur = { words: [], before: t };
    } else cur.words.push(t.word);
  }
  out.push(cur);
  return out.filter((s) => s.words.length > 0);
}

/** drop `VAR=x`, `exec`, `env`, `timeout 5`, `command` in front of the program */
function program(words: string[]): { prog: string; args: string[] } {
  let i = 0;
  while (i < words.length) {
    const w = words[i];
    if (/^[A-Za-z_][A-Za-z0-9_]*=/.test(w) || w === 'exec' || w === 'command' || w === 'env' || w === '/usr/bin/env') i++;
    else if (w === 'timeout') {
      i++;
      while (i < words.length && /^(-|\d)/.test(words[i])) i++;
    } else break;
  }
  return { prog: posix.basename(words[i] ?? ''), args: words.slice(i + 1) };
}

const TRIVIAL = new Set(['true', ':', 'echo', 'printf', 'sleep']);
const FILE_CHECKS = new Set(['ls', 'cat', 'test', '[', '[[', 'stat', 'file', 'find']);
const PROCESS_CHECKS = new Set(['pgrep', 'ps', 'pidof', 'pkill']);
const SHELLS = new Set(['sh', 'bash', 'ash', 'dash', 'zsh']);

function isTrivial(seg: { prog: string; args: string[] }): boolean {
  if (TRIVIAL.has(seg.prog)) return true;
  return seg.prog === 'exit' && (seg.args[0] ?? '0') === '0';
}

function curlFails(args: string[]): boolean {
  return args.some((a) => a === '--fail' || a === '--fail-with-body' || /^-[a-zA-Z]*f[a-zA-Z]*$/.test(a));
}

/** the shell text a test runs (unwrapping `sh -c '...'`) */
export function testScript(test: HealthcheckTest): ShellToken[] {
  if (test.form === 'CMD') {
    const { prog, args } = program(test.words);
    if (SHELLS.has(prog) && args[0] === '-c' && args[1] !== undefined) return shellSplit(args[1]);
    return test.words.map((word) => ({ word }));
  }
  const tokens = shellSplit(test.command);
  const words = tokens.flatMap((t) => ('word' in t ? [t.word] : []));
  const { prog, args } = program(words);
  if (tokens.length === words.length && SHELLS.has(prog) && args[0] === '-c' && args[1] !== undefined) return shellSplit(args[1]);
  return tokens;
}

export function judgeProbe(test: HealthcheckTest, ctx: ProbeContext): ProbeVerdict {
  const segs = segments(testScript(test));
  if (!segs.length) return { strength: 'weak', reason: 'runs nothing' };
  const parsed = segs.map((s) => ({ ...program(s.words), before: s.before?.op }));
  const last = parsed[parsed.length - 1];
  if (parsed.length > 1 && (last.before === '||' || last.before === ';') && isTrivial(last)) {
    const tail = [last.prog, ...last.args].join(' ');
    return { strength: 'weak', reason: `ends in \`${last.before} ${tail}\`, so it passes even when the probe fails` };
  }
  // the probe proper: segments before the `|| exit 1` fallback
  const probe = parsed.filter((p, i) => !(i > 0 && p.before === '||' && p.prog === 'exit'));
  const text = probe.map((p) => [p.prog, ...p.args].join(' ')).join(' ');
  const piped = probe.some((p) => p.before === '|' && /^(e?grep|fgrep|jq|test)$/.test(p.prog));
  if (probe.every(isTrivial)) return { strength: 'weak', reason: 'always succeeds, whatever the state of the service' };
  const curl = probe.find((p) => p.prog === 'curl');
  if (curl && !curlFails(curl.args) && !piped && !curl.args.some((a) => a === '-w' || a === '--write-out' || a.startsWith('--write-out='))) {
    return { strength: 'weak', reason: 'uses `curl` without `-f`, which exits 0 on an HTTP 500' };
  }
  if (ctx.strong.some((r) => r.test(text))) {
    const cli = probe.find((p) => /-cli$/.test(p.prog) && p.args.some((a) => /^ping$/i.test(a)));
    // redis-cli exits 0 on an error reply (NOAUTH, LOADING) unless given -e
    if (ctx.redisAuth && cli && !piped && !cli.args.some((a) => a === '-a' || a === '--pass' || a === '-u' || a === '--user' || a === '-e')) {
      if (!/REDISCLI_AUTH/.test(test.command)) return { strength: 'weak', reason: 'gets a NOAUTH error instead of PONG because the server requires a password, and nothing checks the reply' };
    }
    return { strength: 'ok' };
  }
  const main = probe.find((p) => !isTrivial(p)) ?? probe[0];
  const { prog, args } = main;
  if (args.length <= 2 && args.some((a) => /^(--version|-v|-V|version|--help|-h)$/.test(a)) && prog !== 'curl' && prog !== 'wget') {
    return { strength: 'weak', reason: 'only checks that the binary runs, not that the service answers' };
  }
  if (FILE_CHECKS.has(prog)) return { strength: 'weak', reason: 'only checks that a file exists' };
  if (PROCESS_CHECKS.has(prog) || (prog === 'kill' && args[0] === '-0')) return { strength: 'weak', reason: 'only checks that a process exists, not that it serves requests' };
  const tcpOnly =
    (prog === 'nc' || prog === 'ncat' || prog === 'netcat') && !piped && !probe.some((p, i) => i > 0 && p.before === '|' && p.prog !== 'nc');
  const devTcp = /\/dev\/tcp\//.test(test.command) && !piped;
  if ((tcpOnly || devTcp) && (ctx.http || ctx.protocolProbe)) {
    return { strength: 'weak', reason: 'only checks that the port accepts a TCP connection, not that the service is ready' };
  }
  return { strength: 'ok' };
}
