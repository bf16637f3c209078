/** The pieces a run record is made of: params flattening, config hash, model signature, provenance tags. */
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveModel } from '../../src/model/resolve.js';
import { canonicalJson, flattenParams } from '../../src/runner/flatten.js';
import { EXP_VERSION, provenanceTags } from '../../src/runner/provenance.js';
import { configHash } from '../../src/runner/identity.js';
import { modelSignature } from '../../src/model/signature.js';
import { TempDir, tinyExperiment } from './fixtures.js';

describe('flattenParams', () => {
  it('dots nested keys, writes scalars as strings, lists of scalars as JSON and lists of mappings by index', () => {
    expect(
      flattenParams({
        name: 'cnn',
        train: { epochs: 3, lr: 1e-3, nested: { deep: true } },
        filters: [16, 32],
        layers: [{ conv2d: { filters: 4 } }, { flatten: {} }],
        augment: [],
        targets: {},
        none: null,
      }),
    ).toEqual({
      name: 'cnn',
      'train.epochs': '3',
      'train.lr': '0.001',
      'train.nested.deep': 'true',
      filters: '[16,32]',
      'layers.0.conv2d.filters': '4',
      'layers.1.flatten': '{}',
      augment: '[]',
      targets: '{}',
      none: 'null',
    });
    expect(flattenParams({ a: 1 }, 'p')).toEqual({ 'p.a': '1' });
  });

  it('gives every key of a real experiment a value MLflow accepts', () => {
    const dir = new TempDir();
    try {
      const exp = tinyExperiment(dir, { extra: "targets:\n  accuracy: '>= 0.8'\n  recall_PNEUMONIA: 0.9\naugment:\n  - flip: {horizontal: true}\n" });
      const params = flattenParams(exp.config);
      for (const [key, value] of Object.entries(params)) {
        expect(key).toMatch(/^[/\w.\- ]{1,250}$/);
        expect(typeof value).toBe('string');
      }
      expect(params['targets.recall_PNEUMONIA']).toBe('0.9');
      expect(params['augment.0.flip.horizontal']).toBe('true');
    } finally {
      dir.cleanup();
    }
  });
});

describe('configHash', () => {
  it('is the same for the same config whatever the key order, and differs when a value does', () => {
    const dir = new TempDir();
    try {
      const a = tinyExperiment(dir);
      const reverse = (v: unknown): unknown =>
        Array.isArray(v) ? v.map(reverse) : typeof v === 'object' && v !== null ? Object.fromEntries(Object.entries(v).reverse().map(([k, x]) => [k, reverse(x)])) : v;
      const reordered = { ...a, config: reverse(a.config) as typeof a.config };
      expect(Object.keys(reordered.config)[0]).not.toBe(Object.keys(a.config)[0]);
      expect(canonicalJson({ b: 1, a: { d: 2, c: 3 } })).toBe('{"a":{"c":3,"d":2},"b":1}');
      expect(configHash(a)).toMatch(/^[0-9a-f]{16}$/);
      expect(configHash(reordered)).toBe(configHash(a));
      expect(configHash(tinyExperiment(dir, {}, ['train.epochs=2']))).not.toBe(configHash(a));
    } finally {
      dir.cleanup();
    }
  });
});

describe('modelSignature', () => {
  it('describes input size (height, width), channels, classes, threshold and normalisation', () => {
    const dir = new TempDir();
    try {
      const exp = tinyExperiment(dir, {}, ['data.image.size=[24, 16]']);
      const model = resolveModel(exp, 2);
      expect(modelSignature(model, exp.config, ['NORMAL', 'PNEUMONIA'], 0.42)).toEqual({
        format: 'exp-model-signature/1',
        input: { shape: [24, 16, 1], layout: 'NHWC', dtype: 'float32', channels: 1, resize: 'fill', scale: '[0, 1]' },
        output: { activation: 'sigmoid', units: 1 },
        classes: ['NORMAL', 'PNEUMONIA'],
        positive: 'PNEUMONIA',
        threshold: 0.42,
        tta: [],
      });
      const rgb = tinyExperiment(dir, {}, ['data.image.channels=3']);
      const three = modelSignature(resolveModel(rgb, 3), rgb.config, ['a', 'b', 'c'], null);
      expect(three.input.shape).toEqual([16, 16, 3]);
      expect(three.input.channels).toBe(3);
      expect(three.output).toEqual({ activation: 'softmax', units: 3 });
      expect(three.positive).toBeNull();
      expect(three.threshold).toBeNull();
    } finally {
      dir.cleanup();
    }
  });
});

describe('provenanceTags', () => {
  let dir: TempDir;
  const git = (...args: string[]) => execFileSync('git', args, { cwd: dir.root, encoding: 'utf8', env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@t', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@t' } }).trim();
  beforeAll(() => {
    dir = new TempDir('exp-prov-');
  });
  afterAll(() => dir.cleanup());

  it('outside git: the absolute path as source name, user, versions, and no commit', () => {
    const file = path.join(os.tmpdir(), 'not-in-git', 'e.yaml');
    const tags = provenanceTags(file);
    expect(tags['mlflow.source.type']).toBe('LOCAL');
    // Not `../../tmp/...` relative to wherever exp was started.
    expect(tags['mlflow.source.name']).toBe(file);
    expect(tags['mlflow.user']).toBe(os.userInfo().username);
    expect(tags['exp.version']).toBe(EXP_VERSION);
    expect(tags['exp.node']).toBe(process.version);
    expect(tags['exp.tfjs']).toBe(tf.version.tfjs);
    expect(tags['mlflow.source.git.commit']).toBeUndefined();
    expect(tags['exp.git.dirty']).toBeUndefined();
  });

  it('inside git: the commit, the path from the repository root, and whether the tree is dirty', () => {
    git('init', '-q');
    const file = dir.write('e.yaml', 'x: 1\n');
    git('add', 'e.yaml');
    git('commit', '-qm', 'one');
    const commit = git('rev-parse', 'HEAD');
    const clean = provenanceTags(file);
    expect(clean['mlflow.source.git.commit']).toBe(commit);
    expect(clean['mlflow.source.name']).toBe('e.yaml');
    expect(clean['exp.git.dirty']).toBe('false');
    writeFileSync(file, 'x: 2\n');
    expect(provenanceTags(file)['exp.git.dirty']).toBe('true');
  });

  it("in another repository, named through a symlink: the path inside that repository and its commit, not the working folder's", () => {
    mkdirSync(dir.path('nested', 'deeper'), { recursive: true });
    dir.write('nested/deeper/n.yaml', 'x: 1\n');
    git('add', '-A');
    git('commit', '-qm', 'two');
    const link = path.join(os.tmpdir(), `exp-prov-link-${process.pid}`);
    symlinkSync(dir.path('nested'), link);
    try {
      const tags = provenanceTags(path.join(link, 'deeper', 'n.yaml'));
      expect(tags['mlflow.source.name']).toBe('nested/deeper/n.yaml');
      expect(tags['mlflow.source.git.commit']).toBe(git('rev-parse', 'HEAD'));
      expect(tags['mlflow.source.git.commit']).not.toBe(execFileSync('git', ['rev-parse', 'HEAD'], { encoding: 'utf8' }).trim());
    } finally {
      rmSync(link);
    }
  });
});

describe('RunRecorder start and end', () => {
  it('creates the run RUNNING with params and config.yaml, and closes it FAILED with the error or KILLED', async () => {
    const { FileStore } = await import('../../src/tracking/index.js');
    const { RunRecorder } = await import('../../src/runner/record.js');
    const { readFileSync } = await import('node:fs');
    const { parse } = await import('yaml');
    const dir = new TempDir();
    try {
      const exp = tinyExperiment(dir);
      const store = new FileStore(dir.path('runs'));
      const failed = await RunRecorder.start(store, exp);
      const meta = (id: string) => parse(readFileSync(path.join(store.root, failed.experimentId, id, 'meta.yaml'), 'utf8')) as { status: number; end_time: number | null };
      expect(meta(failed.runId)).toMatchObject({ status: 1, end_time: null });
      expect((await store.getRun(failed.runId)).data.params['train.epochs']).toBe('1');
      expect(Buffer.from(await store.readArtifact(failed.runId, 'config.yaml')).toString()).toContain('experiment: rec');
      await failed.end('FAILED', new Error('data/train/x.png: not an image'));
      const run = await store.getRun(failed.runId);
      expect(run.info.status).toBe('FAILED');
      expect(run.data.tags['exp.error']).toBe('data/train/x.png: not an image');
      expect(meta(failed.runId).status).toBe(4);
      expect(meta(failed.runId).end_time).toBeGreaterThanOrEqual(run.info.startTime);

      const killed = await RunRecorder.start(store, exp);
      await killed.end('KILLED');
      expect(meta(killed.runId).status).toBe(5);
      expect(Number.isInteger(meta(killed.runId).end_time)).toBe(true);
      expect((await store.getRun(killed.runId)).data.tags['exp.error']).toBeUndefined();
    } finally {
      dir.cleanup();
    }
  });
});

describe('predictionsCsv', () => {
  it('with more than two classes: a probability column per class, the most probable class predicted, odd names quoted', async () => {
    const { predictionsCsv } = await import('../../src/runner/predictions-csv.js');
    const csv = predictionsCsv({
      dataDir: '/d',
      classes: ['a', 'b,c', 'd'],
      threshold: null,
      splits: [
        { name: 'validation', split: { files: ['/d/val/a/x.png'], y: Int32Array.from([0]), count: 1 }, outputs: Float32Array.from([0.5, 0.25, 0.25]) },
        { name: 'test', split: { files: ['/d/test/d/y "1".png'], y: Int32Array.from([2]), count: 1 }, outputs: Float32Array.from([0.125, 0.5, 0.375]) },
      ],
    });
    expect(csv).toBe(['file,split,true_class,predicted_class,p_a,"p_b,c",p_d', 'val/a/x.png,validation,a,a,0.5,0.25,0.25', '"test/d/y ""1"".png",test,d,"b,c",0.125,0.5,0.375', ''].join('\n'));
  });
});
