// FL055: a service's own signing or encryption secret written as a literal value in the compose
// file (open-notebook's `OPEN_NOTEBOOK_ENCRYPTION_KEY=change-me-to-a-secret-string`, which
// encrypts the API keys it stores). Every deploy of the file as it is shares the value with the
// repository's readers. Only the signing kind of analysis/secret-names counts: a fixed password
// of a bundled database is often deliberate and is FL052's business when it is a default.
import type { ComposeCheck } from '../api.js';
import { atP2, composeDraft, profileP2, type ComposeDraft } from '../analysis/compose-project.js';
import { secretJudge } from '../analysis/secret-names.js';
import { isDevFile } from '../../languages/compose/model.js';
import { writtenEnvironment } from '../../languages/compose/service.js';
import { get } from '../../languages/compose/tree.js';

/** a value that names where the secret is kept, not the secret: a file path, a shell variable */
const REFERENCE = /^(?:\/|\.\.?\/|~\/|\$)/;

const check: ComposeCheck = (ctx) => {
  const secrets = secretJudge(ctx.catalog.section('secret-names')[0]);
  const out: ComposeDraft[] = [];
  for (const v of ctx.project.services) {
    if (v.dev) continue;
    for (const e of writtenEnvironment(get(v.node, 'environment'))) {
      if (e.raw.includes('$') || isDevFile(e.scalar.src.file)) continue;
      const value = e.value.trim();
      if (value === '' || REFERENCE.test(value) || secrets.judge(e.name, value) !== 'signing') continue;
      const written = e.listed ? `- ${e.name}=${e.raw}` : `${e.name}: ${e.raw}`;
      const d = composeDraft(ctx, e.scalar.src, v.name, {
        variable: e.name,
        shown: value.length > 24 ? `${value.slice(0, 21)}…` : value,
        ...(secrets.encrypts(e.name)
          ? { what: 'an encryption key', consequence: 'anyone can decrypt what the service stores with it' }
          : { what: 'a signing secret', consequence: 'anyone can forge the sessions and tokens the service signs with it' }),
        section: 'environment',
        written,
        required: e.listed ? `- ${e.name}=\${${e.name}:?set ${e.name} in the deployment environment}` : `${e.name}: \${${e.name}:?set ${e.name} in the deployment environment}`,
      });
      // an encryption key protects data at rest: using it takes the stored data too (open-notebook's
      // key for the API keys it stores: its reader put it at P2); a signing secret forges remotely
      const atRest = d.data?.what === 'an encryption key';
      out.push(v.oneShot ? atP2(d, 'a one-shot service: the secret is used by that run') : atRest ? atP2(d, 'an encryption key for data at rest: using it also takes a copy of the stored data') : profileP2(v, d));
    }
  }
  return out;
};

export default check;
