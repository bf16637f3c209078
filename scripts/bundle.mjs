// Bundles the compiled CLI (dist/cli/main.js) into dist/bundle/, one chunk per command, for
// start-up (docs/performance.md, "Start-up"): `exp validate` loaded ~485 ES modules, ~0.4 s of
// its ~0.8 s of CPU. Run by `npm run build` after tsc; bin/exp.js prefers the bundle.
//
// Only @sinclair/typebox, yaml and yargs (with what they import) go in: the small pure-JS
// packages every command loads. Every other package stays external and loads from node_modules
// as before: native code (tfjs-node, onnxruntime, sharp), packages loaded on demand by computed
// name or createRequire (tfjs backends, ajv and its generated validators' runtime), and the large
// ones only some commands use (tfjs, vega, bullmq).
//
// The chunks sit in dist/bundle/, at the depth of dist/cli/, so URLs relative to a module
// (`new URL('../../package.json', import.meta.url)`) resolve to the same files from both.
import { build } from 'esbuild';
import { rmSync } from 'node:fs';
import { lazyStringWidth, noHelpCache, yargsShimLocation } from './bundle-yargs.mjs';

const BUNDLED = new Set(['@sinclair/typebox', 'yaml', 'yargs']);

const packageName = (specifier) => specifier.split('/').slice(0, specifier.startsWith('@') ? 2 : 1).join('/');

/** exp's own imports of packages other than BUNDLED are external; what a bundled package imports is bundled. */
const keepExternal = {
  name: 'keep-external',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, ({ path, importer }) => {
      if (path.startsWith('node:') || importer.includes('/node_modules/') || BUNDLED.has(packageName(path))) return undefined;
      return { path, external: true };
    });
  },
};

// Chunk names are content hashes: clear the last build's.
rmSync('dist/bundle', { recursive: true, force: true });

await build({
  entryPoints: { main: 'dist/cli/main.js' },
  outdir: 'dist/bundle',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // A crash log's stack points into the chunks; their map leads back to src/ (through tsc's maps)
  // for `node --enable-source-maps`. Nothing is minified, so it reads as is.
  sourcemap: true,
  // yaml is CommonJS on Node and requires 'process' and 'buffer': ES module chunks have no require.
  banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
  plugins: [keepExternal, yargsShimLocation, noHelpCache, lazyStringWidth],
  logLevel: 'warning',
});
