#!/usr/bin/env node
// Builds the committed GitHub Action bundle: `node scripts/build-action.mjs [OUTDIR]`
// (default action-dist/action). The Action runs it straight from its tag, with no npm install and
// no tsc, so everything it imports is in one file:
//   main.js                   src/action/main.ts and everything it reaches, TypeScript's compiler too
//   worker.js                 the scan worker (imports main.js, which becomes the worker in a thread)
//   web-tree-sitter.wasm      the tree-sitter runtime (web-tree-sitter loads it from beside itself)
//   tree-sitter-python.wasm   the Python grammar
//   licenses.txt              the licences of the bundled packages
// rules/ (the rule YAML and catalog) and package.json are read at run time from the action's
// checkout: the modules find them as ../../rules and ../../package.json from import.meta.url,
// which is why the bundle sits two folders deep, like dist/action/main.js.
// The output is deterministic (no timestamps, no absolute paths): test/action.test.ts rebuilds
// into a temporary folder and fails when the committed copy differs.
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const outdir = resolve(process.argv[2] ?? join(root, 'action-dist', 'action'));
const require = createRequire(join(root, 'package.json'));

/**
 * faultline loads two things through createRequire at run time: the TypeScript compiler
 * (require() rather than import to spare Node's CommonJS export lexer in every worker) and the
 * path of the Python grammar. In the bundle there is no node_modules to resolve them from, so
 * its `node:module` answers exactly these two: TypeScript bundled, the grammar beside main.js.
 * Anything else is an error, never a look-up in whatever node_modules sits above the checkout.
 */
const SHIM = `
import { fileURLToPath } from 'node:url';
export * from 'node:module';
const FILES = { 'tree-sitter-python/tree-sitter-python.wasm': './tree-sitter-python.wasm' };
export function createRequire() {
  const req = (id) => {
    // bundled by esbuild, and loaded only when first asked for (a Python-only scan never is)
    if (id === 'typescript') return require('typescript');
    throw new Error('faultline bundle: ' + id + ' is not bundled');
  };
  req.resolve = (id) => {
    if (FILES[id]) return fileURLToPath(new URL(FILES[id], import.meta.url));
    throw new Error('faultline bundle: ' + id + ' is not shipped');
  };
  return req;
}
`;

const bundledModule = {
  name: 'bundled-node-module',
  setup(b) {
    b.onResolve({ filter: /^(node:)?module$/ }, (args) =>
      args.importer.startsWith(join(root, 'src') + '/') ? { path: 'node:module', namespace: 'faultline-shim' } : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'faultline-shim' }, () => ({ contents: SHIM, loader: 'js', resolveDir: root }));
  },
};

/**
 * tsc-style `.js` specifiers: esbuild maps `./x.js` to `./x.ts` for plain imports but not for the
 * template-literal imports it expands as globs (the matchers and checks loaded by name).
 */
const GLOB_IMPORT = /import\(`(\.{1,2}\/[^`$]*\$\{[^`]*)\.js`\)/g;
const globImportsOfTs = {
  name: 'glob-imports-of-ts',
  setup(b) {
    b.onLoad({ filter: /\/src\/.*\.ts$/ }, (args) => {
      const text = readFileSync(args.path, 'utf8');
      return { contents: text.replace(GLOB_IMPORT, 'import(`$1.ts`)'), loader: 'ts' };
    });
  },
};

rmSync(outdir, { recursive: true, force: true });
mkdirSync(outdir, { recursive: true });
const result = await build({
  absWorkingDir: root,
  entryPoints: ['src/action/main.ts'],
  outfile: join(outdir, 'main.js'),
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  // bundled CommonJS (TypeScript, ajv, commander) calls require() for Node's own modules, and
  // TypeScript reads __filename when it starts; ESM has none of them
  banner: {
    js: [
      "import { createRequire as __faultlineRequire } from 'node:module';",
      "import { fileURLToPath as __faultlinePath } from 'node:url';",
      'const require = __faultlineRequire(import.meta.url);',
      'const __faultlineFilename = __faultlinePath(import.meta.url);',
      "const __faultlineDirname = __faultlineFilename.replace(/[\\\\/][^\\\\/]*$/, '');",
    ].join('\n'),
  },
  define: { __filename: '__faultlineFilename', __dirname: '__faultlineDirname' },
  plugins: [bundledModule, globImportsOfTs],
  legalComments: 'eof',
  logLevel: 'warning',
  metafile: true,
  // paths in the output's comments stay node_modules/… when node_modules is a symlink (worktrees)
  preserveSymlinks: true,
});
if (result.errors.length) process.exit(1);

writeFileSync(join(outdir, 'worker.js'), "// The scan worker: main.js runs the worker when it is loaded in a worker thread.\nimport './main.js';\n");
copyFileSync(require.resolve('web-tree-sitter/web-tree-sitter.wasm'), join(outdir, 'web-tree-sitter.wasm'));
copyFileSync(require.resolve('tree-sitter-python/tree-sitter-python.wasm'), join(outdir, 'tree-sitter-python.wasm'));

// The bundle redistributes its dependencies' code: their licences go beside it.
const packages = new Map();
for (const input of [...Object.keys(result.metafile.inputs), 'node_modules/web-tree-sitter/', 'node_modules/tree-sitter-python/']) {
  const m = /^node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(input);
  if (m) packages.set(m[1], join(root, 'node_modules', m[1]));
}
const notices = [...packages].sort(([a], [b]) => (a < b ? -1 : 1)).map(([name, dir]) => {
  const meta = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  const file = readdirSync(dir).sort().find((f) => /^(licen[cs]e|copying)(\.|$)/i.test(f));
  const text = file ? readFileSync(join(dir, file), 'utf8').trim() : `(no licence file; package.json says ${meta.license})`;
  return `${meta.name} ${meta.version} (${meta.license})\n\n${text}\n`;
});
writeFileSync(
  join(outdir, 'licenses.txt'),
  `Third-party code bundled into main.js and the .wasm files beside it.\n\n${notices.join(`\n${'-'.repeat(72)}\n\n`)}`,
);

for (const name of readdirSync(outdir).sort()) {
  const kb = Math.round(statSync(join(outdir, name)).size / 1024);
  console.log(`${relative(root, join(outdir, name))}  ${kb} KiB`);
}
