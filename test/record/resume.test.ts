import { randomBytes } from 'node:crypto';
import { statSync, truncateSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadRuns } from '../../src/config/expand.js';
import { loadCheckpoint, saveCheckpoint } from '../../src/runner/checkpoint.js';
import { runIdentity } from '../../src/runner/identity.js';
import { RunRecorder } from '../../src/runner/record.js';
import { resumeRun } from '../../src/runner/resume.js';
import { runAll, runOne } from '../../src/runner/run-all.js';
import { runExperiment } from '../../src/runner/run-experiment.js';
import { FileStore } from '../../src/tracking/index.js';
import { captured, quiet, SAMPLE, TempDir } from './fixtures.js';

let dir: TempDir;
const fail = (message: string) => expect.fail(message);

beforeEach(() => (dir = new TempDir('exp-resume-')));
afterEach(() => dir.cleanup());

// Everything a resume must carry over: shuffling, augmentation, dropout, AdamW's moments, the position in the
// schedule and the plateau's scale of it, callbacks' counters, the best weights.
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
  optimizer: {name: adamw, lr: 0.003, weight_decay: 0.05}
  schedule: {name: cosine, warmup_epochs: 1, min_lr: 0.0001}
  clip_norm: 1
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

/** A file of a run's checkpoint of `epoch` in a file store. */
async function checkpointFile(store: FileStore, runId: string, epoch: number, name: string): Promise<string> {
  return path.join(fileURLToPath((await store.getRun(runId)).info.artifactUri), 'checkpoints', `epoch-${epoch}`, name);
}

describe('a damaged checkpoint', () => {
  // Interrupted after epoch 3: the checkpoints of epochs 2 and 3 are kept.
  const damages: [string, string, (file: string) => void][] = [
    ['truncated', 'checkpoint.bin', (f) => truncateSync(f, Math.floor(statSync(f).size / 2))],
    ['emptied', 'checkpoint.bin', (f) => truncateSync(f, 0)],
    ['overwritten with garbage', 'checkpoint.bin', (f) => writeFileSync(f, randomBytes(statSync(f).size))],
    ['with a garbage manifest', 'manifest.json', (f) => writeFileSync(f, '{"format": [')],
  ];
  it.each(damages)('%s is named and passed over for the epoch before', async (_kind, name, damage) => {
    const store = new FileStore(dir.path('runs'));
    const runId = await interrupted(store, dir.write('exp.yaml', YAML), 3);
    damage(await checkpointFile(store, runId, 3, name));
    const warnings: string[] = [];
    expect((await loadCheckpoint(store, runId, (m) => warnings.push(m)))?.epoch).toBe(2);
    expect(warnings).toEqual([expect.stringMatching(new RegExp(`^checkpoint of epoch 3 of run ${runId} is damaged, ignored: `))]);
  });

  it('makes the run start its epoch over from the last good one, each epoch still logged once', async () => {
    const store = new FileStore(dir.path('runs'));
    const file = dir.write('exp.yaml', YAML);
    const whole = await runOne(loadRuns(file).runs[0]!, store, quiet());
    const runId = await interrupted(store, file, 3);
    truncateSync(await checkpointFile(store, runId, 3, 'checkpoint.bin'), 10);
    const { progress, text } = captured();
    const [outcome] = await runAll([loadRuns(file)], store, progress, false);
    expect(text()).toContain(`checkpoint of epoch 3 of run ${runId} is damaged, ignored: checkpoint.bin has 10 bytes`);
    expect(text()).toContain(`run ${runId} in ${store.uri}: continuing after epoch 2`);
    expect(outcome).toMatchObject({ status: 'finished', runId, metrics: whole.metrics });
    for (const key of ['val_loss', 'epoch_seconds']) expect((await store.getMetricHistory(runId, key)).map((m) => m.step)).toEqual([1, 2, 3, 4, 5]);
  });

  it('in both kept epochs leaves nothing to resume: a clear refusal for exp resume, a new run for exp run; no crash', async () => {
    const store = new FileStore(dir.path('runs'));
    const file = dir.write('exp.yaml', YAML.replace('epochs: 5', 'epochs: 3'));
    const runId = await interrupted(store, file, 2);
    writeFileSync(await checkpointFile(store, runId, 1, 'checkpoint.bin'), '');
    writeFileSync(await checkpointFile(store, runId, 2, 'checkpoint.bin'), 'garbage');
    await expect(resumeRun(store, runId, quiet())).rejects.toThrow(`run ${runId} has no usable checkpoint in ${store.uri}`);
    const { progress, text } = captured();
    const [outcome] = await runAll([loadRuns(file)], store, progress, false);
    expect(text()).toContain(`run ${runId} has no whole checkpoint left: starting a new run`);
    expect(outcome).toMatchObject({ status: 'finished' });
    expect(outcome!.runId).not.toBe(runId);
  });
});

describe('what a resumed run records', () => {
  it('stamps each epoch with its end time, also the epochs logged on resume, and carries train_seconds over', async () => {
    const store = new FileStore(dir.path('runs'));
    const file = dir.write('exp.yaml', YAML);
    // Interrupted between epoch 2's checkpoint and its metrics: the resume logs them.
    const runId = await interrupted(store, file, 2);
    expect((await store.getMetricHistory(runId, 'val_loss')).map((m) => m.step)).toEqual([1]);
    // As if the first process had trained for 1000 s.
    const checkpoint = (await loadCheckpoint(store, runId, fail))!;
    await saveCheckpoint(store, runId, { ...checkpoint, trainSeconds: 1000 });
    await resumeRun(store, runId, quiet());

    const summary = JSON.parse(Buffer.from(await store.readArtifact(runId, 'metrics.json')).toString('utf8')) as { history: { epoch: number; endedAt: number }[] };
    expect(summary.history.map((h) => h.epoch)).toEqual([1, 2, 3, 4, 5]);
    for (const key of ['val_loss', 'lr', 'epoch_seconds']) {
      const points = await store.getMetricHistory(runId, key);
      expect(points.map((m) => [m.step, m.timestamp])).toEqual(summary.history.map((h) => [h.epoch, Math.round(h.endedAt)]));
    }
    const train = (await store.getMetricHistory(runId, 'train_seconds')).map((m) => m.value);
    expect(train).toHaveLength(1);
    expect(train[0]).toBeGreaterThan(1000);
  });
});
