/** The metric registry: what names, orders and bounds a metric is read from one entry. */
import { describe, expect, it } from 'vitest';
import { BaseExperimentSchema } from '../../src/config/schema.js';
import { metricsFromConfusion } from '../../src/metrics/classification.js';
import { knownTargetNames } from '../../src/metrics/targets.js';
import { callbacks } from '../../src/registry/callbacks/index.js';
import { Monitor } from '../../src/registry/callbacks/callback.js';
import { epochMetricKeys, metricNames, metricOfKey, metrics } from '../../src/registry/metrics/index.js';

describe('metric registry', () => {
  it('gives each metric a direction, a CI method and its uses; a loss is lower-is-better', () => {
    expect(metrics.get('loss').direction).toBe('lower');
    expect(metrics.get('accuracy').direction).toBe('higher');
    expect(metrics.get('accuracy').ci).toBe('wilson');
    expect(metrics.get('auc').ci).toBe('bootstrap');
    expect(metrics.get('recall').perClass).toBe(true);
  });

  it('is where targets, threshold objectives, monitors and the schema take their names from', () => {
    expect(knownTargetNames(['A', 'B'])).toEqual(expect.arrayContaining(['accuracy', 'recall', 'recall_A', 'macro_f1']));
    expect(knownTargetNames([])).not.toContain('loss');
    const thresholdSchema = (BaseExperimentSchema.properties.evaluate.properties.threshold.anyOf[1] as unknown as { properties: { maximize: { enum: string[] } } }).properties.maximize;
    expect(thresholdSchema.enum).toEqual(metricNames('threshold'));
    expect(epochMetricKeys()).toEqual(['val_loss', 'val_accuracy', 'train_loss', 'train_accuracy']);
    const monitor = (callbacks.get('early_stopping').params as unknown as { properties: { monitor: { enum: string[] } } }).properties.monitor;
    expect(monitor.enum).toEqual(epochMetricKeys());
    expect(new Monitor('val_loss', 0).sign).toBe(-1);
    expect(new Monitor('val_accuracy', 0).sign).toBe(1);
  });

  it('resolves logged keys to their metric: splits, classes and interval bounds', () => {
    const classes = ['NORMAL', 'PNEUMONIA'];
    expect(metricOfKey('best_val_loss', classes)?.name).toBe('loss');
    expect(metricOfKey('test_recall_NORMAL', classes)?.name).toBe('recall');
    expect(metricOfKey('test_auc_ci_low', classes)?.name).toBe('auc');
    expect(metricOfKey('test_recall_OTHER', classes)).toBeUndefined();
    expect(metricOfKey('kept_epoch', classes)).toBeUndefined();
  });

  it('computes proportions whose ratio is the metric', () => {
    const confusion = [[40, 10], [5, 45]];
    const m = metricsFromConfusion(confusion);
    for (const entry of metrics.entries().filter((e) => e.proportion)) {
      for (const c of [0, 1]) {
        const [k, n] = entry.proportion!(confusion, c);
        expect(k / n).toBeCloseTo(entry.compute(m, c), 12);
      }
    }
  });
});
