// FL980: a long-running service with no memory limit.
import { memoryLimit } from '../../languages/compose/service.js';
import type { ComposeCheck } from '../api.js';
import { composeDraft } from '../analysis/compose-project.js';

const check: ComposeCheck = (ctx) =>
  ctx.project.services.flatMap((v) => (v.oneShot || v.dev || memoryLimit(v.node) ? [] : [composeDraft(ctx, v.keySrc, v.name)]));

export default check;
