// Typed view of rules/catalog/compose-images.yaml (sections `images`, `composeClients`,
// `composeHints`). No image facts live in code: this only compiles the catalog's data.
import type { Catalog } from '../../catalog/index.js';
import type { ImageRef } from '../../languages/compose/service.js';

export interface DataLayout {
  from?: number;
  below?: number;
  /** where the server writes its data */
  path: string;
  /** the image's own VOLUME (a mount above it does not capture the data) */
  volume?: string;
  /** the mount point to suggest */
  mount: string;
}

export interface ImageInfo {
  service: string;
  match: string[];
  kind: string;
  stateful?: boolean | 'when-queue' | 'when-jetstream';
  versionPatterns?: string[];
  data?: DataLayout[];
  legacyMount?: string;
  legacyFrom?: number;
  dataPathEnv?: string;
  dataPathAfterArg?: string;
  needsHostname?: boolean;
  /** redis family: whether the append-only file is on without flags (official images: no; bitnami: yes) */
  aofByDefault?: boolean;
  /** an environment variable that fixes the node name instead of `hostname:` */
  nodeNameEnv?: string;
  probe?: string;
  strongProbes?: string[];
  protocol?: 'http' | 'tcp';
  port?: number;
  monitorPort?: number;
  urlSchemes?: string[];
  builtinHealthcheck?: boolean;
  slowStart?: boolean;
  note?: string;
}

export interface ClientInfo {
  language: 'python' | 'typescript';
  modules: string[];
  services: string[];
  queue?: boolean;
}

interface HintsRaw {
  jetstreamImports?: string[];
  jetstreamModules?: string[];
  jetstreamCalls?: string[];
  jetstreamCommands?: string[];
  oneShotCommands?: string[];
  oneShotNames?: string[];
  waitTools?: string[];
  queueEnvNames?: string[];
}

export interface ComposeKnowledge {
  images: ImageInfo[];
  clients: ClientInfo[];
  jetstreamImports: RegExp[];
  jetstreamModules: RegExp[];
  jetstreamCalls: RegExp[];
  jetstreamCommands: RegExp[];
  oneShotCommands: RegExp[];
  oneShotNames: RegExp[];
  waitTools: RegExp[];
  queueEnvNames: string[];
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
  const images = catalog.section<ImageInfo>('images');
  const clients = catalog.section<ClientInfo>('composeClients');
  const hints: HintsRaw = Object.assign({}, ...catalog.section<HintsRaw>('composeHints'));
  const matchers = images.map((info) => ({ info, res: info.match.map(globRe) }));
  const probeCache = new Map<ImageInfo, RegExp[]>();
  const k: ComposeKnowledge = {
    images,
    clients,
    jetstreamImports: res(hints.jetstreamImports),
    jetstreamModules: res(hints.jetstreamModules),
    jetstreamCalls: res(hints.jetstreamCalls),
    jetstreamCommands: res(hints.jetstreamCommands),
    oneShotCommands: res(hints.oneShotCommands),
    oneShotNames: res(hints.oneShotNames),
    waitTools: res(hints.waitTools),
    queueEnvNames: hints.queueEnvNames ?? [],
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
