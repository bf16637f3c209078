/**
 * Plots and HTML reports of a real (tiny) run: every plot rendered, logged, decoded and checked
 * for its series; the run and experiment reports built from the store, and (where Chromium is
 * installed) rendered headless and screenshotted.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadExplainer } from '../../src/explain/load-explainer.js';
import { overlayPng, rgbPixels } from '../../src/explain/overlay.js';
import { differingParams, loadExperimentReport } from '../../src/report/experiment-data.js';
import { validationOverlayPlot } from '../../src/report/plots/validation-overlay.js';
import { experimentReportHtml, runReportHtml } from '../../src/report/html.js';
import { GRID_PNG_SCALE } from '../../src/report/plots/image-grid.js';
import { captionFileName, orderForDisplay } from '../../src/report/plots/predictions.js';
import { PNG_SCALE, type Plot } from '../../src/report/plots/render.js';
import { loadRunReport } from '../../src/report/run-data.js';
import { PLOT_ARTIFACT_DIR, renderRunPlots, renderRunPlotSet, RUN_PLOTS, type RunPlotFile } from '../../src/report/run-plots.js';
import { tinyRun, type TinyRun } from './fixtures.js';

let run: TinyRun;
let plots: Partial<Record<RunPlotFile, Plot>>;

beforeAll(async () => {
  // The plots are logged before the run closes, as the recorder is meant to do.
  run = await tinyRun({
    finish: async (store, runId, outcome) => {
      plots = await renderRunPlotSet(outcome);
      for (const [file, plot] of Object.entries(plots)) await store.logArtifact(runId, `${PLOT_ARTIFACT_DIR}/${file}`, plot.png);
    },
  });
}, 120_000);
afterAll(() => run?.cleanup());

const svgSize = (svg: string): { width: number; height: number } => {
  const m = /<svg[^>]*\bwidth="([\d.]+)"[^>]*\bheight="([\d.]+)"/.exec(svg);
  if (!m) throw new Error('no svg size');
  return { width: Number(m[1]), height: Number(m[2]) };
};
const plot = (file: RunPlotFile): Plot => {
  const p = plots[file];
  if (!p) throw new Error(`${file} was not rendered`);
  return p;
};
const count = (text: string, re: RegExp): number => text.match(re)?.length ?? 0;

describe('run plots', () => {
  it('renders all six plots of a binary run, logged as SVG and as PNGs that decode at 2x (grids 1.5x) their SVG size', async () => {
    expect(Object.keys(plots).sort()).toEqual(RUN_PLOTS.map((p) => p.file).sort());
    const logged = (await run.store.listArtifacts(run.runId, PLOT_ARTIFACT_DIR)).map((e) => e.path).sort();
    expect(logged).toEqual(RUN_PLOTS.flatMap((p) => [`${PLOT_ARTIFACT_DIR}/${p.file}`, `${PLOT_ARTIFACT_DIR}/${p.file.replace('.png', '.svg')}`]).sort());
    for (const { file } of RUN_PLOTS) {
      const svg = Buffer.from(await run.store.readArtifact(run.runId, `${PLOT_ARTIFACT_DIR}/${file.replace('.png', '.svg')}`)).toString('utf8');
      expect(svg, file).toBe(plot(file).svg);
      const bytes = await run.store.readArtifact(run.runId, `${PLOT_ARTIFACT_DIR}/${file}`);
      const meta = await sharp(bytes).metadata();
      const { width, height } = svgSize(plot(file).svg);
      const scale = file === 'predictions.png' ? GRID_PNG_SCALE : PNG_SCALE;
      expect(meta.format, file).toBe('png');
      expect(meta.width, file).toBe(Math.round(width * scale));
      expect(meta.height, file).toBe(Math.round(height * scale));
      // Not blank: a chart has ink on white.
      const stats = await sharp(bytes).stats();
      expect(stats.channels[0]!.stdev, file).toBeGreaterThan(10);
    }
  });

  it('renderRunPlots gives each plot as PNG bytes and as SVG text', async () => {
    const files = await renderRunPlots(run.outcome, { predictions: 4 });
    for (const { file } of RUN_PLOTS) {
      expect((await sharp(files[file] as Uint8Array).metadata()).format, file).toBe('png');
      expect(files[file.replace('.png', '.svg')], file).toMatch(/^<svg[^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    }
    expect(Object.keys(files)).toHaveLength(2 * RUN_PLOTS.length);
  });

  it('learning curves: a line per series (train/validation x loss/accuracy), every epoch a point, the kept epoch a rule', () => {
    const { svg } = plot('learning_curves.png');
    const { history, keptEpoch } = run.outcome.fit;
    expect(history).toHaveLength(2);
    expect(count(svg, /aria-roledescription="line mark"/g)).toBe(4);
    for (const h of history) {
      for (const split of ['train', 'validation']) {
        expect(svg).toContain(`epoch: ${h.epoch}; loss: `);
        expect(svg).toMatch(new RegExp(`epoch: ${h.epoch}; loss: [\\d.]+; split: ${split}`));
        expect(svg).toMatch(new RegExp(`epoch: ${h.epoch}; accuracy: [\\d.]+; split: ${split}`));
      }
      // The plotted value is the logged one (vega prints up to 12 decimals).
      expect(svg).toContain(`epoch: ${h.epoch}; loss: ${String(Number(h.train_loss.toPrecision(12))).slice(0, 8)}`);
    }
    expect(count(svg, /aria-roledescription="rule mark"/g)).toBe(2);
    expect(svg).toContain(`kept: epoch ${keptEpoch}`);
  });

  it('confusion matrix: class names on the axes and every count (and row rate) in its cell', () => {
    const { svg } = plot('confusion_matrix.png');
    const { confusion, classes } = run.outcome.evaluation;
    confusion.forEach((row, t) => {
      const total = row.reduce((a, b) => a + b, 0);
      row.forEach((n, p) => {
        expect(svg).toContain(`predicted class: ${classes[p]}; true class: ${classes[t]}; count: ${n}"`);
        expect(svg).toContain(`>${(100 * (n / total)).toFixed(1)}%</text>`);
      });
    });
  });

  it('ROC and PR curves: AUC / AP in the title, the chosen threshold marked', () => {
    const { evaluation } = run.outcome;
    const t = evaluation.threshold!.toFixed(3);
    const roc = plot('roc_curve.png').svg;
    expect(roc).toContain(`AUC ${evaluation.auc.toFixed(3)}`);
    expect(roc).toContain(`threshold ${t}: TPR`);
    const pr = plot('pr_curve.png').svg;
    expect(pr).toContain(`AP ${evaluation.prAuc.toFixed(3)}`);
    expect(pr).toContain(`threshold ${t}: P`);
  });

  it('threshold plot: accuracy and each class recall against the threshold, the chosen one marked', () => {
    const { svg } = plot('threshold_metrics.png');
    const choice = run.outcome.threshold.choice!;
    expect(count(svg, /aria-roledescription="line mark"/g)).toBe(3);
    for (const name of ['accuracy', 'recall NORMAL', 'recall PNEUMONIA']) expect(svg).toContain(`metric: ${name}`);
    expect(svg).toContain(`chosen ${choice.threshold.toFixed(3)}`);
    expect(svg).toContain(`maximising ${choice.maximize}`);
  });

  it('predictions: 16 test images with true and predicted labels, wrong ones framed red and first', () => {
    const { svg } = plot('predictions.png');
    const { evaluation, dataset } = run.outcome;
    expect(count(svg, /<image /g)).toBe(16);
    const wrong = evaluation.predictions.filter((p, i) => p !== dataset.test.y[i]).length;
    const shown = orderForDisplay(
      evaluation.predictions.map((p, i) => ({ trueLabel: dataset.classes[dataset.test.y[i]!]!, predictedLabel: dataset.classes[p]!, probability: 0.5 })),
      16,
    );
    const wrongShown = shown.filter((s) => s.trueLabel !== s.predictedLabel).length;
    expect(count(svg, /stroke="#e41a1c"/g)).toBe(wrongShown);
    expect(svg).toContain(`${wrong} of ${dataset.test.count} wrong`);
    expect(count(svg, /Prediction: (NORMAL|PNEUMONIA) \d+\.\d%/g)).toBe(16);
    expect(count(svg, /True: (NORMAL|PNEUMONIA)/g)).toBe(16);
    // Each tile names its file (to find it in predictions.csv and on disk).
    const names = dataset.test.files.map((f) => captionFileName(f));
    const captions = [...svg.matchAll(/<text[^>]*fill="#666">([^<]+)<\/text>/g)].map((m) => m[1]!);
    expect(captions).toHaveLength(16);
    for (const c of captions) expect(names).toContain(c);
    // Red frames (mistakes) all come before grey ones (correct).
    const frames = [...svg.matchAll(/class="frame"[^>]*stroke="(#[0-9a-f]+)"/g)].map((m) => m[1]);
    expect(frames).toEqual([...Array(wrongShown).fill('#e41a1c'), ...Array(16 - wrongShown).fill('#cccccc')]);
  });

  it("predictions: beside each image its Grad-CAM overlay, the one exp predict --explain computes for that test image's predicted class", async () => {
    const { svg } = plot('predictions.png');
    expect(svg).toContain('right of each: Grad-CAM of the predicted class at conv2d_0 (red: most evidence)');
    const tiles = [...svg.matchAll(/<image [^>]*href="data:image\/png;base64,([^"]+)"/g)].map((m) => Buffer.from(m[1]!, 'base64'));
    const captions = [...svg.matchAll(/<text[^>]*fill="#666">([^<]+)<\/text>/g)].map((m) => m[1]!);
    expect(tiles).toHaveLength(16);
    const { dataset, evaluation } = run.outcome;
    const per = 32 * 32;
    const explainer = await loadExplainer(run.store, run.runId);
    try {
      for (const [k, tile] of tiles.entries()) {
        const { data, info } = await sharp(tile).removeAlpha().raw().toBuffer({ resolveWithObject: true });
        // 32 px of the image, a 2 px gap, 32 px of the overlay
        expect([info.width, info.height]).toEqual([66, 32]);
        const half = (x0: number): Buffer => Buffer.concat(Array.from({ length: 32 }, (_, y) => data.subarray((y * 66 + x0) * 3, (y * 66 + x0 + 32) * 3)));
        const i = dataset.test.files.findIndex((f) => captionFileName(f) === captions[k]);
        const pixels = dataset.test.x.subarray(i * per, (i + 1) * per);
        const e = await explainer.explain(pixels, [32, 32, 1], evaluation.predictions[i]!);
        expect(half(0)).toEqual(Buffer.from(rgbPixels(pixels, [32, 32, 1]).data));
        const overlay = await sharp(await overlayPng(rgbPixels(pixels, [32, 32, 1]), e.cam)).raw().toBuffer();
        expect(half(34)).toEqual(overlay);
        // coloured where the map is hot (the image is grey)
        if (!e.cam.empty) expect(overlay.some((v, j) => j % 3 === 0 && v !== overlay[j + 2])).toBe(true);
      }
    } finally {
      explainer.dispose();
    }
  });

  it('shortens long file names in the middle, keeping where they start and end', () => {
    expect(captionFileName('/data/test/NORMAL/IM-0001-0001.jpeg')).toBe('IM-0001-0001.jpeg');
    const long = captionFileName('person1946_bacteria_4874_with_a_long_suffix.jpeg');
    expect(long).toHaveLength(26);
    expect(long).toMatch(/^person1946_b.*\u2026.*suffix\.jpeg$/);
  });

  it('orders mistakes by confidence, keeping a quarter of the places for correct ones', () => {
    const item = (t: string, p: string, probability: number) => ({ trueLabel: t, predictedLabel: p, probability });
    const items = [item('A', 'A', 0.9), item('A', 'B', 0.6), item('B', 'A', 0.95), item('B', 'B', 0.55), item('A', 'B', 0.7), item('B', 'A', 0.8)];
    expect(orderForDisplay(items, 4).map((i) => i.probability)).toEqual([0.95, 0.8, 0.7, 0.55]);
    expect(orderForDisplay(items, 10).map((i) => i.probability)).toEqual([0.95, 0.8, 0.7, 0.6, 0.55, 0.9]);
  });
});

describe('HTML reports', () => {
  const external = /(?:src|href)\s*=\s*["'](?:https?:)?\/\//i;

  it('a run report holds the config, metrics, verdict and every logged plot inline', async () => {
    const html = runReportHtml(await loadRunReport(run.store, run.runId));
    expect(html).toContain('<h1>tiny-report</h1>');
    expect(html).toContain(run.runId);
    const verdict = run.outcome.verdict;
    expect(html).toContain(`${verdict.pass ? 'PASS' : 'FAIL'}: ${verdict.results.filter((r) => r.pass).length} of 2 targets met`);
    expect(html).toContain('test_recall_');
    expect(html).toContain(run.outcome.metrics['test_accuracy']!.toFixed(4));
    expect(html).toContain('experiment: report-test');
    expect(count(html, /<img [^>]*src="data:image\/png;base64,/g)).toBe(RUN_PLOTS.length);
    expect(html).not.toMatch(external);
    expect(html).not.toContain('drawn from the logged metric history');
  });

  it('a run without logged plots gets learning curves drawn from its metric history', async () => {
    const experimentId = await run.store.getOrCreateExperiment('report-test');
    const bare = await run.store.createRun(experimentId, { runName: 'no-plots' });
    const t = Date.now();
    await run.store.logBatch(bare.runId, {
      metrics: [1, 2, 3].flatMap((step) => [
        { key: 'train_loss', value: 1 / step, timestamp: t, step },
        { key: 'val_loss', value: 1.2 / step, timestamp: t, step },
        { key: 'train_accuracy', value: 0.5 + step / 10, timestamp: t, step },
        { key: 'val_accuracy', value: 0.45 + step / 10, timestamp: t, step },
      ]),
    });
    await run.store.updateRun(bare.runId, 'FAILED', t);
    const data = await loadRunReport(run.store, bare.runId);
    expect(data.history.map((h) => h.epoch)).toEqual([1, 2, 3]);
    expect(data.plots.map((p) => [p.file, p.rerendered])).toEqual([['learning_curves.png', true]]);
    const html = runReportHtml(data);
    expect(count(html, /<img /g)).toBe(1);
    expect(html).toContain('No verdict recorded');
  });

  it('an experiment report ranks its finished runs with their verdicts and learning curves', async () => {
    const data = await loadExperimentReport(run.store, 'report-test');
    expect(data.runs.map((r) => r.row.runId)).toEqual([run.runId]);
    const html = experimentReportHtml(data);
    expect(html).toContain('Experiment report-test');
    expect(html).toContain(`badge ${run.outcome.verdict.pass ? 'pass' : 'fail'}`);
    // The overlay of validation curves, then the run's own learning curves.
    expect(count(html, /<img [^>]*src="data:image\/png;base64,/g)).toBe(2);
    expect(html).toContain('alt="validation loss and accuracy of every run on shared axes"');
    expect(html).not.toMatch(external);
  });

  it('the experiment leaderboard shows AUC and the params that differ; the overlay draws every run on shared axes', async () => {
    const experimentId = await run.store.getOrCreateExperiment('report-test');
    const first = await run.store.getRun(run.runId);
    const other = await run.store.createRun(experimentId, { runName: 'faster-lr' });
    const metric = (key: string, value: number, step: number) => ({ key, value, step, timestamp: Date.now() });
    await run.store.logBatch(other.runId, {
      params: { ...first.data.params, name: 'faster-lr', 'train.optimizer.lr': '0.01' },
      metrics: [metric('val_loss', 0.6, 1), metric('val_accuracy', 0.7, 1), metric('test_accuracy', 0.01, 0), metric('test_auc', 0.1234, 0)],
    });
    await run.store.updateRun(other.runId, 'FINISHED', Date.now());
    const data = await loadExperimentReport(run.store, 'report-test');
    expect(data.runs.map((r) => r.row.runId).sort()).toEqual([run.runId, other.runId].sort());
    expect(data.differing).toEqual(['train.optimizer.lr']);
    const html = experimentReportHtml(data);
    expect(html).toContain('<th>test_auc</th>');
    expect(html).toContain('<td class="n">0.1234</td>');
    expect(html).toContain(`<td class="n">${run.outcome.metrics['test_auc']!.toFixed(4)}</td>`);
    expect(html).toContain('<th class="param">train.optimizer.lr</th>');
    expect(html).toContain('<td class="param">0.01</td>');
    expect(html).toContain(`<td class="param">${first.data.params['train.optimizer.lr']}</td>`);
    // One overlay and one learning-curves card per run.
    expect(count(html, /<img [^>]*src="data:image\/png;base64,/g)).toBe(3);
    const overlay = await validationOverlayPlot(data.runs.map((r, i) => ({ label: `#${r.row.rank} ${r.row.runName}`, history: i === 0 ? run.outcome.fit.history : [{ epoch: 1, train_loss: NaN, train_accuracy: NaN, val_loss: 0.6, val_accuracy: 0.7 }] })));
    // Both runs in one legend, on the two shared panels.
    for (const r of data.runs) expect(overlay.svg).toContain(`#${r.row.rank} ${r.row.runName}`);
    expect(overlay.svg).toContain('Validation loss');
    expect(overlay.svg).toContain('Validation accuracy');
  });

  it('differing params: set in one run and not another counts; the run name does not', () => {
    expect(differingParams([{ name: 'a', x: '1', y: '2' }, { name: 'b', x: '1' }, { name: 'c', x: '3', y: '2' }])).toEqual(['x', 'y']);
    expect(differingParams([{ name: 'a', x: '1' }])).toEqual([]);
  });

  it('exp report writes report-<run-id>.html into the current folder', () => {
    const REPO = path.resolve(import.meta.dirname, '../..');
    if (!existsSync(path.join(REPO, 'dist', 'cli', 'commands', 'report.js'))) {
      const build = spawnSync('npm', ['run', 'build'], { cwd: REPO, encoding: 'utf8' });
      if (build.status !== 0) throw new Error(`npm run build failed:\n${build.stdout}${build.stderr}`);
    }
    const exp = (args: string[]) => spawnSync(process.execPath, [path.join(REPO, 'bin', 'exp.js'), ...args], { cwd: run.root, encoding: 'utf8', timeout: 60_000 });
    const ok = exp(['report', run.runId, '--tracking-uri', 'runs']);
    expect(ok.status, ok.stderr).toBe(0);
    const html = readFileSync(path.join(run.root, `report-${run.runId}.html`), 'utf8');
    expect(count(html, /<img [^>]*src="data:image\/png;base64,/g)).toBe(RUN_PLOTS.length);
  }, 120_000);

  const CHROMIUM = '/usr/bin/chromium';
  it.skipIf(!existsSync(CHROMIUM))('renders in headless Chromium: every image present, the page not blank', { timeout: 120_000 }, async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'exp-report-html-'));
    const file = path.join(dir, 'report.html');
    writeFileSync(file, runReportHtml(await loadRunReport(run.store, run.runId)));
    const flags = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
    const chrome = (args: string[]) =>
      spawnSync(CHROMIUM, [...flags, `--user-data-dir=${mkdtempSync(path.join(os.tmpdir(), 'exp-chromium-'))}`, ...args, `file://${file}`], { encoding: 'utf8', timeout: 60_000 });
    const dom = chrome(['--dump-dom']);
    expect(dom.status, dom.stderr).toBe(0);
    expect(count(dom.stdout, /<img [^>]*src="data:image\/png/g)).toBe(RUN_PLOTS.length);
    const shot = path.join(dir, 'shot.png');
    const r = chrome([`--screenshot=${shot}`, '--window-size=1280,2000']);
    expect(r.status, r.stderr).toBe(0);
    const stats = await sharp(readFileSync(shot)).stats();
    expect(stats.channels[0]!.stdev).toBeGreaterThan(20);
    // The verdict banner's green or red is on screen: the CSS and body rendered.
    const { data, info } = await sharp(readFileSync(shot)).raw().toBuffer({ resolveWithObject: true });
    let banner = 0;
    for (let i = 0; i < data.length; i += info.channels) {
      const [red, green, blue] = [data[i]!, data[i + 1]!, data[i + 2]!];
      if ((red === 0x2e && green === 0x7d && blue === 0x32) || (red === 0xc6 && green === 0x28 && blue === 0x28)) banner++;
    }
    expect(banner).toBeGreaterThan(1000);
  });
  if (!existsSync(CHROMIUM)) console.warn(`skipping the headless Chromium check: ${CHROMIUM} not found (apt-get install -y chromium)`);
});

describe('more than two classes', () => {
  it('ROC and PR curves are one-vs-rest, a line per class, macro AUC/AP, no threshold marked', async () => {
    const { rocCurvePlot } = await import('../../src/report/plots/roc-curve.js');
    const { prCurvePlot } = await import('../../src/report/plots/pr-curve.js');
    const classes = ['a', 'b', 'c'];
    const roc = await rocCurvePlot({
      curves: classes.map((label, k) => ({ label, auc: 0.7 + k / 10, points: [{ threshold: Infinity, fpr: 0, tpr: 0 }, { threshold: 0.5, fpr: 0.2, tpr: 0.6 + k / 10 }, { threshold: 0.1, fpr: 1, tpr: 1 }] })),
      threshold: null,
    });
    // The chance diagonal plus one line per class.
    expect(count(roc.svg, /aria-roledescription="line mark"/g)).toBe(4);
    expect(roc.svg).toContain('macro AUC 0.800');
    expect(roc.svg).not.toContain('threshold ');
    const pr = await prCurvePlot({
      curves: classes.map((label, k) => ({ label, averagePrecision: 0.6 + k / 10, prevalence: 1 / 3, points: [{ threshold: Infinity, recall: 0, precision: 1 }, { threshold: 0.2, recall: 1, precision: 0.5 }] })),
      threshold: null,
    });
    expect(count(pr.svg, /aria-roledescription="line mark"/g)).toBe(3);
    expect(pr.svg).toContain('macro AP 0.700');
    for (const c of classes) expect(roc.svg).toContain(`>${c}</text>`);
  });
});
