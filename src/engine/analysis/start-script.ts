// How a container's start-up shell script hands over to the process it starts, for FL785. `docker
// stop` (and every redeploy, scale-down or `compose down`) sends SIGTERM to PID 1 only. A script
// that ends by running the server as a child, not with `exec`, stays PID 1 itself: a shell as PID 1
// has no default action for SIGTERM and passes nothing on, so the server never hears it and is
// SIGKILLed when the grace period (10 s) ends, mid-request or mid-job. `exec server` replaces the
// shell, a `trap … TERM` can forward it to a server started in the background (`server & wait`),
// and `dumb-init` / `tini -g` signal the whole process group: any of those is fine. A trap does
// nothing for a server in the foreground: the shell runs it only after that child exits.
//
// The reading is line-based and careful to stay quiet: only a script whose last command (after
// closers such as `fi`, `done`, `esac`) starts a known long-running program is judged.

export interface SignalGap {
  /** 1-based line of the command that keeps the shell in front */
  line: number;
  /** that command as written (trimmed) */
  command: string;
  /** the program it starts (`node`, `gunicorn`, `npm`) */
  program: string;
  /**
   * `child`: run in the foreground without exec; `background`: `cmd &` and then `wait`;
   * `subshell`: inside `( … )`, where even `exec` replaces only the subshell, not PID 1
   */
  how: 'child' | 'background' | 'subshell';
}

/** A shell script by its first line or its name. */
export function isShellScript(path: string, text: string): boolean {
  const first = text.slice(0, 200).split('\n', 1)[0];
  if (first.startsWith('#!')) return /\b(?:ba|da|a|z)?sh\b/.test(first);
  return /\.(?:sh|bash)$/.test(path);
}

/** Closing or control-only lines that are not commands of their own. */
const CLOSER = /^(?:fi|done|esac|\}|;;|then|else|do|\)|set\s+[-+]\w+.*|wait(?:\s+.*)?|exit(?:\s+\S+)?|true|:)$/;

function words(line: string): string[] {
  return line.split(/\s+/).filter(Boolean);
}

/** The program a command line starts, past `VAR=value` prefixes and wrappers (and their flags). */
function programOf(line: string, wrappers: StartWords): { program: string; exec: boolean } | undefined {
  const w = words(line.replace(/^\(+|\)+$/g, ''));
  let i = 0;
  let exec = false;
  for (; i < w.length; i++) {
    const x = w[i];
    if (/^[A-Za-z_][A-Za-z0-9_]*=/.test(x)) continue;
    if (x === 'exec') {
      exec = true;
      continue;
    }
    // `"celery" --app=config worker` (doccano's prod-celery.sh): the program as quoted
    const base = x.replace(/^(["'])(.*)\1$/, '$2').replace(/^.*\//, '');
    if (wrappers.wrappers.includes(base)) {
      // skip the wrapper's own flags and, for gosu/su-exec/runuser, the user
      while (i + 1 < w.length && w[i + 1].startsWith('-')) i++;
      if (wrappers.takesUser.includes(base) && i + 1 < w.length) i++;
      if (w[i + 1] === '--') i++;
      continue;
    }
    return { program: base, exec };
  }
  return undefined;
}

/** Whether command `at` sits inside a `( … )` group opened on a line of its own before it and not yet closed. */
function inSubshell(lines: Array<{ text: string }>, at: number): boolean {
  let depth = 0;
  for (let i = 0; i < at; i++) {
    const t = lines[i]!.text;
    if (t === '(') depth++;
    else if (t === ')' && depth > 0) depth--;
  }
  return depth > 0;
}

/**
 * The signal gap of a start-up script, or undefined when it hands over (exec, a trap, a group
 * signaller), ends in something else, or cannot be read. `servers` says which programs run long
 * (catalog-free on purpose: the list is the rule's option).
 */
/** Rule options: the programs that run long, and the wrappers that start a program for the script. */
export interface StartWords {
  servers: RegExp;
  /** run the real program as their child or exec it (`gosu app node x`, `env A=1 node x`) */
  wrappers: string[];
  /** wrappers whose first argument is a user (`gosu app`, `su-exec app`) */
  takesUser: string[];
}

export function signalGap(text: string, words: StartWords): SignalGap | undefined {
  const servers = words.servers;
  // a trap on TERM can forward the signal to a server started in the background; one in the
  // foreground gains nothing from it (the shell runs a trap only once its foreground child exits)
  const traps = /^\s*trap\s+.*\b(?:SIG)?(?:TERM|INT|EXIT|15)\b/m.test(text);
  const raw = text.split(/\r?\n/);
  // logical lines: comments off, continuations joined, `a && b` / `a; b` split into commands
  const lines: Array<{ line: number; text: string }> = [];
  for (let i = 0; i < raw.length; i++) {
    const start = i;
    let l = raw[i];
    while (/\\\s*$/.test(l) && i + 1 < raw.length) l = l.replace(/\\\s*$/, ' ') + raw[++i];
    const code = l.replace(/(^|\s)#.*$/, '').trim();
    if (!code) continue;
    for (const part of code.split(/\s*(?:&&|\|\||;)\s*/)) if (part.trim()) lines.push({ line: start + 1, text: part.trim() });
  }
  let waits = false;
  for (let i = lines.length - 1; i >= 0; i--) {
    const l = lines[i].text;
    if (/^wait\b/.test(l)) waits = true;
    if (CLOSER.test(l) || /^[\w-]+\)\s*$/.test(l)) continue;
    // `child=$!`, `export PORT=8080`: bookkeeping, not a command
    if (/^(?:export\s+|local\s+|readonly\s+)?(?:[A-Za-z_][A-Za-z0-9_]*=\S*\s*)+$/.test(l)) continue;
    // `server) gunicorn …` inside a case: the command after the pattern
    const cmd = l.replace(/^[\w|*"'-]+\)\s+/, '');
    const background = /&$/.test(cmd) && !/&&$/.test(cmd);
    const p = programOf(cmd.replace(/&$/, '').trim(), words);
    if (!p || !servers.test(p.program)) return undefined;
    // a `(` group still open at this command (doccano's start scripts wrap the server in one):
    // the shell forks a subshell for it, and an `exec` there replaces the fork, not PID 1
    const sub = inSubshell(lines, i);
    if (p.exec && !sub) return undefined;
    if (background && (!waits || traps)) return undefined;
    return { line: lines[i].line, command: cmd.length > 80 ? `${cmd.slice(0, 77)}...` : cmd, program: p.program, how: background ? 'background' : sub ? 'subshell' : 'child' };
  }
  return undefined;
}
