/**
 * A real run with `evaluate.calibrate: temperature`: the temperature is fitted on validation and
 * lowers its NLL, is logged (metric, tag, signature), and `exp predict` applies it, giving the
 * probabilities predictions.csv recorded; the reliability diagram shows before and after.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { negativeLogLikelihood } from '../../src/metrics/index.js';
import { formatPredictions } from '../../src/predict/format.js';
import { loadRunModel } from '../../src/predict/load-model.js';
import { predictFiles } from '../../src/predict/predict-files.js';
import { signatureProblems } from '../../src/predict/signature.js';
import { runReportHtml } from '../../src/report/html.js';
import { loadRunReport } from '../../src/report/run-data.js';
import { TEMPERATURE_TAG } from '../../src/runner/record.js';
import { parseCsv } from '../../src/text/csv.js';
import { tinyRun, type TinyRun } from '../report/fixtures.js';

let run: TinyRun;
let plain: TinyRun;
beforeAll(async () => {
  run = await tinyRun({ name: 'tiny-calibrated', sets: ['evaluate.calibrate=temperature'] });
  plain = await tinyRun({ name: 'tiny-uncalibrated' });
}, 240_000);
afterAll(() => {
  run?.cleanup();
  plain?.cleanup();
});

const artifact = (r: TinyRun, rel: string): Buffer => readFileSync(path.join(r.store.root, r.experimentId, r.runId, 'artifacts', rel));

describe('a run with evaluate.calibrate: temperature', () => {
  it('fits a temperature that lowers the validation NLL of the real model outputs', () => {
    const c = run.outcome.calibration!;
    expect(c.temperature).toBeGreaterThan(0);
    expect(c.temperature).not.toBe(1);
    expect(c.nllAfter).toBeLessThan(c.nllBefore);
    // The outcome's validation outputs are the calibrated ones, whose NLL is the fit's.
    expect(negativeLogLikelihood(run.outcome.valOutputs, run.outcome.dataset.val.y, 1)).toBeCloseTo(c.nllAfter, 5);
  });

  it('judges test on calibrated outputs and logs the temperature as metric, tag and in the signature', async () => {
    const logged = await run.store.getRun(run.runId);
    const t = run.outcome.calibration!.temperature;
    expect(logged.data.metrics['temperature']).toBe(t);
    expect(Number(logged.data.tags[TEMPERATURE_TAG])).toBe(t);
    expect(logged.data.metrics['test_brier']).toBe(run.outcome.evaluation.brier);
    expect(logged.data.metrics['test_ece_ci_high']).toBeGreaterThanOrEqual(logged.data.metrics['test_ece']!);
    const signature = JSON.parse(artifact(run, 'model/signature.json').toString('utf8')) as Record<string, unknown>;
    expect(signature).toMatchObject({ format: 'exp-model-signature/2', temperature: t });
  });

  it('exp predict applies the temperature: the same probabilities and classes as predictions.csv', async () => {
    const [header, ...rows] = parseCsv(artifact(run, 'predictions.csv').toString('utf8'));
    const test = rows.filter((r) => r[1] === 'test');
    const p = header!.indexOf('p_PNEUMONIA');
    const { signature, model } = await loadRunModel(run.store, run.runId);
    try {
      const { predictions } = await predictFiles(model, signature, run.outcome.dataset.test.files);
      expect(predictions).toHaveLength(test.length);
      predictions.forEach((pred, i) => {
        expect(pred.probabilities[1]).toBeCloseTo(Number(test[i]![p]), 5);
        expect(pred.label).toBe(test[i]![3]);
      });
      expect(formatPredictions(predictions.slice(0, 1), signature)).toContain(`probabilities calibrated with the run's temperature ${Number(signature.temperature!.toFixed(4))})`);
      // ... and not the model's raw outputs, which differ by more than rounding.
      const raw = run.outcome.calibration!.uncalibratedTest;
      expect(Math.max(...predictions.map((pred, i) => Math.abs(pred.probabilities[1]! - raw[i]!)))).toBeGreaterThan(1e-3);
    } finally {
      await model.release();
    }
  });

  it('a format-2 signature without a usable temperature is refused', () => {
    const signature = JSON.parse(artifact(run, 'model/signature.json').toString('utf8')) as Record<string, unknown>;
    expect(signatureProblems(signature)).toEqual([]);
    expect(signatureProblems({ ...signature, temperature: 0 })).toEqual(['temperature must be a positive number, got 0']);
    expect(signatureProblems({ ...signature, temperature: undefined })).toEqual(['temperature must be a positive number, got undefined']);
  });

  it('draws the reliability diagram before and after calibration, in PNG and SVG, and the report shows it', async () => {
    const svg = artifact(run, 'plots/calibration.svg').toString('utf8');
    expect(svg).toContain('before calibration: ECE');
    expect(svg).toContain(`after calibration (T = ${run.outcome.calibration!.temperature.toFixed(2)}): ECE`);
    expect(artifact(run, 'plots/calibration.png').subarray(1, 4).toString('latin1')).toBe('PNG');
    const html = runReportHtml(await loadRunReport(run.store, run.runId));
    expect(html).toContain('<figure id="calibration">');
    expect(html).toContain('temperature (fitted on validation)');
  });
});

describe('a run without calibration', () => {
  it('logs test_brier and test_ece, a one-series reliability diagram, no temperature, a format-1 signature', async () => {
    const logged = await plain.store.getRun(plain.runId);
    expect(logged.data.metrics['test_brier']).toBeGreaterThan(0);
    expect(logged.data.metrics['test_ece']).toBeGreaterThanOrEqual(0);
    expect(logged.data.metrics['temperature']).toBeUndefined();
    expect(plain.outcome.calibration).toBeNull();
    expect(artifact(plain, 'plots/calibration.svg').toString('utf8')).toContain('model: ECE');
    expect(artifact(plain, 'plots/calibration.png').length).toBeGreaterThan(1000);
    expect(JSON.parse(artifact(plain, 'model/signature.json').toString('utf8'))).toMatchObject({ format: 'exp-model-signature/1' });
  });
});
