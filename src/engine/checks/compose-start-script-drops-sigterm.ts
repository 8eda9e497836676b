// FL785: a long-running service whose start-up shell script runs the server as its child instead
// of `exec`-ing it: the shell stays PID 1, drops the SIGTERM of `docker stop`, and the server is
// SIGKILLed when the grace period ends (src/engine/analysis/start-script.ts reads the script).
// The finding points at the script's line; `data.composeFile` lets the project model give it the
// compose file's context (a developer stack's script is a developer's).
import { get, str } from '../../languages/compose/tree.js';
import type { ComposeCheck } from '../api.js';
import { composeDraft, devP2, profileP2 } from '../analysis/compose-project.js';
import { signalGap } from '../analysis/start-script.js';

interface Options {
  /** programs that run until stopped (regex over the program's file name) */
  servers: string;
  wrappers: string[];
  takesUser: string[];
}

const check: ComposeCheck = (ctx) => {
  const o = ctx.rule.options as unknown as Options;
  const words = { servers: new RegExp(o.servers, 'i'), wrappers: o.wrappers, takesUser: o.takesUser };
  return ctx.project.services.flatMap((v) => {
    const script = v.startScript;
    if (v.oneShot || !script || script.groupSignals) return [];
    const gap = signalGap(script.text, words);
    if (!gap) return [];
    const width = script.text.split(/\r?\n/)[gap.line - 1]?.length ?? 1;
    const src = { file: script.file, loc: { line: gap.line, column: 1, endLine: gap.line, endColumn: width + 1 } };
    // compose `init: true` runs docker-init (tini) as PID 1, which also signals its child alone
    const init = script.childOnlyInit ?? (str(get(v.node, 'init')) === 'true' ? 'docker-init (compose `init: true`)' : undefined);
    const effect = init
      ? `\`${init.split(' ')[0]}\` is PID 1 and hands the SIGTERM of \`docker stop\` to the shell alone, which exits at once: \`${gap.program}\` never receives it and is killed with the container on every redeploy, scale-down or restart`
      : `the shell stays PID 1 and drops the SIGTERM of \`docker stop\`: every redeploy, scale-down or restart waits out the grace period and then SIGKILLs \`${gap.program}\` mid-request`;
    const d = composeDraft(ctx, src, v.name, {
      script: script.file,
      command: gap.command,
      program: gap.program,
      how: gap.how === 'background' ? 'in the background and then `wait`s for it' : gap.how === 'subshell' ? 'inside a `( … )` subshell, which an `exec` there would replace instead of the script' : 'as its child, without `exec`',
      effect,
      composeFile: v.keySrc.file,
    });
    return [devP2(v, profileP2(v, d))];
  });
};

export default check;
