// Preloaded with `node --import`: records which module imports each @tensorflow/* package
// ("specifier <- importer" per import) and writes the list as JSON to $EXP_IMPORT_LOG at exit.
import { writeFileSync } from 'node:fs';
import { register } from 'node:module';
import { MessageChannel } from 'node:worker_threads';

const { port1, port2 } = new MessageChannel();
const seen = [];
port1.on('message', (m) => seen.push(m));
port1.unref();
const hooks = `let port;
export function initialize(data) { port = data.port; }
export async function resolve(specifier, context, next) {
  if (specifier.startsWith('@tensorflow/')) port.postMessage(specifier + ' <- ' + context.parentURL);
  return next(specifier, context);
}`;
register(`data:text/javascript,${encodeURIComponent(hooks)}`, { data: { port: port2 }, transferList: [port2] });
process.on('exit', () => writeFileSync(process.env.EXP_IMPORT_LOG, JSON.stringify(seen)));
