/**
 * Checkpoints kept with the run: a run killed with SIGKILL in one folder is resumed from another
 * folder through the same tracking URI (file store and MLflow server), to the same metrics as an
 * uninterrupted run, with every epoch's points logged exactly once and the final metrics once.
 */
import { mkdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileStore, openStore, type Run, type TrackingStore } from '../../src/tracking/index.js';
import { MlflowTestServer } from '../helpers/mlflow-server.js';
import { TempDir, tinyYaml } from '../record/fixtures.js';
import { ensureBuilt, exp, startExp, waitFor, type ExpResult } from './spawn-exp.js';

const EPOCHS = 6;
const EPOCH_KEYS = ['train_loss', 'val_loss', 'train_accuracy', 'val_accuracy', 'lr', 'epoch_seconds'];
const FINAL_KEYS = ['test_accuracy', 'test_auc', 'kept_epoch', 'train_seconds', 'total_seconds', 'threshold'];

let dir: TempDir;
let file: string;
/** Slower epochs (32 px), so a kill from outside lands mid-run. */
let slowFile: string;
let folderA: string;
let folderB: string;
beforeAll(() => {
  ensureBuilt();
  dir = new TempDir('exp-resume-anywhere-');
  file = dir.write('exp.yaml', tinyYaml({ experiment: 'anywhere', name: 'killed', epochs: EPOCHS }));
  slowFile = dir.write('slow.yaml', tinyYaml({ experiment: 'anywhere', name: 'killed', epochs: EPOCHS, size: 32 }));
  folderA = dir.path('A');
  folderB = dir.path('B');
  mkdirSync(folderA);
  mkdirSync(folderB);
});
afterAll(() => dir.cleanup());

const testMetrics = (run: Run) => Object.fromEntries(Object.entries(run.data.metrics).filter(([k]) => k.startsWith('test_')));

async function theRuns(store: TrackingStore): Promise<Run[]> {
  const e = await store.getExperimentByName('anywhere');
  return e ? store.searchRuns([e.experimentId]) : [];
}

/** Every epoch step once per epoch metric, the final metrics once, no checkpoint left, timestamps the epochs' end times. */
async function expectRecordedOnce(store: TrackingStore, runId: string): Promise<void> {
  for (const key of EPOCH_KEYS) {
    const steps = (await store.getMetricHistory(runId, key)).map((m) => m.step).sort((a, b) => a - b);
    expect(steps, key).toEqual(Array.from({ length: EPOCHS }, (_, i) => i + 1));
  }
  for (const key of FINAL_KEYS) expect((await store.getMetricHistory(runId, key)).length, key).toBe(1);
  const summary = JSON.parse(Buffer.from(await store.readArtifact(runId, 'metrics.json')).toString('utf8')) as { history: { epoch: number; endedAt: number; seconds: number }[] };
  const stamps = Object.fromEntries((await store.getMetricHistory(runId, 'val_loss')).map((m) => [m.step, m.timestamp]));
  for (const h of summary.history) expect(stamps[h.epoch], `val_loss step ${h.epoch}`).toBe(Math.round(h.endedAt));
  // Training time before the kills counts: at least every epoch's own seconds.
  const trained = summary.history.reduce((n, h) => n + h.seconds, 0);
  expect((await store.getRun(runId)).data.metrics['train_seconds']).toBeGreaterThanOrEqual(trained);
  expect(await store.listArtifacts(runId, 'checkpoints')).toEqual([]);
}

function expectOk(r: ExpResult): void {
  expect(r.status, r.stdout + r.stderr).toBe(0);
}

describe('exp resume from another folder', () => {
  it('continues a run killed in folder A from folder B on the same file store', async () => {
    const root = dir.path('store');
    const store = new FileStore(root);
    expectOk(await exp(['run', slowFile, '--tracking-uri', root], { cwd: folderA }));
    const [whole] = await theRuns(store);

    const killed = startExp(['run', slowFile, '--tracking-uri', root, '--rerun'], { cwd: folderA });
    await waitFor(() => (killed.output().includes(`epoch 2/${EPOCHS}`) ? true : undefined), 60_000, 'epoch 2');
    killed.child.kill('SIGKILL');
    expect((await killed.done).signal).toBe('SIGKILL');
    const run = (await theRuns(store)).find((r) => r.info.status !== 'FINISHED')!;

    const resumed = await exp(['resume', run.info.runId, '--tracking-uri', root], { cwd: folderB });
    expectOk(resumed);
    expect(resumed.stdout).toMatch(/continuing after epoch [1-5]\b/);
    const after = await store.getRun(run.info.runId);
    expect(after.info.status).toBe('FINISHED');
    expect(testMetrics(after)).toEqual(testMetrics(whole!));
    await expectRecordedOnce(store, run.info.runId);
  }, 180_000); // two exp processes (run, then resume): ~15 s alone, near 60 s on a loaded 2-core machine

  it('survives three SIGKILLs at the worst moments against an MLflow server, resuming in alternate folders', async () => {
    const server = new MlflowTestServer();
    const url = await server.start();
    try {
      const store = openStore(url);
      expectOk(await exp(['run', file, '--tracking-uri', url], { cwd: folderA }));
      const [whole] = await theRuns(store);

      // Killed once the server holds an epoch's checkpoint and before the epoch's metrics reach it
      // (epochs 2 and 4), then after the final metrics and before FINISHED.
      let current: ReturnType<typeof startExp> | undefined;
      const kills: string[] = [];
      server.afterHandle = (req) => {
        if (req.method !== 'PUT' || !req.path.endsWith('/manifest.json')) return;
        const { epoch } = JSON.parse(req.body.toString('utf8')) as { epoch: number };
        if ((epoch === 2 && kills.length === 0) || (epoch === 4 && kills.length === 1)) {
          kills.push(`checkpoint ${epoch}`);
          current!.child.kill('SIGKILL');
        }
      };
      server.beforeHandle = (req) => {
        if (!req.path.endsWith('/runs/update') || kills.length !== 2) return;
        if ((JSON.parse(req.body.toString('utf8')) as { status: string }).status !== 'FINISHED') return;
        kills.push('before FINISHED');
        current!.child.kill('SIGKILL');
        return 'drop';
      };
      const step = async (args: string[], cwd: string): Promise<ExpResult> => {
        current = startExp(args, { cwd });
        return current.done;
      };
      expect((await step(['run', file, '--tracking-uri', url, '--rerun'], folderA)).signal).toBe('SIGKILL');
      const runId = (await theRuns(store)).find((r) => r.info.status !== 'FINISHED')!.info.runId;
      expect((await step(['resume', runId, '--tracking-uri', url], folderB)).signal).toBe('SIGKILL');
      expect((await step(['resume', runId, '--tracking-uri', url], folderA)).signal).toBe('SIGKILL');
      expect(kills).toEqual(['checkpoint 2', 'checkpoint 4', 'before FINISHED']);
      const last = await step(['resume', runId, '--tracking-uri', url], folderB);
      expectOk(last);
      expect(last.stdout).toContain(`continuing after epoch ${EPOCHS}`);

      const run = await store.getRun(runId);
      expect(run.info.status).toBe('FINISHED');
      expect(testMetrics(run)).toEqual(testMetrics(whole!));
      await expectRecordedOnce(store, runId);
    } finally {
      await server.stop();
    }
  }, 180_000); // five exp processes: ~20 s alone, over 60 s on a loaded 2-core machine
});
