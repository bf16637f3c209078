// What scripts/bundle.mjs changes in yargs as it bundles it. Each edit names the text it replaces
// and the build fails when that text is gone (a new yargs), rather than bundle something else.
import { readFile } from 'node:fs/promises';
import { dirname } from 'node:path';

/** `source` with `from` replaced by `to`, or the build stops: `file` is not the yargs these edits were written for. */
function edit(file, source, from, to) {
  if (!source.includes(from)) throw new Error(`${file}: no '${from}' to replace; check scripts/bundle-yargs.mjs against this yargs`);
  return source.replace(from, to);
}

/**
 * yargs's ES module shim finds its locale files, and the package.json `--version` prints (the one
 * above the node_modules it is in), from its own import.meta.url: bundled, that would be the
 * chunk's. Point it at the installed yargs instead, resolved when the shim loads.
 */
export const yargsShimLocation = {
  name: 'yargs-shim-location',
  setup(b) {
    b.onLoad({ filter: /[/\\]yargs[/\\]lib[/\\]platform-shims[/\\]esm\.mjs$/ }, async ({ path }) => ({
      contents: edit(
        path,
        await readFile(path, 'utf8'),
        'const __dirname = fileURLToPath(import.meta.url);',
        "const __dirname = createRequire(import.meta.url).resolve('yargs/package.json').replace(/package\\.json$/, 'lib/platform-shims/esm.mjs');",
      ),
      loader: 'js',
    }));
  },
};

/**
 * Once a command's handler has started, yargs renders that command's help in case a later failure
 * shows it: ~11 ms of `exp validate`'s ~0.22 s profile. exp's fail handler (src/cli/main.ts) never
 * shows help and no command calls showHelp, so the rendering is dropped; `--help` renders as before.
 */
export const noHelpCache = {
  name: 'yargs-no-help-cache',
  setup(b) {
    b.onLoad({ filter: /[/\\]yargs[/\\]build[/\\]lib[/\\]command\.js$/ }, async ({ path }) => ({
      contents: edit(path, await readFile(path, 'utf8'), 'yargs.getInternalMethods().getUsageInstance().cacheHelpMessage();', ''),
      loader: 'js',
    }));
  },
};

/**
 * string-width (three copies: yargs's, cliui's, wrap-ansi's) builds an Intl.Segmenter and
 * Unicode-property regular expressions when it loads, ~30 ms, yet only help text needs it. Each
 * import of it gets a stand-in that loads it on the first call: esbuild runs a module that is
 * require()d only when first required.
 */
export const lazyStringWidth = {
  name: 'lazy-string-width',
  setup(b) {
    const real = { real: true }; // marks this plugin's own lookup of the package
    b.onResolve({ filter: /^string-width$/ }, async ({ path, importer, resolveDir, kind, pluginData }) => {
      if (pluginData === real) return undefined;
      const found = await b.resolve(path, { importer, resolveDir, kind, pluginData: real });
      return found.errors.length ? { errors: found.errors } : { path: found.path, namespace: 'lazy-string-width' };
    });
    b.onLoad({ filter: /.*/, namespace: 'lazy-string-width' }, ({ path }) => ({
      contents: `let width;\nexport default (text, options) => (width ??= require(${JSON.stringify(path)}).default)(text, options);\n`,
      resolveDir: dirname(path),
      loader: 'js',
    }));
  },
};
