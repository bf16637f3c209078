// Summarizes bench/asha-grid.sh: epochs trained per side, and whether ASHA kept the full grid's best trial.
import { FileStore } from '../dist/tracking/index.js';

const store = new FileStore(process.argv[2]);
const sides = {};
for (const name of ['asha-full', 'asha-asha']) {
  const { experimentId } = await store.getExperimentByName(name);
  const runs = (await store.searchRuns([experimentId])).filter((r) => r.data.tags['exp.sweep'] !== 'true');
  const trials = await Promise.all(
    runs.map(async (r) => ({
      name: r.info.runName.replace(/^g /, ''),
      epochs: (await store.getMetricHistory(r.info.runId, 'val_loss')).length,
      pruned: r.data.tags['exp.pruned'] === 'true',
      test_accuracy: r.data.metrics.test_accuracy,
      best_val_loss: r.data.metrics.best_val_loss,
    })),
  );
  sides[name] = trials;
  console.log(`${name}: ${trials.length} trials, ${trials.reduce((a, t) => a + t.epochs, 0)} epochs trained, ${trials.filter((t) => t.pruned).length} pruned`);
}
const full = sides['asha-full'];
const asha = new Map(sides['asha-asha'].map((t) => [t.name, t]));
for (const key of ['best_val_loss', 'test_accuracy']) {
  const sign = key === 'best_val_loss' ? 1 : -1;
  const best = [...full].sort((a, b) => sign * (a[key] - b[key]))[0];
  const kept = asha.get(best.name);
  console.log(`grid's best by ${key}: ${best.name} (${best[key].toFixed(4)}); under ASHA it was ${kept.pruned ? `pruned after ${kept.epochs} epochs` : 'trained to the end'}`);
}
const ashaBest = [...asha.values()].filter((t) => !t.pruned).sort((a, b) => a.best_val_loss - b.best_val_loss)[0];
console.log(`ASHA's best finished trial by best_val_loss: ${ashaBest.name} (${ashaBest.best_val_loss.toFixed(4)}, test_accuracy ${ashaBest.test_accuracy.toFixed(4)})`);
