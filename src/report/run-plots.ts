import { expectedCalibrationError, normalizeProbabilities, outputProbabilities, reliabilityBins, type Evaluation, type Probabilities, type ThresholdChoice } from '../metrics/index.js';
import { classProbability, headFor } from '../model/head.js';
import type { RunOutcome } from '../runner/run-experiment.js';
import { Explainer } from '../explain/explainer.js';
import { OnnxGradient } from '../explain/onnx-gradient.js';
import { overlayPng, rgbPixels } from '../explain/overlay.js';
import { calibrationPlot, type ReliabilitySeries } from './plots/calibration.js';
import { confusionMatrixPlot } from './plots/confusion-matrix.js';
import { learningCurvesPlot } from './plots/learning-curves.js';
import { predictionsPlot, type PredictionItem, type PredictionsData } from './plots/predictions.js';
import { prCurvePlot } from './plots/pr-curve.js';
import { PNG_SCALE, type Plot } from './plots/render.js';
import { GRID_PNG_SCALE } from './plots/image-grid.js';
import { rocCurvePlot } from './plots/roc-curve.js';
import { thresholdMetricsPlot } from './plots/threshold-metrics.js';

/** Where a run's plots go among its artifacts: `plots/<file>`. The HTML report reads them there. */
export const PLOT_ARTIFACT_DIR = 'plots';

/** Every plot a run may have, in the order the report shows them, with the scale its PNG was drawn at. */
export const RUN_PLOTS = [
  { file: 'learning_curves.png', title: 'Learning curves', scale: PNG_SCALE },
  { file: 'confusion_matrix.png', title: 'Confusion matrix', scale: PNG_SCALE },
  { file: 'roc_curve.png', title: 'ROC curve', scale: PNG_SCALE },
  { file: 'pr_curve.png', title: 'Precision-recall curve', scale: PNG_SCALE },
  { file: 'calibration.png', title: 'Reliability diagram', scale: PNG_SCALE },
  { file: 'threshold_metrics.png', title: 'Threshold vs metrics', scale: PNG_SCALE },
  { file: 'predictions.png', title: 'Predictions', scale: GRID_PNG_SCALE },
] as const;
export type RunPlotFile = (typeof RUN_PLOTS)[number]['file'];

export interface RunPlotOptions {
  /** tiles in the predictions grid (default 16) */
  predictions?: number;
}

/** The predictions grid's items: each test image with the label evaluation gave it and its probability. */
function predictionItems(outcome: RunOutcome, outputs: readonly ArrayLike<number>[]): PredictionItem[] {
  const { test, classes, shape } = outcome.dataset;
  const per = shape[0] * shape[1] * shape[2];
  return outcome.evaluation.predictions.map((predicted, i) => {
    const row = outputs[i]!;
    const probability = classProbability(row, predicted);
    return {
      pixels: test.x.subarray(i * per, (i + 1) * per),
      trueLabel: classes[test.y[i]!]!,
      predictedLabel: classes[predicted]!,
      probability,
      file: test.files[i]!,
    };
  });
}

/**
 * Grad-CAM of the predicted class beside each image of the predictions grid, from the trained
 * model on ONNX Runtime. A model Grad-CAM cannot explain still gets its grid, saying why.
 */
async function gridHeatmaps(outcome: RunOutcome, shape: [number, number, 1 | 3]): Promise<{ heatmaps: NonNullable<PredictionsData['heatmaps']>; dispose: () => void }> {
  let explainer: Explainer;
  try {
    explainer = new Explainer(await OnnxGradient.create(outcome.model, outcome.weights));
  } catch (e) {
    return { heatmaps: { unavailable: e instanceof Error ? e.message : String(e) }, dispose: () => undefined };
  }
  const { classes } = outcome.dataset;
  const layer = explainer.source.layer;
  return {
    heatmaps: {
      caption: `Grad-CAM of the predicted class at ${layer.name} (red: most evidence)`,
      overlay: async (item) => overlayPng(rgbPixels(item.pixels, shape), (await explainer.explain(item.pixels, shape, classes.indexOf(item.predictedLabel))).cam),
    },
    dispose: () => explainer.dispose(),
  };
}

/** One line of a reliability diagram: probabilities (one per image for two classes, else rows) against the true labels. */
export function reliabilityOf(label: string, probabilities: Probabilities, labels: ArrayLike<number>, classes: number): ReliabilitySeries {
  const probs = normalizeProbabilities(probabilities, labels.length, classes);
  return { label, bins: reliabilityBins(probs, labels), ece: expectedCalibrationError(probs, labels) };
}

/** The test set's reliability: of the outputs the run judged, and with calibration of the model's own outputs before it. */
function reliabilitySeries(outcome: RunOutcome): ReliabilitySeries[] {
  const { test, classes } = outcome.dataset;
  const units = outcome.testOutputs.length / test.count;
  const series = (label: string, outputs: Float32Array): ReliabilitySeries => reliabilityOf(label, outputProbabilities(outputs, units), test.y, classes.length);
  const { calibration } = outcome;
  if (!calibration) return [series('model', outcome.testOutputs)];
  return [series('before calibration', calibration.uncalibratedTest), series(`after calibration (T = ${calibration.temperature.toFixed(2)})`, outcome.testOutputs)];
}

/**
 * Every plot of a finished run, as SVG and PNG, keyed by file name. ROC and PR curves are
 * one-vs-rest with more than two classes (one line per class, no threshold marked); the
 * threshold plot exists only when a threshold was chosen on validation (two classes).
 */
export async function renderRunPlotSet(outcome: RunOutcome, options: RunPlotOptions = {}): Promise<Partial<Record<RunPlotFile, Plot>>> {
  const { evaluation, dataset } = outcome;
  const { classes } = dataset;
  const out: Partial<Record<RunPlotFile, Plot>> = {};
  out['learning_curves.png'] = await learningCurvesPlot({ history: outcome.fit.history, keptEpoch: outcome.fit.keptEpoch });
  Object.assign(out, await evaluationPlots(evaluation, classes, outcome.threshold.choice));
  if (dataset.test.count > 0) out['calibration.png'] = await calibrationPlot({ series: reliabilitySeries(outcome), n: evaluation.n });
  if (dataset.test.count > 0) {
    const units = outcome.testOutputs.length / dataset.test.count;
    const outputs = Array.from({ length: dataset.test.count }, (_, i) => outcome.testOutputs.subarray(i * units, (i + 1) * units));
    const shape: [number, number, 1 | 3] = [dataset.shape[0], dataset.shape[1], dataset.shape[2] === 3 ? 3 : 1];
    const explained = await gridHeatmaps(outcome, shape);
    try {
      out['predictions.png'] = await predictionsPlot({ items: predictionItems(outcome, outputs), shape, count: options.predictions ?? 16, heatmaps: explained.heatmaps });
    } finally {
      explained.dispose();
    }
  }
  return out;
}

/**
 * The plots drawn from a test evaluation alone (confusion matrix, ROC and PR curves) and, when
 * the threshold was chosen on validation, the threshold sweep: what an ensemble run has too.
 */
export async function evaluationPlots(evaluation: Evaluation, classes: readonly string[], choice: ThresholdChoice | undefined): Promise<Partial<Record<RunPlotFile, Plot>>> {
  const threshold = headFor(classes.length).positive !== null ? evaluation.threshold : null;
  const out: Partial<Record<RunPlotFile, Plot>> = {};
  out['confusion_matrix.png'] = await confusionMatrixPlot({ classes: [...classes], matrix: evaluation.confusion, title: `Confusion matrix (test set, ${evaluation.n} images)` });
  const label = (k: number): string => classes[k]!;
  out['roc_curve.png'] = await rocCurvePlot({ curves: evaluation.curves.map((c) => ({ label: label(c.classIndex), points: c.roc.points, auc: c.roc.auc })), threshold });
  out['pr_curve.png'] = await prCurvePlot({
    curves: evaluation.curves.map((c) => ({
      label: label(c.classIndex),
      points: c.pr.points,
      averagePrecision: c.pr.averagePrecision,
      prevalence: evaluation.perClass[c.classIndex]!.support / evaluation.n,
    })),
    threshold,
  });
  if (choice) {
    out['threshold_metrics.png'] = await thresholdMetricsPlot({ classes: [...classes], sweep: choice.sweep, chosen: choice.threshold, maximize: choice.maximize, minClassRecall: choice.minClassRecall });
  }
  return out;
}

/** Plots as artifacts: each PNG (shown by the MLflow UI) with an SVG beside it (vector, for papers and slides). */
export const plotFiles = (plots: Partial<Record<RunPlotFile, Plot>>): Record<string, Uint8Array | string> =>
  Object.fromEntries(Object.entries(plots).flatMap(([file, plot]) => [[file, plot.png], [file.replace(/\.png$/, '.svg'), plot.svg]]));

/**
 * The run's plots keyed by file name, for logging under PLOT_ARTIFACT_DIR: each as PNG (shown
 * by the MLflow UI) and as SVG beside it (vector, for papers and slides).
 */
export async function renderRunPlots(outcome: RunOutcome, options: RunPlotOptions = {}): Promise<Record<string, Uint8Array | string>> {
  return plotFiles(await renderRunPlotSet(outcome, options));
}
