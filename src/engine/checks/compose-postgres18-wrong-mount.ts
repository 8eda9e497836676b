// FL781: postgres 18+ (or `latest`) with its volume at the pre-18 data path.
import type { ComposeCheck } from '../api.js';
import { composeDraft } from '../analysis/compose-project.js';
import { dataLayout } from '../analysis/compose-knowledge.js';
import { legacyMount } from '../analysis/compose-volumes.js';

const check: ComposeCheck = (ctx) =>
  ctx.project.services.flatMap((v) => {
    const m = legacyMount(v);
    if (!m || !v.image || !v.info) return [];
    const layout = dataLayout(v.info, v.version);
    const d = composeDraft(ctx, m.src, v.name, { image: v.image.text, path: m.target, mount: layout?.mount ?? '' });
    if (v.version === null) Object.assign(d, { priority: 'P1', priorityReason: 'the tag is `latest`: 18 or newer since late 2025, depending on when the image was pulled' });
    return [d];
  });

export default check;
