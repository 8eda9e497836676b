// FL485: a nats healthcheck that can never pass: it probes the monitoring port that `command:`
// no longer opens, or needs a shell or tools the scratch-based image does not have.
import { posix } from 'node:path';
import type { ComposeCheck } from '../api.js';
import { composeDraft, type ComposeDraft } from '../analysis/compose-project.js';
import { testScript } from '../analysis/healthcheck-probe.js';
import { natsFlags } from '../analysis/nats-flags.js';

const check: ComposeCheck = (ctx) => {
  const hits: ComposeDraft[] = [];
  for (const v of ctx.project.services) {
    if (v.info?.service !== 'nats' || !v.hc?.test || v.hc.test.form === 'NONE' || !v.image) continue;
    const test = v.hc.test;
    const monitor = v.info.monitorPort === undefined ? undefined : String(v.info.monitorPort);
    const probesMonitor = (monitor !== undefined && test.command.includes(monitor)) || /\/(healthz|varz|connz|jsz)\b/.test(test.command);
    const flags = natsFlags(v);
    let reason: string | undefined;
    if (probesMonitor && v.command && !flags.monitor && !flags.config) {
      reason = `\`command:\` replaces the image's default config (which is what opens the monitoring port ${monitor}) and does not pass \`-m ${monitor}\`, so the probe can never connect`;
    } else if (!v.image.unknown && !/alpine/i.test(v.image.tag) && !/(nanoserver|windowsservercore)/i.test(v.image.tag)) {
      const words = testScript(test).flatMap((t) => ('word' in t ? [t.word] : []));
      const prog = posix.basename(words[0] ?? '');
      if (test.form === 'CMD-SHELL' || test.form === 'string') {
        reason = `\`${v.image.text}\` is built FROM scratch and has no shell, so a CMD-SHELL test cannot run (use a \`-alpine\` tag)`;
      } else if (words[0] !== '/nats-server') {
        // the scratch image holds /nats-server and nothing else (and / is not on PATH)
        reason =
          prog === 'nats-server'
            ? `\`${v.image.text}\` is built FROM scratch: the server is /nats-server and nothing is on PATH (use a \`-alpine\` tag)`
            : `\`${v.image.text}\` is built FROM scratch and has no \`${prog}\` (use a \`-alpine\` tag)`;
      }
    }
    if (reason) hits.push(composeDraft(ctx, test.src, v.name, { reason }));
  }
  return hits;
};

export default check;
