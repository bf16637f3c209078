import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadRuns } from '../../src/config/expand.js';
import { loadCheckpoint } from '../../src/runner/checkpoint.js';
import { runIdentity } from '../../src/runner/identity.js';
import { RunRecorder } from '../../src/runner/record.js';
import { resumeRun } from '../../src/runner/resume.js';
import { runAll, runOne } from '../../src/runner/run-all.js';
import { runExperiment } from '../../src/runner/run-experiment.js';
import { FileStore } from '../../src/tracking/index.js';
import { quiet, SAMPLE, TempDir } from './fixtures.js';

let dir: TempDir;
const fail = (message: string) => expect.fail(message);
beforeEach(() => (dir = new TempDir('exp-resume-')));
afterEach(() => dir.cleanup());

// Everything a resume must carry over: shuffling, augmentation, dropout, Adam, callbacks' counters, the best weights.
const yamlFor = (engine: 'onnx' | 'tfjs') => `experiment: resume
name: r
data:
  dir: ${JSON.stringify(SAMPLE)}
  image: {size: 16, channels: 1}
  validation: {from: train, fraction: 0.2}
  cache: false
model:
  layers:
    - conv2d: {filters: 4, kernel: 3, activation: relu}
    - maxpool: {size: 2}
    - flatten
    - dropout: {rate: 0.3}
augment:
  - flip: {p: 0.5}
  - rotate: {degrees: 5}
class_weight: balanced
train:
  epochs: 5
  batch_size: 16
  seed: 3
  optimizer: {name: adam, lr: 0.003}
  engine: ${engine}
  callbacks:
    - early_stopping: {monitor: val_loss, patience: 4, restore_best: true}
    - reduce_lr_on_plateau: {monitor: val_loss, patience: 1, factor: 0.5}
`;
const YAML = yamlFor('onnx');

/** Starts the run and stops it after `epoch` epochs, as a crash or Ctrl-C would. */
async function interrupted(store: FileStore, file: string, epoch: number): Promise<string> {
  const exp = loadRuns(file).runs[0]!;
  // As `exp run` starts it: with its identity, so running the experiment again finds it.
  const recorder = await RunRecorder.start(store, exp, { identity: await runIdentity(exp) });
  const hooks = {
    epoch: (l: Parameters<RunRecorder['epoch']>[0]) => recorder.epoch(l),
    checkpoint: async (c: Parameters<RunRecorder['checkpoint']>[0]) => {
      await recorder.checkpoint(c);
      if (c.epoch === epoch) throw new Error('interrupted');
    },
  };
  await expect(runExperiment(exp, quiet(), hooks)).rejects.toThrow('interrupted');
  await recorder.end('KILLED');
  return recorder.runId;
}

describe('resume', () => {
  // tfjs runs on WebAssembly here (or tfjs-node where installed).
  it.each(['onnx', 'tfjs'] as const)('continues an interrupted run to the same final metrics as an uninterrupted one (%s engine)', async (engine) => {
    const store = new FileStore(dir.path('runs'));
    const file = dir.write('exp.yaml', yamlFor(engine));
    const whole = await runOne(loadRuns(file).runs[0]!, store, quiet());

    const runId = await interrupted(store, file, 2);
    expect((await loadCheckpoint(store, runId, fail))?.epoch).toBe(2);
    const resumed = await resumeRun(store, runId, quiet());
    expect(resumed.runId).toBe(runId);
    expect(resumed.metrics).toEqual(whole.metrics);

    const run = await store.getRun(runId);
    expect(run.info.status).toBe('FINISHED');
    // Epochs 1-2 from the first process, 3-5 from the resumed one, each once.
    expect((await store.getMetricHistory(runId, 'val_loss')).map((m) => m.step)).toEqual([1, 2, 3, 4, 5]);
    // A finished run keeps no checkpoints.
    expect(await store.listArtifacts(runId, 'checkpoints')).toEqual([]);
  });

  it('running the same experiment again continues the interrupted run instead of starting over', async () => {
    const store = new FileStore(dir.path('runs'));
    const file = dir.write('exp.yaml', YAML);
    const runId = await interrupted(store, file, 3);
    const [outcome] = await runAll([loadRuns(file)], store, quiet(), false);
    expect(outcome).toMatchObject({ status: 'finished', runId });
    expect((await store.getMetricHistory(runId, 'train_loss')).map((m) => m.step)).toEqual([1, 2, 3, 4, 5]);
  });

  it('refuses a finished run and a run without a checkpoint, clearly', async () => {
    const store = new FileStore(dir.path('runs'));
    const file = dir.write('exp.yaml', YAML.replace('epochs: 5', 'epochs: 1'));
    const { runId } = await runOne(loadRuns(file).runs[0]!, store, quiet());
    await expect(resumeRun(store, runId, quiet())).rejects.toThrow(`run ${runId} already finished; nothing to resume`);
    const exp = loadRuns(file).runs[0]!;
    const recorder = await RunRecorder.start(store, exp);
    await recorder.end('KILLED');
    await expect(resumeRun(store, recorder.runId, quiet())).rejects.toThrow(/has no usable checkpoint in/);
  });
});
