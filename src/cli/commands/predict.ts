import type { Argv } from 'yargs';
import type { CommandBody } from '../commands.js';
import { CAM_METHODS, type CamMethod } from '../../explain/grad-cam.js';
import { writeHeatmaps } from '../../explain/heatmap-files.js';
import { loadExplainer } from '../../explain/load-explainer.js';
import type { Explainer } from '../../explain/explainer.js';
import { collectImages } from '../../predict/collect.js';
import { formatPredictions, predictionsJson } from '../../predict/format.js';
import { loadRunModel } from '../../predict/load-model.js';
import { predictFiles } from '../../predict/predict-files.js';
import { openStore } from '../../tracking/index.js';
import { reportError } from '../../core/report-error.js';
import { resolveRunId } from '../../tracking/resolve-run.js';
import { trackingUriOption } from '../tracking-option.js';

interface Args {
  run: string;
  images: string[];
  trackingUri?: string;
  json: boolean;
  explain: boolean;
  out: string;
  layer?: string;
  method: CamMethod;
}

export const predictCommand: CommandBody<Args> = {
  builder: (y: Argv) =>
    y
      .positional('images', { type: 'string', array: true, demandOption: true, describe: 'image files or folders (searched for .jpeg/.jpg/.png)' })
      .option('run', { type: 'string', demandOption: true, describe: 'the run whose model to use: its id, the start of its id, or its name (see `exp rank`)' })
      .option('tracking-uri', trackingUriOption)
      .option('json', { type: 'boolean', default: false, describe: 'print JSON for scripts' })
      .option('explain', { type: 'boolean', default: false, describe: 'write each image with a heatmap of where the model looked (Grad-CAM of the predicted class)' })
      .option('out', { type: 'string', default: 'heatmaps', describe: 'with --explain: the folder for the heatmap PNGs' })
      .option('layer', { type: 'string', describe: "with --explain: the layer to explain at, by its node id (model/summary.txt lists a graph's) or its position among the layers (default: the last spatial feature map)" })
      .option('method', { choices: CAM_METHODS, default: 'gradcam' as const, describe: 'with --explain: Grad-CAM or Grad-CAM++' })
      .example('$0 predict --run 3f2a --explain --out heatmaps xray.jpeg', 'class, probability and a heatmap overlay per image') as unknown as Argv<Args>,
  handler: async (args) => {
    let explainer: Explainer | undefined;
    try {
      const files = await collectImages(args.images);
      const store = openStore(args.trackingUri, { offlineFallback: false });
      const runId = await resolveRunId(store, args.run);
      const { signature, model } = await loadRunModel(store, runId);
      try {
        if (args.explain) explainer = await loadExplainer(store, runId, { layer: args.layer, method: args.method });
        const { predictions, unreadable } = await predictFiles(model, signature, files, { explainer });
        const explained = predictions.flatMap((p) => (p.explanation ? [{ file: p.file, explanation: p.explanation }] : []));
        const heatmaps = explained.length ? await writeHeatmaps(explained, args.out) : [];
        if (args.json) process.stdout.write(`${predictionsJson(runId, predictions, unreadable, signature, heatmaps)}\n`);
        else if (predictions.length) process.stdout.write(`${formatPredictions(predictions, signature, heatmaps)}\n`);
        for (const u of unreadable) process.stderr.write(`exp: cannot read ${u.file}: ${u.error}\n`);
        if (unreadable.length) process.exitCode = 1;
      } finally {
        explainer?.dispose();
        await model.release();
      }
    } catch (e) {
      process.exitCode = reportError(e);
    }
  },
};
