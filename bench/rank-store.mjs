// Times `exp rank` on a file store of many runs (issue 17: 113 s on 5,000 runs). Not a test:
// numbers for the README. Builds the store once (kept for reruns), then runs the compiled CLI.
//
//   npx tsc -p tsconfig.build.json
//   node bench/rank-store.mjs [store dir] [runs]      # defaults: exp-rank-bench in the temp folder, 5000
//
// Each run is shaped like one exp logs: 80 params, 20 tags, 4 epoch metrics of 30 points and
// 20 final metrics, meta.yaml as MLflow writes it.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const [root = join(tmpdir(), 'exp-rank-bench'), countArg = '5000'] = process.argv.slice(2);
const count = Number(countArg);
const bin = new URL('../bin/exp.js', import.meta.url).pathname;
const { experimentIdForName } = await import(new URL('../dist/tracking/file-store.js', import.meta.url).href);
const { experimentMetaYaml, runMetaYaml, metricLine } = await import(new URL('../dist/tracking/file-format.js', import.meta.url).href);

const experiment = 'bench';
const experimentId = experimentIdForName(experiment);
const experimentDir = join(root, experimentId);
const marker = join(root, `.bench-${count}`);

if (!existsSync(marker)) {
  const t0 = Date.now();
  mkdirSync(join(root, '0'), { recursive: true });
  writeFileSync(join(root, '0', 'meta.yaml'), experimentMetaYaml({ experimentId: '0', name: 'Default', artifactLocation: pathToFileURL(join(root, '0')).href, lifecycleStage: 'active' }));
  mkdirSync(experimentDir, { recursive: true });
  writeFileSync(join(experimentDir, 'meta.yaml'), experimentMetaYaml({ experimentId, name: experiment, artifactLocation: pathToFileURL(experimentDir).href, lifecycleStage: 'active' }));
  const start = 1_700_000_000_000;
  for (let i = 0; i < count; i++) {
    const runId = i.toString(16).padStart(32, '0');
    const dir = join(experimentDir, runId);
    for (const sub of ['metrics', 'params', 'tags', 'artifacts']) mkdirSync(join(dir, sub), { recursive: true });
    const t = start + i * 1000;
    for (let p = 0; p < 78; p++) writeFileSync(join(dir, 'params', `train.option_${p}`), String(p));
    writeFileSync(join(dir, 'params', 'targets.accuracy'), '>= 0.8');
    writeFileSync(join(dir, 'params', 'data.classes'), '["NORMAL","PNEUMONIA"]');
    for (let g = 0; g < 18; g++) writeFileSync(join(dir, 'tags', `exp.tag_${g}`), `value ${g}`);
    writeFileSync(join(dir, 'tags', 'mlflow.runName'), `run-${i}`);
    writeFileSync(join(dir, 'tags', 'exp.identity'), `identity-${i}`);
    for (const key of ['train_loss', 'val_loss', 'train_accuracy', 'val_accuracy']) {
      let text = '';
      for (let e = 1; e <= 30; e++) text += metricLine({ key, value: Math.random(), timestamp: t + e, step: e });
      writeFileSync(join(dir, 'metrics', key), text);
    }
    const finals = ['test_accuracy', 'test_auc', 'test_baseline_accuracy', 'kept_epoch', 'train_seconds'];
    for (const c of ['NORMAL', 'PNEUMONIA']) finals.push(`test_recall_${c}`, `test_precision_${c}`, `test_f1_${c}`);
    while (finals.length < 20) finals.push(`test_extra_${finals.length}`);
    for (const key of finals) writeFileSync(join(dir, 'metrics', key), metricLine({ key, value: Math.random(), timestamp: t + 40, step: 0 }));
    writeFileSync(join(dir, 'meta.yaml'), runMetaYaml({ runId, experimentId, runName: `run-${i}`, userId: 'bench', status: 'FINISHED', startTime: t, endTime: t + 100, artifactUri: pathToFileURL(join(dir, 'artifacts')).href, lifecycleStage: 'active' }));
  }
  writeFileSync(marker, '');
  console.log(`built ${count} runs in ${root} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}

for (let i = 0; i < 3; i++) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [bin, 'rank', '--experiment', experiment, '--tracking-uri', root], { encoding: 'utf8' });
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.status !== 0) throw new Error(`exp rank failed:\n${r.stderr}`);
  console.log(`exp rank, ${count} runs: ${s.toFixed(2)} s (${r.stdout.split('\n').length - 3} rows)`);
}
