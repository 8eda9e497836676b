// Which paths count as test code (skipped before parsing unless `tests: report`) and as scripts.
import { describe, expect, it } from 'vitest';
import { fileContext, isTestPath } from '../dist/engine/paths.js';

describe('isTestPath', () => {
  it.each([
    'tests/test_api.py',
    'app/tests/factories.py',
    'src/__tests__/api.ts',
    'src/api.spec.ts',
    'src/api.test.mjs',
    'pkg/conftest.py',
    'pkg/foo_test.py',
    'issues/tests.py',
    'fixtures/bad.py',
    'internal/testdata/sample.py',
    'src/__mocks__/redis.ts',
    '.semgrep/correctness/requests-timeout.py',
    'saleor/.semgrep/rules/missing-timeout.py',
    'kitsune/playwright_tests/core/utilities.py',
    'test-migrations/docker-compose.yml',
    'services/api-tests/client.ts',
    'src/test-setup.ts',
    'vitest.setup.ts',
    'src/setupTests.js',
    'web/src/__e2e__/api.servertest.ts',
    'web/src/otel.servertest.ts',
    'src/checkout.e2e.ts',
  ])('%s is test code', (p) => expect(isTestPath(p)).toBe(true));

  it.each(['app/api.py', 'src/contest.py', 'src/testament.ts', 'src/latest/api.ts', 'semgrep/rules.py', 'src/mocks.ts', 'src/attestation/sign.ts', 'src/latest_test_results/view.py', 'src/setup.ts', 'contest-entries/app.py', 'src/latest.ts', 'src/attest.ts', 'src/manifest.ts', 'app/tests_helpers.py', 'app/latests.py'])(
    '%s is not test code',
    (p) => expect(isTestPath(p)).toBe(false),
  );
});

describe('fileContext', () => {
  it('marks scripts by folder and by a __main__ guard', () => {
    expect(fileContext('scripts/seed.py', '').isScript).toBe(true);
    expect(fileContext('app/cli.py', 'import sys\nif __name__ == "__main__":\n    main()\n').isScript).toBe(true);
    expect(fileContext('app/api.py', 'def main(): ...\n').isScript).toBe(false);
    expect(fileContext('packages/db/scripts/migrate.ts', '').isScript).toBe(true);
    expect(fileContext('tools/release.py', '').isScript).toBe(true);
    // mealie's dev/code-generation: developer tooling, not the service
    expect(fileContext('dev/code-generation/utils/template.py', '').isScript).toBe(true);
    expect(fileContext('hack/gen-crds.ts', '').isScript).toBe(true);
  });
  it('a tools/ or scripts/ folder inside application code is the application', () => {
    expect(fileContext('app/api/chat/tools/route.ts', '').isScript).toBe(false);
    expect(fileContext('src/agents/tools/search.py', '').isScript).toBe(false);
  });
  it('marks browser code by extension or a front-end framework import', () => {
    expect(fileContext('src/App.tsx', '').isBrowser).toBe(true);
    expect(fileContext('src/hooks/ws.ts', "import { useEffect } from 'react';\n").isBrowser).toBe(true);
    expect(fileContext('src/server.ts', "import express from 'express';\n").isBrowser).toBe(false);
  });
});
