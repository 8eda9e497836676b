// Output format name -> pure reporter. Reporters never read files or the environment.
import type { RuleMeta, ScanResult } from '../engine/types.js';
import { renderJson } from '../report/json.js';
import { renderText } from '../report/text.js';

export interface RenderOptions {
  color: boolean;
  /** scan root, for reporters that link files */
  root: string;
}

export type Renderer = (result: ScanResult, rules: RuleMeta[], opts: RenderOptions) => string;

export const FORMATS: Record<string, Renderer> = {
  text: (r, _rules, o) => renderText(r, { color: o.color }),
  json: (r) => renderJson(r),
};
