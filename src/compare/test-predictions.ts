import { PREDICTIONS_ARTIFACT } from '../runner/predictions-csv.js';
import { parseCsv } from '../text/csv.js';
import type { TrackingStore } from '../tracking/index.js';
import { CompareError } from './errors.js';

/** One run's predictions on its test set (or validation set), as its predictions.csv artifact holds them. */
export interface TestPredictions {
  runId: string;
  runName: string;
  classes: string[];
  /** Files relative to the data folder, `/`-separated, in the run's order. */
  files: string[];
  /** True class index per file. */
  labels: number[];
  /** Predicted class index per file (the run's own rule: its threshold, or argmax). */
  predicted: number[];
  /** Each class's probability per file. */
  probabilities: number[][];
}

/**
 * Reads a finished run's test (or validation) predictions back through the store (file store
 * or server alike). A run that did not finish, or has no predictions.csv, is a CompareError saying so.
 */
export async function readTestPredictions(store: TrackingStore, runId: string, split: 'test' | 'validation' = 'test'): Promise<TestPredictions> {
  const run = await store.getRun(runId);
  const name = `run ${run.info.runName} (${runId})`;
  if (run.info.status !== 'FINISHED') throw new CompareError(`${name} is ${run.info.status}, not FINISHED: only finished runs have test predictions to compare`);
  const listed = await store.listArtifacts(runId);
  if (!listed.some((e) => e.path === PREDICTIONS_ARTIFACT)) throw new CompareError(`${name} has no ${PREDICTIONS_ARTIFACT} artifact (trained by an older exp?): run its experiment again to compare it`);
  const [header, ...rows] = parseCsv(new TextDecoder().decode(await store.readArtifact(runId, PREDICTIONS_ARTIFACT)));
  const bad = (why: string): CompareError => new CompareError(`${name}: ${PREDICTIONS_ARTIFACT} ${why}`);
  if (!header || header.slice(0, 4).join(',') !== 'file,split,true_class,predicted_class') throw bad('does not start with the columns file,split,true_class,predicted_class');
  const classes = header.slice(4).map((h) => h.replace(/^p_/, ''));
  const index = (cls: string, line: number): number => {
    const i = classes.indexOf(cls);
    if (i < 0) throw bad(`line ${line}: class '${cls}' has no probability column`);
    return i;
  };
  const out: TestPredictions = { runId, runName: run.info.runName, classes, files: [], labels: [], predicted: [], probabilities: [] };
  rows.forEach((row, r) => {
    if (row[1] !== split) return;
    if (row.length !== header.length) throw bad(`line ${r + 2} has ${row.length} fields, the header ${header.length}`);
    const p = row.slice(4).map(Number);
    if (p.some((v) => !(v >= 0 && v <= 1))) throw bad(`line ${r + 2}: a probability outside [0, 1]`);
    out.files.push(row[0]!);
    out.labels.push(index(row[2]!, r + 2));
    out.predicted.push(index(row[3]!, r + 2));
    out.probabilities.push(p);
  });
  if (out.files.length === 0) throw bad(`has no ${split} rows`);
  return out;
}
