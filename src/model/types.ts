// The project model: where each file runs, which services run which code, which process-wide
// defaults apply, and which findings share one root cause. Built once per scan in the main thread
// from per-file signals (computed by the workers and cached with each file's result), the compose
// system model and package metadata. `faultline model` prints it.
import type { RuntimeContext } from '../engine/types.js';

/** Evidence for a context, as the model shows it: "imports fastapi", "package.json bin". */
export interface ContextDecision {
  context: RuntimeContext;
  /** the evidence that decided, first; other evidence seen after it */
  evidence: string[];
}

/**
 * What a worker learns about one file for the model, without the model: computed from the text
 * and (when parsed) the facts, so it is cached with the file's result.
 */
export interface FileSignals {
  /** import specifiers as written (relative ones included), for browser propagation and bindings */
  imports: string[];
  /** context evidence found in the file itself */
  marks: Array<{ context: RuntimeContext; strength: 'strong' | 'weak'; why: string }>;
  /** process-wide defaults this file sets (`axios.defaults.timeout = 5000`, `socket.setdefaulttimeout(10)`) */
  defaults?: ProcessDefault[];
  /** findings at a client constructor (line:column) and the calls made through that client in this file */
  clientSites?: Array<{ line: number; column: number; sites: Array<{ line: number; column: number }> }>;
  /** module-level names (client instances, wrapper functions) that hold the finding at line:column */
  causes?: Array<{ name: string; line: number; column: number }>;
  /** calls through names imported from the project's own modules */
  uses?: Array<{ module: string; name: string; line: number; column: number }>;
  /** an unparsed file whose uses the model read in a second pass (kept with the cached result) */
  usesRead?: boolean;
}

/** A setting written once that bounds later calls of one library in the same process. */
export interface ProcessDefault {
  /** the library root the setting applies to ("axios", "socket", "undici") */
  library: string;
  /** the knob it sets ("timeout") */
  knob: string;
  /** how it was written: "axios.defaults.timeout = 5000" */
  text: string;
  /** 'disabled' when the value is one that means no limit (0, None) */
  state: 'set' | 'disabled' | 'unknown';
  /**
   * What a 'set' default does, for reports ("makes every Celery task ack after it ran"); absent:
   * it bounds the library's calls (a timeout). `internal`: a fact the model uses to settle findings
   * (which module holds a framework's app), not a guardrail to show.
   */
  does?: string;
  internal?: boolean;
  file?: string;
  line: number;
}

export interface ModelService {
  name: string;
  file: string;
  /** directories whose code runs in it */
  codeRoots: string[];
  kind: 'long-running' | 'one-shot' | 'dev';
  command?: string;
}

export interface ProjectModel {
  /** per scanned source file */
  files: Record<string, ContextDecision>;
  /** per compose file: stack, dev override or devcontainer, example set */
  composeFiles: Record<string, ContextDecision & { kind: 'stack' | 'dev' | 'devcontainer' | 'example' }>;
  services: ModelService[];
  /** process-wide defaults and the directory tree (process) they apply to */
  defaults: Array<ProcessDefault & { file: string; scope: string }>;
  /** root causes that several findings share */
  groups: ModelGroup[];
}

export interface ModelGroup {
  id: string;
  ruleId: string;
  kind: 'shared-client' | 'sibling-files' | 'compose-variants' | 'rule-flood';
  /** what the findings share, in words */
  title: string;
  /** the location of the cause (the client, the first file, the template) */
  file: string;
  line: number;
  /** how many findings (and, for a shared client, call sites) the group holds */
  count: number;
}
