// Path-based context: test code, scripts, front-end code. Pure functions of the relative path
// (and, for scripts/browser, a glance at the text the adapter already has).
import type { FileContext } from './api.js';

// Test trees, plus fixture folders of test tools (`testdata` in Go-style repos, jest's `__mocks__`,
// semgrep's rule tests in `.semgrep/`: saleor's are deliberately bad code), and browser-test trees
// (cypress/, playwright/ unless it is the source of a package named so). Folders named for tests
// with a prefix or suffix (`playwright_tests/`, `test-migrations/`, `api-tests/`) and the setup
// files test runners load (`test-setup.ts`, `vitest.setup.ts`, `setupTests.js`) are test code too,
// as are `__e2e__/` trees and files a runner picks by a test suffix (`api.servertest.ts`, `x.e2e.ts`),
// and a Django app's `tests.py` (the module `manage.py test` discovers in every app: bugsink's).
const TEST_RE =
  /(^|\/)(tests?|__tests__|__e2e__|__integration__|e2e|e2e[-_]tests?|integration[-_]tests?|test[-_]?helpers?|test[-_]?utils?|testing|spec|fixtures?|__fixtures__|testdata|__mocks__|\.semgrep|cypress|tests?[-_][\w.-]+|[\w.-]+[-_]tests?)\/|(^|\/)playwright\/(?!src\/|lib\/|types\/)|(^|\/)(test_[^/]*\.py|[^/]*_test\.py|tests\.py|conftest\.py|[^/]*\.(spec|test|e2e|[a-z]+test|[a-z]+spec)\.[cm]?[jt]sx?|(?:tests?|jest|vitest)[-_.]setup\.[cm]?[jt]sx?|setup[-_.]?tests?\.[cm]?[jt]sx?)$/i;
const SCRIPT_DIRS = new Set(['script', 'scripts', 'tools', 'bin', 'dev', 'hack', 'example', 'examples', 'doc', 'docs']);
// a `tools/` folder inside application code is part of the app (Next.js `app/api/chat/tools/route.ts`)
const APP_DIRS = new Set(['src', 'app', 'pages', 'api', 'lib', 'server', 'routes']);

/** A file under a script folder that is not itself inside application code. */
function inScriptDir(path: string): boolean {
  const dirs = path.split('/').slice(0, -1);
  for (const d of dirs) {
    if (APP_DIRS.has(d)) return false;
    if (SCRIPT_DIRS.has(d)) return true;
  }
  return false;
}
const BROWSER_EXT_RE = /\.(jsx|tsx)$/;
const BROWSER_IMPORT_RE = /from\s+['"](react|react-dom|vue|svelte|@angular\/core|preact|solid-js)['"]/;

export function isTestPath(path: string): boolean {
  return TEST_RE.test(path);
}

export function fileContext(path: string, text: string): FileContext {
  const isPy = path.endsWith('.py');
  return {
    path,
    isTest: isTestPath(path),
    isScript: inScriptDir(path) || (isPy && /^if\s+__name__\s*==\s*['"]__main__['"]\s*:/m.test(text)),
    isBrowser: BROWSER_EXT_RE.test(path) || (!isPy && BROWSER_IMPORT_RE.test(text)),
  };
}
