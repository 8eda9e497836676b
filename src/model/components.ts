// Single-file UI components (Svelte, Vue) are not scanned, but what their `<script>` blocks import
// is evidence: a module that only components import runs in the browser, like one that only JSX
// components import. Data only: the text is matched, never evaluated.

/** `.svelte` and `.vue` files, listed with the manifests for the model. */
export const COMPONENT_FILE = /\.(svelte|vue)$/;

const SCRIPT = /<script\b[^>]*>([\s\S]*?)<\/script\s*>/gi;
const IMPORT = /(?:^|[;\n])\s*import\s+(?:type\s+)?(?:[\w$*{}\s,]+?\s+from\s+)?['"]([^'"\n]+)['"]|\bimport\(\s*['"]([^'"\n]+)['"]\s*\)/g;
const MAX_BYTES = 512 * 1024;

/** The module specifiers a component's script blocks import (type-only imports too: they name the module, and cost nothing). */
export function componentImports(text: string): string[] {
  if (text.length > MAX_BYTES) return [];
  const out = new Set<string>();
  for (const block of text.matchAll(SCRIPT)) for (const m of block[1].matchAll(IMPORT)) out.add(m[1] ?? m[2]);
  return [...out];
}
