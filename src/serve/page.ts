/**
 * `GET /`: one self-contained page (no external files, works offline) to drop or choose an
 * X-ray and see the class, the probability, the threshold and the heatmap beside the image.
 * The model's facts are embedded as JSON; everything from the server is shown with
 * textContent, never parsed as HTML.
 */
export function pageHtml(model: Record<string, unknown>): string {
  // JSON inside <script>: '<' escaped so no value can close the element.
  const data = JSON.stringify(model).replace(/</g, '\\u003c');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>exp serve</title>
<style>
  body { font-family: system-ui, sans-serif; margin: 0; color: #1d2125; background: #f6f7f9; }
  header { background: #24292f; color: #fff; padding: 12px 24px; }
  header h1 { font-size: 18px; margin: 0; }
  header p { margin: 4px 0 0; font-size: 13px; color: #c9d1d9; }
  main { max-width: 1000px; margin: 0 auto; padding: 16px 24px; }
  .warning { background: #fff4ce; border: 1px solid #e0b400; padding: 10px 14px; border-radius: 6px; font-size: 14px; }
  #drop { margin: 16px 0; border: 2px dashed #8c959f; border-radius: 8px; padding: 28px; text-align: center; background: #fff; cursor: pointer; }
  #drop.over { border-color: #0969da; background: #ddf4ff; }
  #result { display: none; }
  .answer { font-size: 22px; margin: 8px 0; }
  .answer b { font-size: 26px; }
  .facts { font-size: 14px; color: #57606a; margin: 4px 0 12px; }
  .images { display: flex; gap: 16px; flex-wrap: wrap; }
  figure { margin: 0; background: #fff; padding: 8px; border: 1px solid #d0d7de; border-radius: 6px; }
  figure img { width: 400px; max-width: 100%; height: auto; display: block; image-rendering: auto; }
  figcaption { font-size: 13px; color: #57606a; margin-top: 6px; max-width: 400px; }
  #error { color: #cf222e; font-weight: 600; }
  .bar { height: 10px; background: #d0d7de; border-radius: 5px; width: 400px; max-width: 100%; position: relative; margin: 6px 0; }
  .bar span { position: absolute; left: 0; top: 0; bottom: 0; background: #0969da; border-radius: 5px; }
  .bar i { position: absolute; top: -4px; bottom: -4px; width: 2px; background: #cf222e; }
</style>
</head>
<body>
<header>
  <h1>exp serve &middot; <span id="run"></span></h1>
  <p id="about"></p>
</header>
<main>
  <p class="warning"><strong>Research model, not a diagnosis.</strong> This is an experimental classifier trained for research.
  Its output is not a medical diagnosis and must not be used for clinical decisions; a qualified clinician must read every image.</p>
  <div id="drop" tabindex="0" role="button" aria-label="choose an image">
    Drop an X-ray here, or <u>choose a file</u> (JPEG or PNG)
    <input id="file" type="file" accept="image/*" hidden>
  </div>
  <p id="status" aria-live="polite"></p>
  <p id="error" role="alert"></p>
  <section id="result">
    <p class="answer">Class: <b id="class"></b> &nbsp; probability <b id="probability"></b></p>
    <div class="bar" title="p(positive class) against the threshold"><span id="pbar"></span><i id="tmark"></i></div>
    <p class="facts" id="rule"></p>
    <div class="images">
      <figure><img id="original" alt="the uploaded image"><figcaption>The image as uploaded</figcaption></figure>
      <figure><img id="heatmap" alt="heatmap of where the model looked"><figcaption id="heatcaption">Where the model looked</figcaption></figure>
    </div>
  </section>
</main>
<script>
const model = ${data};
const $ = (id) => document.getElementById(id);
$('run').textContent = model.run_name + ' (' + model.run_id.slice(0, 8) + ')';
const acc = model.metrics && model.metrics.test_accuracy;
$('about').textContent = 'classes ' + model.classes.join(', ') + ' \\u00b7 input ' + model.input.height + 'x' + model.input.width + 'x' + model.input.channels +
  ' \\u00b7 threshold ' + (model.threshold === null ? 'none (0.5)' : model.threshold.toFixed(3)) +
  (acc === undefined ? '' : ' \\u00b7 test accuracy ' + (100 * acc).toFixed(1) + '%') + ' \\u00b7 verdict ' + (model.verdict || 'unknown');
const pct = (p) => (100 * p).toFixed(1) + '%';
let shown;
async function classify(file) {
  $('error').textContent = '';
  $('status').textContent = 'Classifying ' + file.name + '\\u2026';
  if (shown) URL.revokeObjectURL(shown);
  shown = URL.createObjectURL(file);
  try {
    const res = await fetch('predict?explain=1', { method: 'POST', body: file, headers: { 'Content-Type': file.type || 'application/octet-stream' } });
    const body = await res.json();
    if (!res.ok) throw new Error(body.error || ('HTTP ' + res.status));
    $('class').textContent = body.class;
    $('probability').textContent = pct(body.probability);
    const positive = body.positive;
    if (positive !== null) {
      const p = body.probabilities[positive];
      $('pbar').style.width = pct(p);
      $('tmark').style.left = pct(body.threshold === null ? 0.5 : body.threshold);
      $('rule').textContent = 'p(' + positive + ') = ' + pct(p) + ' against the threshold ' + (body.threshold === null ? '0.5' : body.threshold.toFixed(3)) + ' (red mark); class: ' + body.decision;
    } else {
      $('rule').textContent = Object.entries(body.probabilities).map(([c, p]) => c + ' ' + pct(p)).join(', ');
    }
    $('original').src = shown;
    if (body.explanation) {
      $('heatmap').src = body.explanation.heatmap;
      const method = body.explanation.method === 'gradcam' ? 'Grad-CAM' : 'Grad-CAM++';
      $('heatcaption').textContent = body.explanation.empty
        ? method + ' of ' + body.explanation.class + ': empty, no region of this image raised the score of ' + body.explanation.class
        : 'Where the model looked: ' + method + ' of ' + body.explanation.class + ' (red: most evidence)';
    }
    $('result').style.display = 'block';
    $('status').textContent = file.name;
  } catch (e) {
    $('status').textContent = '';
    $('error').textContent = 'Could not classify ' + file.name + ': ' + e.message;
  }
}
const drop = $('drop');
drop.addEventListener('click', () => $('file').click());
drop.addEventListener('keydown', (e) => { if (e.key === 'Enter' || e.key === ' ') $('file').click(); });
$('file').addEventListener('change', () => { if ($('file').files[0]) classify($('file').files[0]); });
drop.addEventListener('dragover', (e) => { e.preventDefault(); drop.classList.add('over'); });
drop.addEventListener('dragleave', () => drop.classList.remove('over'));
drop.addEventListener('drop', (e) => { e.preventDefault(); drop.classList.remove('over'); if (e.dataTransfer.files[0]) classify(e.dataTransfer.files[0]); });
</script>
</body>
</html>
`;
}
