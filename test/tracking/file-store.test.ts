/** The file store's bytes on disk: what MLflow's own reader needs, exactly. */
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TrackingError } from '../../src/tracking/errors.js';
import { experimentIdForName, FileStore } from '../../src/tracking/file-store.js';
import { writeFileAtomic } from '../../src/tracking/fs-atomic.js';
import type { LogBatch } from '../../src/tracking/store.js';

const T0 = 1_700_000_000_000;

/** Every file under `dir` with its content, for before/after comparisons. */
async function snapshot(dir: string): Promise<Record<string, string>> {
  const files: Record<string, string> = {};
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) {
      const path = join(entry.parentPath, entry.name);
      files[path.slice(dir.length + 1)] = await readFile(path, 'utf8');
    }
  }
  return files;
}

describe('FileStore layout', () => {
  let root: string;
  let store: FileStore;
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'exp-filestore-'));
    store = new FileStore(root);
  });
  afterEach(() => rm(root, { recursive: true, force: true }));

  async function aliceRun() {
    const experimentId = await store.getOrCreateExperiment('chest-xray');
    const info = await store.createRun(experimentId, { runName: 'cnn2', startTime: T0, tags: { 'mlflow.user': 'alice' } });
    return { experimentId, info, runDir: join(root, experimentId, info.runId) };
  }

  it('writes experiment meta.yaml byte-exact, with MLflow-style ids and the Default experiment', async () => {
    const id = await store.getOrCreateExperiment('chest-xray');
    expect(id).toMatch(/^[1-9]\d{17}$/);
    expect(id).toBe(experimentIdForName('chest-xray'));
    expect(await readFile(join(root, id, 'meta.yaml'), 'utf8')).toBe(
      `experiment_id: '${id}'\nname: chest-xray\nartifact_location: ${pathToFileURL(join(root, id)).href}\nlifecycle_stage: active\n`,
    );
    expect(await readFile(join(root, '0', 'meta.yaml'), 'utf8')).toBe(
      `experiment_id: '0'\nname: Default\nartifact_location: ${pathToFileURL(join(root, '0')).href}\nlifecycle_stage: active\n`,
    );
    expect(await store.getOrCreateExperiment('Default')).toBe('0');
  });

  it('quotes names YAML 1.1 would misread', async () => {
    const id = await store.getOrCreateExperiment('yes');
    expect(await readFile(join(root, id, 'meta.yaml'), 'utf8')).toContain("name: 'yes'\n");
    expect((await store.getExperimentByName('yes'))?.experimentId).toBe(id);
  });

  it('writes run meta.yaml byte-exact while running and after the end', async () => {
    const { experimentId, info, runDir } = await aliceRun();
    expect(info.runId).toMatch(/^[0-9a-f]{32}$/);
    const expected = (endTime: string, status: number) =>
      [
        `artifact_uri: ${pathToFileURL(join(runDir, 'artifacts')).href}`,
        `end_time: ${endTime}`,
        "entry_point_name: ''",
        `experiment_id: '${experimentId}'`,
        'lifecycle_stage: active',
        `run_id: ${info.runId}`,
        'run_name: cnn2',
        `run_uuid: ${info.runId}`,
        "source_name: ''",
        'source_type: 4',
        "source_version: ''",
        `start_time: ${T0}`,
        `status: ${status}`,
        'tags: []',
        'user_id: alice',
        '',
      ].join('\n');
    expect(await readFile(join(runDir, 'meta.yaml'), 'utf8')).toBe(expected('null', 1));
    await store.updateRun(info.runId, 'FINISHED', 1_700_000_123_456);
    expect(await readFile(join(runDir, 'meta.yaml'), 'utf8')).toBe(expected('1700000123456', 3));
    await store.updateRun(info.runId, 'KILLED', 1_700_000_200_000);
    expect(await readFile(join(runDir, 'meta.yaml'), 'utf8')).toBe(expected('1700000200000', 5));
  });

  it('writes params without a trailing newline, tags as files and metric lines as MLflow does', async () => {
    const { info, runDir } = await aliceRun();
    await store.logBatch(info.runId, {
      params: { lr: '0.001', 'opt/name': 'adam' },
      tags: { stage: 'train' },
      metrics: [
        { key: 'loss', value: 0.5, timestamp: T0, step: 0 },
        { key: 'loss', value: NaN, timestamp: T0 + 1, step: 1 },
        { key: 'val/loss', value: Infinity, timestamp: T0 + 2, step: 0 },
        { key: 'val/loss', value: -Infinity, timestamp: T0 + 3, step: 1 },
        { key: 'acc', value: 1e-7, timestamp: T0, step: 2 },
      ],
    });
    await store.logBatch(info.runId, { metrics: [{ key: 'loss', value: 2, timestamp: T0 + 5, step: 2 }] });
    expect(await readFile(join(runDir, 'params', 'lr'), 'utf8')).toBe('0.001');
    expect(await readFile(join(runDir, 'params', 'opt', 'name'), 'utf8')).toBe('adam');
    expect(await readFile(join(runDir, 'tags', 'stage'), 'utf8')).toBe('train');
    expect(await readFile(join(runDir, 'tags', 'mlflow.runName'), 'utf8')).toBe('cnn2');
    expect(await readFile(join(runDir, 'metrics', 'loss'), 'utf8')).toBe(`${T0} 0.5 0\n${T0 + 1} nan 1\n${T0 + 5} 2 2\n`);
    expect(await readFile(join(runDir, 'metrics', 'val', 'loss'), 'utf8')).toBe(`${T0 + 2} inf 0\n${T0 + 3} -inf 1\n`);
    expect(await readFile(join(runDir, 'metrics', 'acc'), 'utf8')).toBe(`${T0} 1e-7 2\n`);
    expect((await readdir(runDir)).sort()).toEqual(['artifacts', 'meta.yaml', 'metrics', 'params', 'tags']);
  });

  it('refuses bad keys, non-integer timestamps and folder clashes without writing anything', async () => {
    const { info } = await aliceRun();
    await store.logBatch(info.runId, { params: { a: '1' }, metrics: [{ key: 'm', value: 1, timestamp: T0, step: 0 }] });
    const before = await snapshot(root);
    const attempts: LogBatch[] = [
      { metrics: [{ key: 'ok', value: 1, timestamp: T0, step: 0 }, { key: 'a:b', value: 1, timestamp: T0, step: 0 }] },
      { params: { ok: '1', '../x': '1' } },
      { tags: { ok: '1', '/abs': '1' } },
      { metrics: [{ key: 'ok', value: 1, timestamp: T0 + 0.5, step: 0 }] },
      { metrics: [{ key: 'ok', value: 1, timestamp: T0, step: 1.5 }] },
      { params: { ok: '1', 'a/b': '2' } }, // a is already a param file
      { metrics: [{ key: 'ok', value: 1, timestamp: T0, step: 0 }, { key: 'm/x', value: 1, timestamp: T0, step: 0 }] },
      { params: { ok: '1', a: '2' } }, // changed value
    ];
    for (const batch of attempts) {
      await expect(store.logBatch(info.runId, batch)).rejects.toBeInstanceOf(TrackingError);
    }
    expect(await snapshot(root)).toEqual(before);
    // The store still works after all that.
    await store.logBatch(info.runId, { params: { ok: 'yes' } });
    expect((await store.getRun(info.runId)).data.params).toEqual({ a: '1', ok: 'yes' });
  });

  it('leaves no temp files behind', async () => {
    const { info } = await aliceRun();
    for (let step = 0; step < 5; step++) {
      await store.logBatch(info.runId, { metrics: [{ key: 'loss', value: step, timestamp: T0, step }], tags: { step: String(step) } });
    }
    await store.logArtifact(info.runId, 'model/model.json', '{}');
    await store.updateRun(info.runId, 'FINISHED');
    const names = Object.keys(await snapshot(root));
    expect(names.filter((n) => n.includes('.tmp-'))).toEqual([]);
    expect(names).toHaveLength(8); // 2 experiment + 1 run meta.yaml, 3 tags, 1 metric, 1 artifact
  });

  it('cleans up its temp file when the final rename fails', async () => {
    const target = join(root, 'dir-in-the-way');
    await mkdir(join(target, 'child'), { recursive: true });
    await expect(writeFileAtomic(target, 'x')).rejects.toThrow();
    expect(await readdir(root)).toEqual(['dir-in-the-way']);
  });
});

describe('FileStore reader', () => {
  let root: string;
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'exp-reader-'));
  });
  afterEach(() => rm(root, { recursive: true, force: true }));

  /** A store as MLflow 2.x itself writes it (keys sorted, random id, extra fields). */
  async function mlflowWrittenStore(): Promise<void> {
    const exp = join(root, '606783375233873416');
    const run = join(exp, '1c6b2d5b909041df93e6e00b960de019');
    await mkdir(join(run, 'metrics', 'val'), { recursive: true });
    await mkdir(join(run, 'params'), { recursive: true });
    await mkdir(join(run, 'tags'), { recursive: true });
    await mkdir(join(exp, 'not-a-run'), { recursive: true });
    await mkdir(join(root, 'not-an-experiment'), { recursive: true });
    await mkdir(join(root, '.trash', '123'), { recursive: true });
    await writeFile(
      join(exp, 'meta.yaml'),
      `artifact_location: file:///x/606783375233873416\ncreation_time: 1721450907000\nexperiment_id: '606783375233873416'\nlast_update_time: 1721450907000\nlifecycle_stage: active\nname: legacy\n`,
    );
    await writeFile(
      join(run, 'meta.yaml'),
      `artifact_uri: file:///x/artifacts\nend_time: 1721450907230\nentry_point_name: ''\nexperiment_id: '606783375233873416'\nlifecycle_stage: active\nrun_id: 1c6b2d5b909041df93e6e00b960de019\nrun_name: wistful-ant-659\nrun_uuid: 1c6b2d5b909041df93e6e00b960de019\nsource_name: ''\nsource_type: 4\nsource_version: ''\nstart_time: 1721450907221\nstatus: 4\ntags: []\nuser_id: ashish\n`,
    );
    await mkdir(join(root, '7'));
    await writeFile(join(root, '7', 'meta.yaml'), 'experiment_id: 7\nname: legacy-int-id\nartifact_location: file:///x/7\nlifecycle_stage: active\n');
    await writeFile(join(run, 'metrics', 'val', 'acc'), '1721450907221 0.25 0\n1721450907225 0.75 1\n1721450907223 0.5 1\n');
    await writeFile(join(run, 'metrics', 'loss'), '1721450907221 nan 0\n');
    await writeFile(join(run, 'params', 'lr'), '0.01');
    await writeFile(join(run, 'tags', 'mlflow.runName'), 'wistful-ant-659');
  }

  it('reads runs MLflow wrote and skips folders without meta.yaml', async () => {
    await mlflowWrittenStore();
    const store = new FileStore(pathToFileURL(root).href);
    expect((await store.listExperiments()).map((e) => [e.experimentId, e.name])).toEqual([
      ['606783375233873416', 'legacy'],
      ['7', 'legacy-int-id'],
    ]);
    const runs = await store.searchRuns(['606783375233873416']);
    expect(runs).toHaveLength(1);
    const [run] = runs;
    expect(run!.info).toEqual({
      runId: '1c6b2d5b909041df93e6e00b960de019',
      experimentId: '606783375233873416',
      runName: 'wistful-ant-659',
      userId: 'ashish',
      status: 'FAILED',
      startTime: 1721450907221,
      endTime: 1721450907230,
      artifactUri: 'file:///x/artifacts',
      lifecycleStage: 'active',
    });
    // Latest = highest step, then newest timestamp.
    expect(run!.data.metrics['val/acc']).toBe(0.75);
    expect(run!.data.metrics['loss']).toBeNaN();
    expect(run!.data.params).toEqual({ lr: '0.01' });
    expect(await store.getOrCreateExperiment('legacy')).toBe('606783375233873416');
  });

  it('names the broken file when a metric file is malformed', async () => {
    await mlflowWrittenStore();
    const broken = join(root, '606783375233873416', '1c6b2d5b909041df93e6e00b960de019', 'metrics', 'loss');
    const store = new FileStore(root);
    for (const content of ['', '1 2 3\n\n', '1  2 3\n', '1.5 2 3\n', '1 2 3 4\n']) {
      await writeFile(broken, content);
      const err = await store.getRun('1c6b2d5b909041df93e6e00b960de019').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(TrackingError);
      expect((err as TrackingError).message).toContain(broken);
    }
  });
});
