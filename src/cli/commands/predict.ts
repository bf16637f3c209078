import type { Argv, CommandModule } from 'yargs';
import { collectImages } from '../../predict/collect.js';
import { formatPredictions, predictionsJson } from '../../predict/format.js';
import { loadRunModel } from '../../predict/load-model.js';
import { predictFiles } from '../../predict/predict-files.js';
import { openStore } from '../../tracking/index.js';
import { reportError } from '../errors.js';
import { resolveRunId } from '../resolve-run.js';
import { trackingUriOption } from '../tracking-option.js';

interface Args {
  run: string;
  images: string[];
  trackingUri?: string;
  json: boolean;
}

export const predictCommand: CommandModule<object, Args> = {
  command: 'predict <images..>',
  describe: "classify images with a run's saved model, preprocessed as in training, using the run's threshold",
  builder: (y: Argv) =>
    y
      .positional('images', { type: 'string', array: true, demandOption: true, describe: 'image files or folders (searched for .jpeg/.jpg/.png)' })
      .option('run', { type: 'string', demandOption: true, describe: 'the run whose model to use: its id, the start of its id, or its name (see `exp rank`)' })
      .option('tracking-uri', trackingUriOption)
      .option('json', { type: 'boolean', default: false, describe: 'print JSON for scripts' }) as unknown as Argv<Args>,
  handler: async (args) => {
    try {
      const files = await collectImages(args.images);
      const store = openStore(args.trackingUri, { offlineFallback: false });
      const runId = await resolveRunId(store, args.run);
      const { signature, model } = await loadRunModel(store, runId);
      try {
        const { predictions, unreadable } = await predictFiles(model, signature, files);
        if (args.json) process.stdout.write(`${predictionsJson(runId, predictions, unreadable, signature)}\n`);
        else if (predictions.length) process.stdout.write(`${formatPredictions(predictions, signature)}\n`);
        for (const u of unreadable) process.stderr.write(`exp: cannot read ${u.file}: ${u.error}\n`);
        if (unreadable.length) process.exitCode = 1;
      } finally {
        await model.release();
      }
    } catch (e) {
      process.exitCode = reportError(e);
    }
  },
};
