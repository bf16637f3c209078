import type { Split } from '../data/dataset.js';
import type { Rng } from '../data/rng.js';
import type { EngineState, TrainingEngine } from '../engine/engine.js';
import { outputUnits } from '../engine/engine.js';
import { isBatchAugment, type Augment, type BatchAugment } from '../registry/augmentations/index.js';
import type { Callback, EpochLogs, TrainingControl } from '../registry/callbacks/index.js';
import type { Schedule } from '../registry/schedules/index.js';
import type { View } from '../registry/tta/index.js';
import { predictViews } from './tta.js';
import { epochBatches } from './batches.js';
import { DivergedError } from './errors.js';
import { encodeLabels } from '../model/head.js';
import { accuracy, meanCrossEntropy, predictedLabels } from './targets.js';

export interface FitOptions {
  epochs: number;
  batchSize: number;
  shape: [number, number, number];
  /** Weight of each class, applied per sample to the training loss. */
  classWeights: number[];
  /** Image augmentations run per image in list order; batch ones (mixup, cutmix) after them, on the whole batch. */
  augments: (Augment | BatchAugment)[];
  callbacks: Callback[];
  /** The learning rate of each step (train.schedule); default: the engine's rate at the start, throughout. */
  schedule?: Schedule;
  /** Drives shuffling and augmentation. */
  random: Rng;
  /** Nodes (indices into the spec's nodes) kept fixed, up to and including epoch `unfreezeAfter` (throughout without it). */
  freeze?: { nodes: ReadonlySet<number>; unfreezeAfter?: number };
  /** Continue from this checkpoint instead of from epoch 1. */
  resume?: Checkpoint;
  /** Called after every epoch with everything needed to continue from there. */
  onCheckpoint?: (checkpoint: Checkpoint) => Promise<void>;
  /** Asked after every epoch whether to go on (a sweep's scheduler): a reason stops training there, as a callback's stop does. */
  review?: (logs: EpochRecord) => Promise<string | undefined>;
  onBatch?: (epoch: number, done: number, total: number, loss: number) => void;
  onEpoch?: (logs: EpochRecord) => void;
  log?: (message: string) => void;
}

/** One epoch's logs, its duration and when it ended (ms since the Unix epoch: the time its metrics are stamped with). */
export type EpochRecord = EpochLogs & { seconds: number; imagesPerSecond: number; endedAt: number };

/** The state of a fit after an epoch: resuming from it continues exactly as if never stopped. */
export interface Checkpoint {
  epoch: number;
  history: EpochRecord[];
  weights: Float32Array[];
  engine: EngineState;
  random: number;
  callbacks: number[][];
  /** What callbacks multiplied the schedule by (reduce-on-plateau); absent in checkpoints before schedules. */
  lrScale?: number;
  best?: { epoch: number; weights: Float32Array[] };
  stopped?: string;
  /** Seconds spent training up to this checkpoint, across every process that trained the run. */
  trainSeconds: number;
}

export interface FitResult {
  history: EpochRecord[];
  /** The epoch whose weights the model ends with. */
  keptEpoch: number;
  stoppedEarly: string | undefined;
  /** Seconds spent training, the part before a resume included. */
  trainSeconds: number;
}

/** Outputs of the model for a whole split, in batches; with TTA views, averaged over the images and their views. */
export async function predictSplit(engine: TrainingEngine, split: Split, batchSize: number, views: readonly View[] = []): Promise<Float32Array> {
  const units = outputUnits(engine.spec);
  const size = split.x.length / Math.max(1, split.count);
  const out = new Float32Array(split.count * units);
  for (let start = 0; start < split.count; start += batchSize) {
    const n = Math.min(batchSize, split.count - start);
    out.set(await predictViews((x, m) => engine.predict(x, m), split.x.subarray(start * size, (start + n) * size), n, engine.spec.inputShape, views), start * units);
  }
  return out;
}

/** The training loop shared by every engine: batches, class weights, validation, callbacks. */
export async function fit(engine: TrainingEngine, train: Split, val: Split, options: FitOptions): Promise<FitResult> {
  const units = outputUnits(engine.spec);
  const { resume } = options;
  const fitStarted = performance.now();
  const trainSeconds = () => (resume?.trainSeconds ?? 0) + (performance.now() - fitStarted) / 1000;
  const history: FitResult['history'] = resume ? [...resume.history] : [];
  let stopReason: string | undefined = resume?.stopped;
  let best: { epoch: number; weights: Float32Array[] } | undefined = resume?.best;
  let lastEpoch = resume?.epoch ?? 0;
  const startLr = engine.learningRate;
  const schedule = options.schedule ?? (() => startLr);
  const batchesPerEpoch = Math.ceil(train.count / options.batchSize);
  const imageAugments = options.augments.filter((a): a is Augment => !isBatchAugment(a));
  const batchAugments = options.augments.filter(isBatchAugment);
  const [height, width, channels] = options.shape;
  // A checkpoint from before schedules kept the plateau-reduced rate itself.
  let lrScale = resume ? (resume.lrScale ?? resume.engine.lr / schedule(resume.epoch * batchesPerEpoch - 1)) : 1;
  // Freezing changes the set of trained weights and starts the optimizer afresh: done only when it changes.
  const NONE: ReadonlySet<number> = new Set();
  let frozen = NONE;
  const freezeFor = (epoch: number): void => {
    const f = options.freeze;
    const want = f && f.nodes.size > 0 && (f.unfreezeAfter === undefined || epoch <= f.unfreezeAfter) ? f.nodes : NONE;
    if (want === frozen) return;
    engine.freeze(want);
    if (want.size > 0) options.log?.(`frozen: ${want.size} of ${engine.spec.nodes.length} nodes${f?.unfreezeAfter !== undefined ? `, until epoch ${f.unfreezeAfter}` : ''}`);
    else if (frozen.size > 0) options.log?.(`epoch ${epoch}: every node trains from here (the optimizer starts afresh)`);
    frozen = want;
  };
  if (resume) {
    engine.setWeights(resume.weights);
    // The optimizer state kept is that of the weights trained at the checkpoint's epoch.
    freezeFor(resume.epoch);
    await engine.loadState(resume.engine);
    options.random.state = resume.random;
    options.callbacks.forEach((cb, i) => cb.restore(resume.callbacks[i] ?? []));
  }
  let restoredEpoch: number | undefined;
  const log = options.log ?? (() => {});
  const control: TrainingControl = {
    stop: (reason) => void (stopReason ??= reason),
    keepBest: (epoch) => void (best = { epoch, weights: engine.getWeights() }),
    restoreBest: () => {
      if (!best) return undefined;
      engine.setWeights(best.weights);
      return (restoredEpoch = best.epoch);
    },
    get learningRate() {
      return engine.learningRate;
    },
    scaleLearningRate(factor) {
      lrScale *= factor;
      engine.learningRate *= factor;
    },
    log,
  };

  for (let epoch = lastEpoch + 1; epoch <= options.epochs && !stopReason; epoch++) {
    freezeFor(epoch);
    const started = performance.now();
    let lossSum = 0;
    let correct = 0;
    let done = 0;
    for (const batch of epochBatches(train.x, train.count, options.shape, options.batchSize, options.random, imageAugments)) {
      engine.learningRate = schedule((epoch - 1) * batchesPerEpoch + done) * lrScale;
      const labels = batch.indices.map((i) => train.y[i]!);
      const weights = Float32Array.from(labels, (l) => options.classWeights[l]!);
      const targets = encodeLabels(labels, units);
      for (const mix of batchAugments) mix.mixBatch({ x: batch.x, targets, weights, n: labels.length, units, image: { height, width, channels } }, options.random);
      const { loss, outputs } = await engine.trainStep(batch.x, targets, weights);
      // Once the loss is NaN or infinite every later step is too: stop rather than train on and rank "best NaN".
      if (!Number.isFinite(loss)) {
        throw new DivergedError(
          `training diverged: the loss became ${loss} at epoch ${epoch}, batch ${done + 1} (learning rate ${engine.learningRate}, class weights ${options.classWeights.map((w) => Number(w.toPrecision(4))).join(', ')}); lower train.optimizer.lr or the class weights`,
        );
      }
      lossSum += loss * labels.length;
      correct += accuracy(predictedLabels(outputs, units), labels) * labels.length;
      // Counted outside the optional call: `?.` would skip the increment when there is no onBatch.
      done++;
      options.onBatch?.(epoch, done, batchesPerEpoch, lossSum / Math.min(train.count, done * options.batchSize));
    }
    const seconds = (performance.now() - started) / 1000;
    const valOutputs = await predictSplit(engine, val, options.batchSize);
    const logs = {
      epoch,
      lr: engine.learningRate,
      train_loss: lossSum / train.count,
      train_accuracy: correct / train.count,
      val_loss: meanCrossEntropy(valOutputs, val.y, units),
      val_accuracy: accuracy(predictedLabels(valOutputs, units), val.y),
      seconds,
      imagesPerSecond: train.count / seconds,
      endedAt: Date.now(),
    };
    history.push(logs);
    options.onEpoch?.(logs);
    for (const cb of options.callbacks) cb.onEpochEnd(logs, control);
    const pruned = await options.review?.(logs);
    if (pruned) control.stop(pruned);
    lastEpoch = epoch;
    if (options.onCheckpoint) {
      await options.onCheckpoint({
        epoch,
        history,
        weights: engine.getWeights(),
        engine: await engine.saveState(),
        random: options.random.state,
        callbacks: options.callbacks.map((cb) => cb.state()),
        lrScale,
        ...(best ? { best } : {}),
        ...(stopReason ? { stopped: stopReason } : {}),
        trainSeconds: trainSeconds(),
      });
    }
  }
  if (stopReason) log(`stopped early: ${stopReason}`);
  for (const cb of options.callbacks) cb.onTrainEnd?.(control);
  return { history, keptEpoch: restoredEpoch ?? lastEpoch, stoppedEarly: stopReason, trainSeconds: trainSeconds() };
}
