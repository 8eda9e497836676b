// nats-server command-line flags as the official image receives them in `command:`. The server
// parses them with Go's flag package: `-js` and `--js` are the same flag, values come as
// `-sd /data` or `-sd=/data`, and a boolean may be written `-js=true` / `-js=false`.
import type { Src } from '../../languages/compose/tree.js';
import type { ServiceView } from './compose-project.js';

export interface NatsFlags {
  /** the argument that turns JetStream on */
  js?: { text: string; src: Src };
  /** a config file is given: its contents (monitoring port, jetstream block, store_dir) are unknown */
  config: boolean;
  /** `-m` / `--http_port` / `-ms` / `--https_port` */
  monitor: boolean;
  storeDir?: string;
}

const ALIASES: Record<string, string> = {
  js: 'js',
  jetstream: 'js',
  sd: 'sd',
  store_dir: 'sd',
  m: 'monitor',
  http_port: 'monitor',
  ms: 'monitor',
  https_port: 'monitor',
  c: 'config',
  config: 'config',
};

export function natsFlags(v: ServiceView): NatsFlags {
  const args = v.command?.args ?? [];
  const out: NatsFlags = { config: false, monitor: false };
  args.forEach((a, i) => {
    const m = /^--?([A-Za-z_]+)(?:=(.*))?$/.exec(a.text);
    const flag = m ? ALIASES[m[1]] : undefined;
    if (!m || !flag) return;
    const inline = m[2];
    const next = inline ?? args[i + 1]?.text;
    if (flag === 'js') {
      if (inline !== 'false') out.js = a;
    } else if (flag === 'sd') out.storeDir = next;
    else if (flag === 'monitor') out.monitor = true;
    else if (flag === 'config') out.config = true;
  });
  return out;
}
