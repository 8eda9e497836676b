// Compiled view of rules/catalog/compose-images.yaml (sections `images`, `compose-clients`,
// `compose-hints`, typed in src/catalog/types.ts). No image facts live in code: this only
// compiles the catalog's data.
import type { Catalog } from '../../catalog/index.js';
import type { ComposeClient, ComposeHints, DataLayout, ImageInfo } from '../../catalog/types.js';
import type { ImageRef } from '../../languages/compose/service.js';

export type { DataLayout, ImageInfo };

export interface ComposeKnowledge {
  images: ImageInfo[];
  clients: ComposeClient[];
  jetstreamImports: RegExp[];
  jetstreamModules: RegExp[];
  jetstreamCalls: RegExp[];
  jetstreamCommands: RegExp[];
  oneShotCommands: RegExp[];
  oneShotNames: RegExp[];
  idleCommands: RegExp[];
  devEnvironment: RegExp[];
  devCommands: RegExp[];
  testCommands: RegExp[];
  serverCommands: RegExp[];
  workerCommands: RegExp[];
  waitTools: RegExp[];
  /** waits that ask one kind of dependency: the image kinds (compose-images `service`) each covers */
  waitToolsFor: Array<{ re: RegExp; services: string[] }>;
  /** programs that retry their own start-up connection (catalog `compose-clients` retriesAtStart), compiled */
  startRetries: Array<{ runs: RegExp; services: string[] }>;
  devHeaders: RegExp[];
  devReadmes: RegExp[];
  quickstartPasswords: RegExp[];
  quickstartComments: RegExp[];
  quickstartTags: RegExp[];
  queueEnvNames: string[];
  runtimeProbes: NonNullable<ComposeHints['runtimeProbes']>;
  /** the image is a developer-only tool (catalog `devToolImages`) */
  devTool(ref: ImageRef | undefined): boolean;
  /** the catalog entry for an image reference */
  imageInfo(ref: ImageRef | undefined): ImageInfo | undefined;
  /** strong-probe regexes per image, compiled */
  strongProbes(info: ImageInfo): RegExp[];
}

function globRe(p: string): RegExp {
  return new RegExp('^' + p.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*') + '$', 'i');
}

const res = (list: string[] | undefined): RegExp[] => (list ?? []).map((s) => new RegExp(s, 'i'));

const cache = new WeakMap<Catalog, ComposeKnowledge>();

export function composeKnowledge(catalog: Catalog): ComposeKnowledge {
  const hit = cache.get(catalog);
  if (hit) return hit;
  const images = catalog.section('images');
  const clients = catalog.section('compose-clients');
  // every entry's lists, concatenated
  const hints: ComposeHints = {};
  for (const h of catalog.section('compose-hints')) {
    for (const [k, v] of Object.entries(h) as Array<[keyof ComposeHints, unknown[]]>) (hints as Record<string, unknown[]>)[k] = [...((hints as Record<string, unknown[]>)[k] ?? []), ...v];
  }
  const matchers = images.map((info) => ({ info, res: info.match.map(globRe) }));
  const probeCache = new Map<ImageInfo, RegExp[]>();
  const devTools = (hints.devToolImages ?? []).map(globRe);
  const k: ComposeKnowledge = {
    images,
    clients,
    jetstreamImports: res(hints.jetstreamImports),
    jetstreamModules: res(hints.jetstreamModules),
    jetstreamCalls: res(hints.jetstreamCalls),
    jetstreamCommands: res(hints.jetstreamCommands),
    oneShotCommands: res(hints.oneShotCommands),
    oneShotNames: res(hints.oneShotNames),
    idleCommands: res(hints.idleCommands),
    devEnvironment: res(hints.devEnvironment),
    devCommands: res(hints.devCommands),
    testCommands: res(hints.testCommands),
    serverCommands: res(hints.serverCommands),
    workerCommands: res(hints.workerCommands),
    waitTools: res(hints.waitTools),
    waitToolsFor: (hints.waitToolsFor ?? []).map((w) => ({ re: new RegExp(w.pattern, 'i'), services: w.services })),
    startRetries: clients.filter((c) => c.retriesAtStart).map((c) => ({ runs: new RegExp(c.retriesAtStart!, 'im'), services: c.services })),
    devHeaders: res(hints.devHeaders),
    devReadmes: res(hints.devReadmes),
    quickstartPasswords: res(hints.quickstartPasswords),
    quickstartComments: res(hints.quickstartComments),
    quickstartTags: res(hints.quickstartTags),
    queueEnvNames: hints.queueEnvNames ?? [],
    runtimeProbes: hints.runtimeProbes ?? [],
    devTool(ref) {
      return !!ref && !ref.unknown && devTools.some((r) => r.test(ref.name));
    },
    imageInfo(ref) {
      if (!ref) return undefined;
      return matchers.find((m) => m.res.some((r) => r.test(ref.name)))?.info;
    },
    strongProbes(info) {
      let r = probeCache.get(info);
      if (!r) probeCache.set(info, (r = res(info.strongProbes)));
      return r;
    },
  };
  cache.set(catalog, k);
  return k;
}

/** major version from the tag (null = latest / no number / unknown variable) */
export function majorVersion(info: ImageInfo, ref: ImageRef): number | null {
  if (ref.unknown) return null;
  for (const p of info.versionPatterns ?? []) {
    const m = new RegExp(p, 'i').exec(ref.tag);
    if (m?.[1]) return Number(m[1]);
  }
  return null;
}

/** the data layout for this image version; `latest`/untagged picks the newest layout */
export function dataLayout(info: ImageInfo, version: number | null): DataLayout | undefined {
  const data = info.data ?? [];
  if (version === null) return data[data.length - 1];
  return data.find((d) => (d.from === undefined || version >= d.from) && (d.below === undefined || version < d.below));
}
