import type { ValidatedExperiment } from '../config/validate.js';
import { loadDataset, type Dataset } from '../data/index.js';
import { classKeys } from '../data/class-keys.js';
import { classCounts } from '../data/counts.js';
import { mulberry32 } from '../data/rng.js';
import { outputUnits } from '../engine/engine.js';
import { createEngine } from '../engine/select.js';
import { applyTemperature, chooseThreshold, evaluate, fitTemperature, flatMetrics, formatReport, judgeTargets, metricIntervals, outputProbabilities, type Evaluation, type TemperatureFit, type ThresholdChoice, type Verdict } from '../metrics/index.js';
import { headOfUnits } from '../model/head.js';
import { resolveModel } from '../model/resolve.js';
import { formatSummary, summarize } from '../model/summary.js';
import type { ModelSpec } from '../model/spec.js';
import { normalizeEntry } from '../config/entries.js';
import { augmentations, callbacks, schedules } from '../registry/index.js';
import { createLoss } from '../registry/losses/index.js';
import { createOptimizer } from '../registry/optimizers/index.js';
import { Progress, formatSeconds, rateAndEta } from '../core/progress.js';
import { fit, predictSplit, type Checkpoint, type EpochRecord, type FitResult } from '../train/loop.js';
import { ttaViewsOf } from '../train/tta.js';
import { resolveClassWeights } from './class-weights.js';
import { datasetOptions } from './dataset-options.js';
import { groupCounts, splitManifest, type SplitManifest, type SplitName } from './split-manifest.js';
import type { TrialReview } from './trial.js';
import { applyPretrained, formatPretrained, frozenNodes, type PretrainedReport } from '../pretrained/index.js';

/** What is known once the data is loaded and the engine chosen, before training starts. */
export interface StartInfo {
  classes: string[];
  classWeights: number[];
  fingerprint: string;
  engine: RunOutcome['engine'];
  /** every image of each split with its class and group, for data/split.json */
  split: SplitManifest;
  /** distinct groups per split, when data.validation.group is set */
  groups: Record<SplitName, number> | null;
  /** What model.pretrained loaded, when set. */
  pretrained?: PretrainedReport;
}

/** Where a run reports as it goes (the tracking recorder); every hook may be async. */
export interface RunHooks {
  started?(info: StartInfo): Promise<void>;
  /** After the epoch's checkpoint is kept: see onCheckpoint below. */
  epoch?(logs: EpochRecord): Promise<void>;
  checkpoint?(checkpoint: Checkpoint): Promise<void>;
}

export interface RunOutcome {
  dataset: Dataset;
  model: ModelSpec;
  engine: { name: string; backend: string; device: string; reason: string };
  classWeights: number[];
  fit: FitResult;
  threshold: { value: number | null; choice?: ThresholdChoice };
  /** `evaluate.calibrate: temperature`: the fit, and the test outputs before it (for the reliability diagram); null without. */
  calibration: (TemperatureFit & { uncalibratedTest: Float32Array }) | null;
  evaluation: Evaluation;
  metrics: Record<string, number>;
  verdict: Verdict;
  /** The final weights (tfjs layout), the ones evaluated. */
  weights: Float32Array[];
  /** The model's outputs on the validation images, [n, units] (calibrated where the run calibrates). */
  valOutputs: Float32Array;
  /** The model's outputs on the test images, [n, units] (calibrated where the run calibrates). */
  testOutputs: Float32Array;
  seconds: { data: number; train: number; total: number };
}

/** data -> model -> train -> threshold on validation -> evaluate on test -> verdict. */
export async function runExperiment(exp: ValidatedExperiment, progress: Progress, hooks: RunHooks = {}, resume?: Checkpoint, trial?: TrialReview): Promise<RunOutcome> {
  const started = performance.now();
  const c = exp.config;

  const options = datasetOptions(exp);
  const dataset = await loadDataset({
    ...options,
    onProgress: (done, total) => progress.update(`loading images ${rateAndEta(done, total, started, ' files/s')}`),
  });
  const { classes } = dataset;
  progress.line(
    `data: ${dataset.train.count} train / ${dataset.val.count} validation / ${dataset.test.count} test images, classes ${classes.join(', ')}` +
      ` (${dataset.cache.hit ? 'from cache' : 'decoded'} in ${formatSeconds(dataset.cache.seconds)})`,
  );
  for (const s of dataset.skipped) progress.line(`skipped unreadable image ${s.file}: ${s.reason}`);
  for (const w of dataset.cache.warnings) progress.line(`cache: ${w}`);
  for (const w of dataset.warnings) progress.line(`warning: ${w}`);
  const keys = classKeys(classes);
  const renamed = classes.flatMap((name, i) => (keys[i] !== name ? [`'${name}' as ${keys[i]}`] : []));
  if (renamed.length > 0) progress.line(`class keys in metric names and targets (MLflow keys take letters, digits, _ - . and spaces): ${renamed.join(', ')}`);
  const dataSeconds = (performance.now() - started) / 1000;

  const counts = classCounts(dataset.train.y, classes.length);
  const weights = resolveClassWeights(c.class_weight, classes, counts);
  progress.line(`class weights: ${classes.map((name, i) => `${name} ${weights[i]!.toFixed(3)} (${counts[i]} images)`).join(', ')}`);

  const model = resolveModel(exp, classes.length);
  const { totalParams } = summarize(model);
  progress.line(`model: ${c.model.architecture ?? 'layers'}, ${totalParams.toLocaleString('en-US')} params\n${formatSummary(model)}`);

  const loss = createLoss(c.train.loss, classes.length);
  const optimizer = createOptimizer(c.train.optimizer as { name: string });
  const { name: scheduleName, ...scheduleParams } = c.train.schedule as { name: string };
  const schedule = schedules.get(scheduleName).create(scheduleParams, { lr: optimizer.lr, stepsPerEpoch: Math.ceil(dataset.train.count / c.train.batch_size), epochs: c.train.epochs });
  const { engine, reason } = await createEngine(c.train, model, loss, optimizer);
  progress.line(`engine: ${engine.name} on ${engine.backend} (${engine.device}): ${reason}`);
  const engineInfo = { name: engine.name, backend: engine.backend, device: engine.device, reason };

  const group = 'group' in options.validation ? options.validation.group : undefined;
  const split = splitManifest(dataset, exp.dataDir, group);
  const random = mulberry32(c.train.seed);
  const settings = c.model.pretrained;
  try {
    const pretrained = settings && exp.pretrainedFile ? await applyPretrained(engine, exp.pretrainedFile, settings) : undefined;
    if (pretrained) progress.line(formatPretrained(pretrained, 12));
    const freeze = settings?.freeze !== undefined ? { nodes: frozenNodes(model, settings.freeze)!, ...(settings.unfreeze_after !== undefined ? { unfreezeAfter: settings.unfreeze_after } : {}) } : undefined;
    await hooks.started?.({ classes, classWeights: weights, fingerprint: dataset.fingerprint, engine: engineInfo, split, groups: group ? groupCounts(split) : null, ...(pretrained ? { pretrained } : {}) });
    let epochStarted = performance.now();
    const result = await fit(engine, dataset.train, dataset.val, {
      epochs: c.train.epochs,
      batchSize: c.train.batch_size,
      shape: dataset.shape,
      classWeights: weights,
      augments: c.augment.map(normalizeEntry).map(({ name, params }) => augmentations.get(name).create(params, undefined)),
      callbacks: c.train.callbacks.map(normalizeEntry).map(({ name, params }) => callbacks.get(name).create(params, undefined)),
      schedule,
      random,
      ...(freeze ? { freeze } : {}),
      ...(resume ? { resume } : {}),
      ...(trial ? { review: (logs: EpochRecord) => trial.review(logs, c.train.epochs) } : {}),
      // The checkpoint first, then the epoch's metrics: a process killed in between leaves a
      // checkpoint whose history still holds them, and the resume logs them (RunRecorder.reopen).
      // The other order would log the epoch twice, once more when it is trained again.
      onCheckpoint: async (checkpoint: Checkpoint) => {
        await hooks.checkpoint?.(checkpoint);
        await hooks.epoch?.(checkpoint.history.at(-1)!);
      },
      onBatch: (epoch, done, total, lossSoFar) => {
        progress.update(`epoch ${epoch}/${c.train.epochs}  batch ${rateAndEta(done, total, epochStarted, ' batches/s')}  loss ${lossSoFar.toFixed(4)}`);
      },
      onEpoch: (l) => {
        progress.line(
          `epoch ${l.epoch}/${c.train.epochs}  loss ${l.train_loss.toFixed(4)}  acc ${l.train_accuracy.toFixed(4)}  val_loss ${l.val_loss.toFixed(4)}  val_acc ${l.val_accuracy.toFixed(4)}  lr ${l.lr.toPrecision(3)}  ${formatSeconds(l.seconds)} (${Math.round(l.imagesPerSecond)} img/s)`,
        );
        epochStarted = performance.now();
      },
      log: (m) => progress.line(m),
    });

    const units = outputUnits(model);
    // The kept weights on validation: for the threshold, the figures runs are chosen by, and
    // predictions.csv, so validation mistakes can be looked at like test ones.
    // Test-time augmentation (evaluate.tta) the same on validation, where the threshold is chosen, and on test.
    const views = ttaViewsOf(c.evaluate.tta);
    const rawValOutputs = await predictSplit(engine, dataset.val, c.train.batch_size, views);
    // A temperature is fitted on validation only; the threshold is then chosen on calibrated outputs.
    const fitted = c.evaluate.calibrate === 'temperature' ? fitTemperature(rawValOutputs, dataset.val.y, units) : null;
    const calibrated = (outputs: Float32Array): Float32Array => (fitted ? applyTemperature(outputs, units, fitted.temperature) : outputs);
    if (fitted) {
      progress.line(`temperature ${fitted.temperature.toFixed(4)}, fitted on validation (NLL ${fitted.nllBefore.toFixed(4)} -> ${fitted.nllAfter.toFixed(4)})`);
      if (fitted.atBound) progress.line('warning: validation cannot pin the temperature down (its NLL keeps falling towards T = 0.05 or 20: the model separates it perfectly, or it is too small); T = 1 kept');
    }
    const valOutputs = calibrated(rawValOutputs);
    let threshold: RunOutcome['threshold'] = { value: null };
    if (headOfUnits(units).positive !== null) {
      const setting = c.evaluate.threshold;
      if (typeof setting === 'number') {
        threshold = { value: setting };
      } else {
        const choice = chooseThreshold(valOutputs, dataset.val.y, { maximize: setting.maximize, min_class_recall: setting.min_class_recall, tolerance: setting.tolerance }, classes);
        threshold = { value: choice.threshold, choice };
        progress.line(`threshold ${choice.threshold.toFixed(4)}, chosen on validation (${setting.maximize} ${choice.objective.toFixed(4)})${choice.message ? `: ${choice.message}` : ''}`);
      }
    }
    const at = threshold.value !== null ? { threshold: threshold.value } : {};
    const rawTestOutputs = await predictSplit(engine, dataset.test, c.train.batch_size, views);
    const testOutputs = calibrated(rawTestOutputs);
    const evaluation = evaluate({ probabilities: outputProbabilities(testOutputs, units), labels: dataset.test.y, classes, ...at });
    const valEvaluation = evaluate({ probabilities: outputProbabilities(valOutputs, units), labels: dataset.val.y, classes, ...at });
    const kept = result.history.find((h) => h.epoch === result.keptEpoch);
    const metrics = {
      ...flatMetrics(evaluation),
      // 95% intervals: Wilson for proportions, a stratified bootstrap seeded by the run's seed for the rest.
      ...metricIntervals(evaluation, { probabilities: outputProbabilities(testOutputs, units), labels: dataset.test.y }, 'test_', { seed: c.train.seed, ...(c.evaluate.confidence ? { confidence: c.evaluate.confidence } : {}) }),
      // Validation at the kept epoch (the `val_*` histories end at the last one): what runs are chosen by, never test.
      ...flatMetrics(valEvaluation, 'best_val_'),
      ...(kept ? { best_val_loss: kept.val_loss } : {}),
    };
    const verdict = judgeTargets(c.targets, metrics, classes, 'test_', c.evaluate.confidence !== undefined);
    progress.line(`\ntest set (${dataset.test.count} images):\n${formatReport(evaluation, verdict)}`);
    return {
      dataset,
      model,
      engine: engineInfo,
      classWeights: weights,
      fit: result,
      threshold,
      calibration: fitted ? { ...fitted, uncalibratedTest: rawTestOutputs } : null,
      evaluation,
      metrics,
      verdict,
      weights: engine.getWeights(),
      valOutputs,
      testOutputs,
      // Training before a resume counts in both (the earlier processes' data loading is not known).
      seconds: { data: dataSeconds, train: result.trainSeconds, total: (performance.now() - started) / 1000 + (resume?.trainSeconds ?? 0) },
    };
  } finally {
    await engine.dispose();
  }
}
