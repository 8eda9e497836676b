// Output format name -> pure reporter. Reporters never read files or the environment.
import type { RuleMeta, ScanResult } from '../engine/types.js';
import { renderGithub } from '../report/github.js';
import { renderJson } from '../report/json.js';
import { renderMarkdown, renderMarkdownSummary } from '../report/markdown.js';
import { renderSarif } from '../report/sarif.js';
import type { ReportExtras } from './reports.js';
import { renderText } from '../report/text.js';

export interface RenderOptions extends ReportExtras {
  color: boolean;
  /** terminal columns for text output (cut lines unless verbose) */
  width?: number;
  verbose?: boolean;
  /** scan root, for reporters that link files */
  root: string;
}

export type Renderer = (result: ScanResult, rules: RuleMeta[], opts: RenderOptions) => string;

export const FORMATS: Record<string, Renderer> = {
  text: (r, rules, o) => renderText(r, { color: o.color, width: o.width, verbose: o.verbose }, rules),
  json: (r) => renderJson(r),
  markdown: (r, rules, o) => renderMarkdown(r, rules, { pathPrefix: o.pathPrefix, linkBase: o.linkBase, notes: o.notes }),
  'markdown-summary': (r, rules, o) => renderMarkdownSummary(r, rules, { pathPrefix: o.pathPrefix, linkBase: o.linkBase, reportUrl: o.reportUrl, notes: o.notes }),
  sarif: (r, rules, o) => renderSarif(r, rules, { pathPrefix: o.pathPrefix, ...o.sarif }),
  github: (r, rules, o) => renderGithub(r, rules, { pathPrefix: o.pathPrefix }),
};
