// Preloaded with `node --import`: appends the URL of every module the process resolves to the file
// named by $EXP_PACKAGE_TRACE, so a test can see which packages a command loads. CommonJS files
// a CommonJS module requires pass no import hook: those in require's cache are appended at exit.
import { appendFileSync } from 'node:fs';
import { createRequire, register } from 'node:module';
import { pathToFileURL } from 'node:url';

const out = process.env.EXP_PACKAGE_TRACE;
if (out) {
  const hooks = `
    import { appendFileSync } from 'node:fs';
    export async function resolve(specifier, context, next) {
      const resolved = await next(specifier, context);
      appendFileSync(${JSON.stringify(out)}, resolved.url + '\\n');
      return resolved;
    }`;
  register(`data:text/javascript,${encodeURIComponent(hooks)}`);
  const { cache } = createRequire(import.meta.url);
  process.on('exit', () => appendFileSync(out, Object.keys(cache).map((f) => `${pathToFileURL(f).href}\n`).join('')));
}
