// FL053: redis started with `--requirepass` and an empty password: written as `""`, or left
// empty by interpolation (`--requirepass ${REDIS_PASSWORD:-}`, or a shell command's
// `"$REDIS_PASSWORD"` whose environment entry is empty). Since Redis 6.0.9 an empty requirepass
// clears the password (redis/redis#7899): every client is accepted without AUTH, while the stack
// looks as if it had one. P0 when the port is published beyond the host's loopback, else P1.
import type { ComposeCheck } from '../api.js';
import { composeDraft, profileP2, type ComposeDraft } from '../analysis/compose-project.js';
import { environment, publishedBeyondLoopback, shellWords } from '../../languages/compose/service.js';
import { get, str, type Src } from '../../languages/compose/tree.js';

/** `$NAME` / `${NAME}` left for the container's shell (written `$$NAME` in compose) */
const SHELL_VAR = /^\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?$/;

const check: ComposeCheck = (ctx) => {
  const out: ComposeDraft[] = [];
  for (const v of ctx.project.services) {
    if (v.info?.service !== 'redis') continue;
    const argList = [...(v.entrypoint?.args ?? []), ...(v.command?.args ?? [])];
    // `sh -c "redis-server --requirepass \"$$REDIS_PASSWORD\""`: the script's words too
    const words: Array<{ text: string; src: Src }> = [];
    for (const a of argList) {
      if (/\bredis-server\b|--requirepass\b/.test(a.text) && /\s/.test(a.text)) words.push(...shellWords(a.text).map((text) => ({ text, src: a.src })));
      else words.push(a);
    }
    const i = words.findIndex((w) => w.text === '--requirepass');
    if (i < 0) continue;
    const next = words[i + 1];
    let how: string | undefined;
    if (!next || next.text.startsWith('--')) how = '`--requirepass` is left with no value (the variable it was given is empty or unset)';
    else if (next.text === '') how = '`--requirepass` is given an empty password';
    else {
      const ref = SHELL_VAR.exec(next.text)?.[1];
      const env = ref ? environment(v.node).find((e) => e.name === ref) : undefined;
      if (env && env.value === '') how = `\`--requirepass\` reads \`$${ref}\`, which this service's environment sets to an empty value`;
    }
    if (!how) continue;
    const exposed = publishedBeyondLoopback(v.node);
    const d = composeDraft(ctx, (next ?? words[i]).src, v.name, { how, exposure: exposed ? 'and its port is published on the host' : 'and every container on its networks can reach it' });
    if (!exposed) {
      d.priority = 'P1';
      d.priorityReason = 'the port is not published beyond the host loopback';
    }
    out.push(profileP2(v, d));
  }
  return out;
};

export default check;
