/** boardFor() reads the same board from a file store and from a server (runs/search, paged). */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { boardFor } from '../../src/rank/board-for.js';
import { FileStore, RestStore, type TrackingStore } from '../../src/tracking/index.js';
import { MlflowTestServer } from '../helpers/mlflow-server.js';
import { TempDir } from '../record/fixtures.js';
import { EXPECTED_ORDER, seedRuns } from './seed.js';

describe.each(['file store', 'server'] as const)('boardFor on a %s', (kind) => {
  let dir: TempDir;
  let server: MlflowTestServer;
  let store: TrackingStore;

  beforeEach(async () => {
    dir = new TempDir('exp-board-');
    // Pages of 2 make the server's search page through page tokens.
    server = new MlflowTestServer({ maxPageSize: 2 });
    const url = await server.start();
    store = kind === 'file store' ? new FileStore(dir.path('runs')) : new RestStore(url, { env: {}, retry: { retries: 0 } });
  });
  afterEach(async () => {
    await server.stop();
    dir.cleanup();
  });

  it('ranks the finished runs of the named experiment', async () => {
    await seedRuns(store);
    await seedRuns(store, 'other');
    const board = await boardFor(store, 'xray', 'test_accuracy');
    expect(board.experiment).toBe('xray');
    expect(board.rows.map((r) => r.runName)).toEqual(EXPECTED_ORDER);
    expect(board.rows.map((r) => r.verdict)).toEqual(['PASS', 'PASS', 'PASS', 'FAIL', 'FAIL']);
    if (kind === 'server') expect(server.requestsTo('/runs/search').length).toBeGreaterThan(1);
  });

  it('picks the only experiment when none is named, and explains when it cannot', async () => {
    await expect(boardFor(store, undefined, 'test_accuracy')).rejects.toThrow(/name one with --experiment \(experiments in .*: none yet\)/);
    await seedRuns(store);
    expect((await boardFor(store, undefined, 'test_accuracy')).experiment).toBe('xray');
    await seedRuns(store, 'other');
    await expect(boardFor(store, undefined, 'test_accuracy')).rejects.toThrow(/name one with --experiment \(experiments in .*: (xray, other|other, xray)\)/);
    await expect(boardFor(store, 'nope', 'test_accuracy')).rejects.toThrow(/no experiment named 'nope' in .* \(experiments: /);
  });
});
