import type { Experiment } from '../config/schema.js';
import type { TrainingEngine } from '../engine/engine.js';
import { matchPretrained, type PretrainedReport } from './match.js';
import { PretrainedError, readPretrained } from './read.js';

/**
 * Puts a pretrained file's weights into the engine's model wherever they match (the rest keep
 * their initial values) and says what matched. A file that gives the model nothing is an error:
 * a pretrained run that trains from scratch would be reported as pretrained.
 */
export async function applyPretrained(engine: TrainingEngine, file: string, settings: NonNullable<Experiment['model']['pretrained']>): Promise<PretrainedReport> {
  const source = await readPretrained(file);
  const { weights, report } = matchPretrained(engine.spec, engine.getWeights(), source, { match: settings.match, ...(settings.rename ? { rename: settings.rename } : {}) });
  if (report.loaded.length === 0) {
    const first = report.notLoaded[0];
    throw new PretrainedError(
      `no weight of the model matches one in ${file} (matched by ${settings.match})${first ? `: ${first.weight}: ${first.reason}` : ''}; ${settings.match === 'names' ? 'try match: order, or rename: {file layer: node id}' : "the model's first layers must have the file's first layers' shapes"}`,
    );
  }
  engine.setWeights(weights);
  return report;
}
