// A full disk under the runs folder, for real: a tiny tmpfs mounted in a private mount
// namespace (`unshare`), so no privileges are needed and nothing outside the test sees it.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileStore } from '../../src/tracking/index.js';
import { TempDir, tinyYaml } from '../record/fixtures.js';
import { BIN, ensureBuilt, stackLines } from './spawn-exp.js';

const canMount = spawnSync('unshare', ['-rm', 'sh', '-c', 'mount -t tmpfs -o size=64k tmpfs /mnt'], { encoding: 'utf8' }).status === 0;

let dir: TempDir;
beforeAll(() => {
  ensureBuilt();
  dir = new TempDir('exp-disk-full-');
});
afterAll(() => dir.cleanup());

/** Runs `exp run` with its runs folder on a tmpfs of `size`, then copies the store out before the mount goes. */
function runOnFullDisk(size: string): { status: number; stderr: string; store: string } {
  const file = dir.write(`${size}.yaml`, tinyYaml({ experiment: 'full', name: `run-${size}` }));
  const mount = dir.path(`mnt-${size}`);
  const copy = dir.path(`store-${size}`);
  const script = [
    `mkdir -p "${mount}" "${copy}" && mount -t tmpfs -o size=${size} tmpfs "${mount}" || exit 1`,
    `"${process.execPath}" "${BIN}" run "${file}" --tracking-uri "${mount}/runs" 2>"${copy}/stderr" >/dev/null; echo $? > "${copy}/status"`,
    `cp -a "${mount}/runs" "${copy}/runs"`,
  ].join('\n');
  const r = spawnSync('unshare', ['-rm', 'sh', '-c', script], { encoding: 'utf8', timeout: 120_000 });
  if (r.status !== 0) throw new Error(`unshare failed: ${r.stderr}`);
  return { status: Number(readFileSync(path.join(copy, 'status'), 'utf8')), stderr: readFileSync(path.join(copy, 'stderr'), 'utf8'), store: path.join(copy, 'runs') };
}

function filesUnder(root: string): string[] {
  return readdirSync(root, { recursive: true, encoding: 'utf8' }).filter((f) => statSync(path.join(root, f)).isFile());
}

describe.skipIf(!canMount)('a disk that fills up under the runs folder', () => {
  // tmpfs takes a 4 KiB page per file, so the sizes follow the count of files a run writes
  // (raised from 64k/512k as runs gained owner tags, checkpoints kept in the store, predictions.csv, MLmodel, and from 640k as they gained intervals and best_val_* metrics: about 140 metric files; 1m -> 1100k with train.replicas, one more param file).
  for (const { size, when } of [
    { size: '80k', when: 'before the run is fully created' },
    { size: '1100k', when: 'while the run logs its artifacts' },
  ]) {
    it(`${when}: one clear line naming the file, exit 1, no half-written or temp files, the store still reads`, async () => {
      const { status, stderr, store } = runOnFullDisk(size);
      expect(status).toBe(1);
      expect(stderr.trim()).toMatch(new RegExp(`^exp: cannot write to .*/runs/\\S+: the disk is full$`));
      expect(stackLines(stderr)).toEqual([]);
      expect(filesUnder(store).filter((f) => path.basename(f).startsWith('.tmp-') || f.split(path.sep).includes('.exp-tmp'))).toEqual([]);

      const reader = new FileStore(store);
      const experiment = (await reader.getExperimentByName('full'))!;
      const [run] = await reader.searchRuns([experiment.experimentId]);
      // Every metric file that made it parses, line by line.
      for (const key of Object.keys(run!.data.metrics)) {
        expect((await reader.getMetricHistory(run!.info.runId, key)).length, key).toBeGreaterThan(0);
      }
      if (size === '1100k') {
        // With room left for it, the run is closed FAILED and says why.
        expect(run!.info.status).toBe('FAILED');
        expect(run!.data.tags['exp.error']).toContain('no space left on device');
      }
    });
  }
});

describe.skipIf(!canMount)('a read-only store', () => {
  it('exp run says it cannot write there in one line, exit 1, no stack', () => {
    const file = dir.write('ro.yaml', tinyYaml({ experiment: 'ro', name: 'ro' }));
    const mount = dir.path('mnt-ro');
    const script = `mkdir -p "${mount}" && mount -t tmpfs -o ro tmpfs "${mount}" || exit 100\n"${process.execPath}" "${BIN}" run "${file}" --tracking-uri "${mount}/runs"`;
    const r = spawnSync('unshare', ['-rm', 'sh', '-c', script], { encoding: 'utf8', timeout: 120_000 });
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(`exp: cannot create ${mount}/runs: the file system is read-only\n`);
    expect(stackLines(r.stderr)).toEqual([]);
  }, 120_000);
});
