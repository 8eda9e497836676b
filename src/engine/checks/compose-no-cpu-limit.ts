// FL981: a long-running service with no CPU limit.
import { cpuLimit } from '../../languages/compose/service.js';
import type { ComposeCheck } from '../api.js';
import { composeDraft } from '../analysis/compose-project.js';

const check: ComposeCheck = (ctx) =>
  ctx.project.services.flatMap((v) => (v.oneShot || v.dev || cpuLimit(v.node) ? [] : [composeDraft(ctx, v.keySrc, v.name)]));

export default check;
