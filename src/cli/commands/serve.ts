import type { Argv } from 'yargs';
import type { CommandBody } from '../commands.js';
import { CAM_METHODS, type CamMethod } from '../../explain/grad-cam.js';
import { DEFAULT_MAX_BYTES, DEFAULT_MAX_PIXELS, startServer } from '../../serve/server.js';
import { loadServedModel } from '../../serve/served-model.js';
import { openStore } from '../../tracking/index.js';
import { reportError } from '../../core/report-error.js';
import { UserError } from '../../core/errors.js';
import { resolveRunId } from '../../tracking/resolve-run.js';
import { trackingUriOption } from '../tracking-option.js';

interface Args {
  run: string;
  trackingUri?: string;
  host: string;
  port: number;
  maxBytes: number;
  maxPixels: number;
  concurrency: number;
  layer?: string;
  method: CamMethod;
}

const positiveInteger = (name: string, value: number, min = 1): void => {
  if (!Number.isInteger(value) || value < min) throw new UserError(`--${name} must be an integer >= ${min}, got ${value}`);
};

export const serveCommand: CommandBody<Args> = {
  builder: (y: Argv) =>
    y
      .option('run', { type: 'string', demandOption: true, describe: 'the run whose model to serve: its id, the start of its id, or its name' })
      .option('tracking-uri', trackingUriOption)
      .option('host', { type: 'string', default: '127.0.0.1', describe: 'address to listen on (0.0.0.0: every interface; there is no authentication)' })
      .option('port', { type: 'number', default: 8080, describe: 'port to listen on (0: any free port)' })
      .option('max-bytes', { type: 'number', default: DEFAULT_MAX_BYTES, describe: 'largest request body accepted; larger ones get 413 without being read' })
      .option('max-pixels', { type: 'number', default: DEFAULT_MAX_PIXELS, describe: 'images declaring more pixels get 413 before decoding (decompression bombs)' })
      .option('concurrency', { type: 'number', default: 8, describe: 'predictions computed at once; more get 503 with Retry-After' })
      .option('layer', { type: 'string', describe: "the layer heatmaps explain, by its node id (model/summary.txt lists a graph's) or its position among the layers (default: the last spatial feature map)" })
      .option('method', { choices: CAM_METHODS, default: 'gradcam' as const, describe: 'heatmap method: Grad-CAM or Grad-CAM++' })
      .example('$0 serve --run 3f2a --port 8080', 'then open http://127.0.0.1:8080/ or: curl --data-binary @xray.jpeg http://127.0.0.1:8080/predict') as unknown as Argv<Args>,
  handler: async (args) => {
    try {
      positiveInteger('port', args.port, 0);
      if (args.port > 65535) throw new UserError(`--port must be at most 65535, got ${args.port}`);
      positiveInteger('max-bytes', args.maxBytes);
      positiveInteger('max-pixels', args.maxPixels);
      positiveInteger('concurrency', args.concurrency);
      const store = openStore(args.trackingUri, { offlineFallback: false });
      const runId = await resolveRunId(store, args.run);
      const served = await loadServedModel(store, runId, { layer: args.layer, method: args.method });
      const log = (line: string): void => void process.stderr.write(`${line}\n`);
      const { url } = await startServer(served, { host: args.host, port: args.port, maxBytes: args.maxBytes, maxPixels: args.maxPixels, concurrency: args.concurrency, log }).catch(async (e: NodeJS.ErrnoException) => {
        served.explainer?.dispose();
        await served.model.release();
        if (e.code === 'EADDRINUSE') throw new UserError(`port ${args.port} on ${args.host} is in use: pick another with --port (0: any free port)`);
        if (e.code === 'EADDRNOTAVAIL' || e.code === 'ENOTFOUND') throw new UserError(`cannot listen on ${args.host}: no such address on this machine`);
        throw e;
      });
      const { signature } = served;
      process.stdout.write(
        `serving run ${served.run.info.runName} (${runId}) at ${url}/\n` +
          `classes ${signature.classes.join(', ')}, input ${signature.input.shape.join('x')}, threshold ${signature.threshold === null ? 'none (0.5)' : Number(signature.threshold.toFixed(4))}; ` +
          `heatmaps: ${served.explainer ? `${served.explainer.method} at layer ${served.explainer.source.layer.name}, gradient by ${served.explainer.source.engine}` : `unavailable (${served.explainProblem})`}\n` +
          `a research model, not a diagnosis; Ctrl-C stops\n`,
      );
    } catch (e) {
      process.exitCode = reportError(e);
    }
  },
};
