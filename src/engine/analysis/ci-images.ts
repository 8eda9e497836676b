// The images a project's CI publishes, and the Dockerfile each is built from: a compose service
// that runs `image: doccano/doccano:backend` (no `build:`) runs what
// `docker/build-push-action` built with `file: ./docker/Dockerfile.prod` and
// `tags: doccano/doccano:backend`, not whichever Dockerfile sits beside the compose file. Data
// only: workflows are parsed as YAML, nothing in them runs.
import { posix } from 'node:path';
import { parse } from 'yaml';
import { shellSplit } from '../../languages/compose/service.js';

/** One image CI builds: its repository and tag as written, the Dockerfile and the build context (relative POSIX paths). */
export interface CiImage {
  name: string;
  tag: string;
  dockerfile: string;
  context: string;
}

const MAX_BYTES = 512 * 1024;
const BUILD_ACTION = /^docker\/build-push-action@/;

/** `doccano/doccano:backend`, `docker.io/library/x` → repository without docker.io/library, and tag */
function splitTag(ref: string): { name: string; tag: string } | undefined {
  if (!ref || ref.includes('${')) return undefined;
  const at = ref.split('@')[0]!;
  const slash = at.lastIndexOf('/');
  const colon = at.lastIndexOf(':');
  const name = (colon > slash ? at.slice(0, colon) : at).replace(/^(docker\.io\/)?(library\/)?/, '').toLowerCase();
  const tag = colon > slash ? at.slice(colon + 1) : '';
  return /^[a-z0-9][\w./-]*$/.test(name) ? { name, tag } : undefined;
}

const clean = (p: string) => posix.normalize(p.replace(/^\.\//, '')).replace(/\/$/, '') || '.';

/** The Dockerfile a build step names: relative to the repository root in build-push-action, `{context}/Dockerfile` when none. */
function dockerfileOf(file: string | undefined, context: string): string {
  return clean(file ?? posix.join(context, 'Dockerfile'));
}

function fromAction(w: Record<string, unknown>, out: CiImage[]): void {
  // a context or file from an expression (`${{ matrix.dockerfile }}`) is not known here
  if ((w.context !== undefined && (typeof w.context !== 'string' || w.context.includes('${{'))) || (w.file !== undefined && (typeof w.file !== 'string' || w.file.includes('${{')))) return;
  const context = typeof w.context === 'string' ? clean(w.context) : '.';
  const file = typeof w.file === 'string' ? w.file : undefined;
  const tags = typeof w.tags === 'string' ? w.tags.split(/[\n,]/).map((t) => t.trim()).filter(Boolean) : [];
  for (const t of tags) {
    const ref = splitTag(t);
    if (ref) out.push({ ...ref, dockerfile: dockerfileOf(file, context), context });
  }
}

/** `docker build -f docker/Dockerfile.prod -t org/app:tag .` in a `run:` step */
function fromRun(run: string, out: CiImage[]): void {
  const commands: string[][] = [];
  for (const line of run.replace(/\\\n/g, ' ').split('\n')) {
    let cur: string[] = [];
    for (const t of shellSplit(line.trim())) {
      if ('word' in t) cur.push(t.word);
      else (commands.push(cur), (cur = []));
    }
    commands.push(cur);
  }
  for (const words of commands) {
    const at = words.findIndex((w, i) => w === 'build' && words[i - 1] === 'docker');
    const bx = words.findIndex((w, i) => w === 'build' && words[i - 1] === 'buildx' && words[i - 2] === 'docker');
    const start = bx >= 0 ? bx : at;
    if (start < 0) continue;
    let file: string | undefined;
    const tags: string[] = [];
    const positional: string[] = [];
    for (let i = start + 1; i < words.length; i++) {
      const w = words[i]!;
      const eq = /^(--file|--tag|-f|-t)=(.*)$/.exec(w);
      if (eq) (eq[1] === '--file' || eq[1] === '-f' ? (file = eq[2]) : tags.push(eq[2]!));
      else if (w === '-f' || w === '--file') file = words[++i];
      else if (w === '-t' || w === '--tag') tags.push(words[++i] ?? '');
      else if (w.startsWith('-')) {
        // flags with a value of their own (`--build-arg X=1`, `--target prod`, `--platform …`)
        if (/^--(build-arg|target|platform|label|secret|cache-from|cache-to|output|progress|network|ssh)$/.test(w)) i++;
      } else positional.push(w);
    }
    const context = positional[0] && !positional[0].includes('$') ? clean(positional[0]) : undefined;
    if (context === undefined || (file && file.includes('$'))) continue;
    for (const t of tags) {
      const ref = splitTag(t);
      // a `docker build` -f path is relative to where it runs (the repository root in a plain step)
      if (ref) out.push({ ...ref, dockerfile: dockerfileOf(file, context), context });
    }
  }
}

/** Every image the workflows build with a literal tag; `known(path)` says whether a Dockerfile path exists. */
export function ciImages(workflows: string[], readFile: (rel: string) => string | undefined, exists: (rel: string) => boolean): CiImage[] {
  const out: CiImage[] = [];
  for (const wf of workflows) {
    const text = readFile(wf);
    if (text === undefined || text.length > MAX_BYTES) continue;
    let doc: unknown;
    try {
      doc = parse(text, { maxAliasCount: 100 });
    } catch {
      continue;
    }
    const jobs = (doc as { jobs?: unknown } | null)?.jobs;
    if (!jobs || typeof jobs !== 'object') continue;
    for (const job of Object.values(jobs as Record<string, unknown>)) {
      const steps = (job as { steps?: unknown } | null)?.steps;
      if (!Array.isArray(steps)) continue;
      for (const s of steps as Array<Record<string, unknown> | null>) {
        if (!s || typeof s !== 'object') continue;
        if (typeof s.uses === 'string' && BUILD_ACTION.test(s.uses) && s.with && typeof s.with === 'object') fromAction(s.with as Record<string, unknown>, out);
        else if (typeof s.run === 'string') fromRun(s.run, out);
      }
    }
  }
  return out.filter((i) => exists(i.dockerfile));
}

/** The one Dockerfile CI builds this image from: by repository and tag, else by repository when every build of it uses one Dockerfile. */
export function ciImageFor(images: CiImage[], name: string, tag: string): CiImage | undefined {
  const n = name.toLowerCase();
  const same = images.filter((i) => i.name === n || i.name.endsWith(`/${n}`) || n.endsWith(`/${i.name}`));
  const exact = same.filter((i) => i.tag === tag);
  const pick = exact.length ? exact : same;
  const files = new Set(pick.map((i) => `${i.dockerfile}\0${i.context}`));
  return files.size === 1 ? pick[0] : undefined;
}
