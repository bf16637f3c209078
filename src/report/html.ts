import type { ExperimentReportData } from './experiment-data.js';
import { badge, escapeHtml, num, page, pngImg, signed, time } from './html-parts.js';
import type { RunReportData, SavedTarget } from './run-data.js';

const HEADLINE = [
  ['test_accuracy', 'accuracy'],
  ['test_balanced_accuracy', 'balanced accuracy'],
  ['test_auc', 'ROC AUC'],
  ['test_pr_auc', 'PR AUC (AP)'],
  ['test_baseline_accuracy', 'baseline accuracy (majority class)'],
  ['test_brier', 'Brier score (lower is better)'],
  ['test_ece', 'expected calibration error (10 bins)'],
  ['threshold', 'decision threshold'],
  ['temperature', 'temperature (fitted on validation)'],
  ['kept_epoch', 'kept epoch'],
  ['train_seconds', 'training seconds'],
] as const;
const PER_CLASS = ['precision', 'recall', 'f1', 'specificity', 'support'] as const;

function targetsTable(results: readonly SavedTarget[]): string {
  if (results.length === 0) return '<p>No targets were set for this run.</p>';
  const rows = results.map(
    (t) =>
      `<tr class="${t.pass ? 'pass' : 'fail'}"><td>${escapeHtml(t.name)}</td><td>${escapeHtml(t.metric)}</td><td>${escapeHtml(t.op)} ${num(t.threshold)}</td>` +
      `<td class="n">${num(t.value)}</td><td class="n">${signed(t.margin)}</td><td class="ok">${t.pass ? 'PASS' : 'FAIL'}</td></tr>`,
  );
  return `<table><tr><th>target</th><th>metric judged</th><th>wanted</th><th>value</th><th>margin</th><th></th></tr>${rows.join('')}</table>`;
}

/** Classes named in test_<metric>_<CLASS> keys, in the order the run logged them. */
function classesOf(metrics: Record<string, number>): string[] {
  return Object.keys(metrics)
    .filter((k) => k.startsWith('test_support_'))
    .map((k) => k.slice('test_support_'.length));
}

function metricsTables(metrics: Record<string, number>): string {
  const headline = HEADLINE.filter(([k]) => k in metrics).map(([k, label]) => `<tr><td>${escapeHtml(label)}</td><td class="n">${num(metrics[k])}</td></tr>`);
  const classes = classesOf(metrics);
  const perClass = classes.map((c) => `<tr><td>${escapeHtml(c)}</td>${PER_CLASS.map((m) => `<td class="n">${num(metrics[`test_${m}_${c}`])}</td>`).join('')}</tr>`);
  return (
    `<div class="cols"><table><tr><th>metric (test set)</th><th>value</th></tr>${headline.join('')}</table>` +
    (classes.length ? `<table><tr><th>class</th>${PER_CLASS.map((m) => `<th>${m}</th>`).join('')}</tr>${perClass.join('')}</table>` : '') +
    `</div>`
  );
}

/** One run: what it was (config), how it did (metrics, verdict) and what it looks like (plots). */
export function runReportHtml(data: RunReportData): string {
  const { run } = data;
  const verdict = data.verdict;
  const state = verdict === null ? 'none' : verdict.pass ? 'pass' : 'fail';
  const verdictLine =
    verdict === null
      ? 'No verdict recorded (the run did not finish)'
      : verdict.results.length === 0
        ? 'PASS: no targets set'
        : `${verdict.pass ? 'PASS' : 'FAIL'}: ${verdict.results.filter((r) => r.pass).length} of ${verdict.results.length} targets met`;
  const engine = data.engine ? `${data.engine.name} on ${data.engine.backend} (${data.engine.device})` : '-';
  const seconds = run.info.endTime !== undefined ? ((run.info.endTime - run.info.startTime) / 1000).toFixed(1) : null;
  const figures = data.plots.map(
    (p) =>
      `<figure id="${escapeHtml(p.file.replace(/\.png$/, ''))}">${pngImg(p.png, p.title, p.scale)}` +
      `<figcaption>${escapeHtml(p.title)}${p.rerendered ? ' (drawn from the logged metric history; the run logged no plot)' : ''}</figcaption></figure>`,
  );
  const body = `
<h1>${escapeHtml(run.info.runName)}</h1>
<div class="sub">run <code>${escapeHtml(run.info.runId)}</code> &middot; ${escapeHtml(run.info.status)} &middot; started ${escapeHtml(time(run.info.startTime))}${seconds ? ` &middot; ${seconds}s` : ''} &middot; engine ${escapeHtml(engine)}${run.data.tags['mlflow.note.content'] ? `<br>${escapeHtml(run.data.tags['mlflow.note.content'])}` : ''}</div>
<div class="verdict ${state}">${escapeHtml(verdictLine)}</div>
<h2>Targets</h2>
${verdict ? targetsTable(verdict.results) : '<p>-</p>'}
<h2>Metrics</h2>
${metricsTables(data.metrics)}
<h2>Plots</h2>
${figures.length ? `<div class="plots">${figures.join('\n')}</div>` : '<p>This run logged no plots and no per-epoch metrics.</p>'}
<h2>Configuration (resolved)</h2>
${data.configYaml === null ? '<p>config.yaml was not logged.</p>' : `<pre>${escapeHtml(data.configYaml)}</pre>`}
`;
  return page(`exp report: ${run.info.runName} (${run.info.runId})`, body);
}

/** An experiment: the leaderboard (with AUC and the params that differ), every run's validation curves overlaid, then each run's learning curves. */
export function experimentReportHtml(data: ExperimentReportData): string {
  const targetNames = [...new Set(data.runs.flatMap((r) => r.row.targets.map((t) => t.name)))];
  const showAuc = data.primary !== 'test_auc';
  const header =
    `<tr><th>#</th><th>run</th><th>verdict</th><th>${escapeHtml(data.primary)}</th>${showAuc ? '<th>test_auc</th>' : ''}` +
    `${targetNames.map((t) => `<th>${escapeHtml(t)} (margin)</th>`).join('')}<th>baseline</th>${data.differing.map((k) => `<th class="param">${escapeHtml(k)}</th>`).join('')}<th>run id</th></tr>`;
  const rows = data.runs.map(({ row, auc, params }) => {
    const cells = targetNames.map((name) => {
      const t = row.targets.find((x) => x.name === name);
      return `<td class="n">${t ? `${num(t.value)} (${signed(t.margin)})` : '-'}</td>`;
    });
    const paramCells = data.differing.map((k) => `<td class="param">${escapeHtml(params[k] ?? '-')}</td>`);
    return (
      `<tr><td>${row.rank}</td><td><a href="#run-${escapeHtml(row.runId)}">${escapeHtml(row.runName)}</a></td><td>${badge(row.verdict)}</td><td class="n">${num(row.primary.value)}</td>` +
      `${showAuc ? `<td class="n">${num(auc)}</td>` : ''}${cells.join('')}<td class="n">${num(row.baseline)}</td>${paramCells.join('')}<td><code>${escapeHtml(row.runId)}</code></td></tr>`
    );
  });
  const cards = data.runs.map(
    ({ row, curves }) =>
      `<figure id="run-${escapeHtml(row.runId)}">${curves ? pngImg(curves, `learning curves of ${row.runName}`) : '<p>no per-epoch metrics logged</p>'}` +
      `<figcaption>#${row.rank} ${escapeHtml(row.runName)} ${badge(row.verdict)} ${escapeHtml(data.primary)} ${num(row.primary.value)} &middot; <code>exp report ${escapeHtml(row.runId)}</code></figcaption></figure>`,
  );
  const differing = data.runs.length > 1 ? `<p>Params that differ between the runs: ${data.differing.length ? data.differing.map((k) => `<code>${escapeHtml(k)}</code>`).join(', ') : 'none'}.</p>` : '';
  const body = `
<h1>Experiment ${escapeHtml(data.experiment)}</h1>
<div class="sub">${data.runs.length} finished run${data.runs.length === 1 ? '' : 's'} in <code>${escapeHtml(data.storeUri)}</code>, passing every target first, then by ${escapeHtml(data.primary)}</div>
<h2>Leaderboard</h2>
${data.runs.length ? `<table>${header}${rows.join('')}</table>${differing}` : '<p>No finished runs yet.</p>'}
<h2>Validation curves</h2>
${data.overlay ? `<figure id="overlay">${pngImg(data.overlay, 'validation loss and accuracy of every run on shared axes')}<figcaption>every run on the same axes (legend: rank and name)</figcaption></figure>` : '<p>No run logged per-epoch metrics.</p>'}
<h2>Learning curves</h2>
<div class="grid">${cards.join('\n')}</div>
`;
  return page(`exp report: experiment ${data.experiment}`, body);
}
