// FL782: code run by the project uses JetStream, and the nats server is started without `-js`.
import type { ComposeCheck } from '../api.js';
import { composeDraft } from '../analysis/compose-project.js';
import { natsFlags } from '../analysis/nats-flags.js';

const check: ComposeCheck = (ctx) => {
  const p = ctx.project;
  if (!p.jetstream) return [];
  return p.services.flatMap((v) => {
    if (v.info?.service !== 'nats' || !v.image) return [];
    const f = natsFlags(v);
    if (f.js || f.config) return [];
    return [composeDraft(ctx, v.command?.src ?? v.image.src, v.name, { image: v.image.text })];
  });
};

export default check;
