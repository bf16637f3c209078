/**
 * `exp serve`'s API on a real run's model and real X-rays from data/sample: the same answers as
 * `exp predict`, a heatmap on request, a 4xx JSON error for every kind of bad input (and the
 * server lives on), 503 beyond the concurrency limit, one log line per request, and a load of
 * 200 requests 8 at a time.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer } from '../../src/serve/server.js';
import { loadServedModel, type ServedModel } from '../../src/serve/served-model.js';
import { ensureBuilt, exp } from '../cli/spawn-exp.js';
import { tinyRun, type TinyRun } from '../report/fixtures.js';
import { pngBomb, rawRequest } from './fixtures.js';

const MAX_BYTES = 1_000_000;

let run: TinyRun;
let served: ServedModel;
let url: string;
let close: () => Promise<void>;
const log: string[] = [];

beforeAll(async () => {
  ensureBuilt();
  run = await tinyRun({ name: 'tiny-serve' });
  served = await loadServedModel(run.store, run.runId);
  ({ url, close } = await startServer(served, { host: '127.0.0.1', port: 0, maxBytes: MAX_BYTES, maxPixels: 50_000_000, concurrency: 8, log: (l) => log.push(l) }));
}, 120_000);
afterAll(async () => {
  await close?.();
  served?.explainer?.dispose();
  await served?.model.release();
  run?.cleanup();
});

interface Prediction {
  class: string;
  probability: number;
  threshold: number | null;
  probabilities: Record<string, number>;
  explanation?: { class: string; method: string; heatmap: string };
}

const post = async (body: Uint8Array | FormData, query = '', headers: Record<string, string> = {}): Promise<Response> =>
  fetch(`${url}/predict${query}`, { method: 'POST', body, headers });

describe('GET /health and /model', () => {
  it('says the server is up and describes the model', async () => {
    expect(await (await fetch(`${url}/health`)).json()).toMatchObject({ status: 'ok', run_id: run.runId });
    const model = (await (await fetch(`${url}/model`)).json()) as Record<string, unknown>;
    const metrics = (await run.store.getRun(run.runId)).data.metrics;
    expect(model).toMatchObject({
      run_id: run.runId,
      run_name: 'tiny-serve',
      classes: ['NORMAL', 'PNEUMONIA'],
      input: { height: 32, width: 32, channels: 1 },
      threshold: served.signature.threshold,
      verdict: run.outcome.verdict.pass ? 'PASS' : 'FAIL',
      metrics: { test_accuracy: metrics['test_accuracy'], test_auc: metrics['test_auc'] },
      explain: { method: 'gradcam', layer_position: 1 },
    });
    expect(Object.keys(model['metrics'] as object).some((k) => k.includes('_ci_'))).toBe(false);
  });
});

describe('POST /predict', () => {
  it('answers exactly what exp predict answers for the same files, raw body or multipart', async () => {
    const files = [...run.outcome.dataset.test.files.slice(0, 3), ...run.outcome.dataset.test.files.slice(-3)];
    const cli = await exp(['predict', '--run', run.runId, '--tracking-uri', path.join(run.root, 'runs'), '--json', ...files]);
    expect(cli.status).toBe(0);
    const expected = (JSON.parse(cli.stdout) as { predictions: Prediction[] }).predictions;
    for (const [i, file] of files.entries()) {
      const bytes = readFileSync(file);
      const raw = (await (await post(bytes, '', { 'Content-Type': 'image/jpeg' })).json()) as Prediction;
      const form = new FormData();
      form.append('image', new Blob([bytes], { type: 'image/jpeg' }), path.basename(file));
      const multipart = (await (await post(form)).json()) as Prediction;
      for (const answer of [raw, multipart]) {
        expect(answer.class).toBe(expected[i]!.class);
        expect(answer.probability).toBe(expected[i]!.probability);
        expect(answer.probabilities).toEqual(expected[i]!.probabilities);
        expect(answer.threshold).toBe(served.signature.threshold);
      }
    }
  });

  it('adds the heatmap overlay as a PNG data URL with ?explain=1', async () => {
    const file = run.outcome.dataset.test.files[0]!;
    const answer = (await (await post(readFileSync(file), '?explain=1')).json()) as Prediction;
    expect(answer.explanation).toMatchObject({ class: answer.class, method: 'gradcam', gradient_engine: 'onnx (onnxruntime)' });
    const [, b64] = answer.explanation!.heatmap.match(/^data:image\/png;base64,(.+)$/) ?? [];
    const meta = await sharp(Buffer.from(b64!, 'base64')).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['png', 224, 224]);
    // without ?explain=1 no heatmap is computed or sent
    expect(((await (await post(readFileSync(file))).json()) as Prediction).explanation).toBeUndefined();
  });
});

describe('bad input gets a 4xx JSON error and the server lives on', () => {
  const jpeg = (): Buffer => readFileSync(run.outcome.dataset.test.files[0]!);
  const expectError = async (res: Response | { status: number; body: string }, status: number, message: RegExp): Promise<void> => {
    const body = res instanceof Response ? ((await res.json()) as { error: string; status: number }) : (JSON.parse(res.body) as { error: string; status: number });
    expect({ status: res.status, body }).toEqual({ status, body: { error: expect.stringMatching(message), status } });
  };

  it('not an image, a truncated image, 0 bytes, a multipart body without a file', async () => {
    await expectError(await post(Buffer.from('this is not an image')), 415, /^cannot decode image upload: .*unsupported image format/);
    await expectError(await post(jpeg().subarray(0, 2000)), 400, /^cannot decode image upload: .*(premature end|truncated)/i);
    await expectError(await post(new Uint8Array(0)), 400, /^the image is empty \(0 bytes\)/);
    const form = new FormData();
    form.append('note', 'no file here');
    await expectError(await post(form), 400, /^the multipart body has no file field/);
  });

  it('a body over --max-bytes, declared or chunked, is refused without reading it all', async () => {
    const big = Buffer.alloc(3 * MAX_BYTES, 7);
    await expectError(await rawRequest(`${url}/predict`, { headers: { 'Content-Length': String(big.length) }, parts: [big] }), 413, /larger than the server's limit of 1\.0 MB/);
    const chunks = Array.from({ length: 30 }, () => Buffer.alloc(MAX_BYTES / 10, 7));
    await expectError(await rawRequest(`${url}/predict`, { headers: { 'Transfer-Encoding': 'chunked' }, parts: chunks }), 413, /larger than the server's limit/);
  });

  it('a decompression bomb: 64 megapixels in a few KB, refused from its header', async () => {
    const bomb = pngBomb(8000);
    expect(bomb.length).toBeLessThan(MAX_BYTES);
    await expectError(await post(bomb), 413, /pixel limit/);
  });

  it('an unknown route is 404, a wrong method 405 with Allow', async () => {
    await expectError(await fetch(`${url}/nope`), 404, /^no such route: \/nope \(routes: GET \/, GET \/health, GET \/model, POST \/predict\)$/);
    const wrong = await fetch(`${url}/predict`);
    expect(wrong.headers.get('allow')).toBe('POST');
    await expectError(wrong, 405, /^\/predict takes POST, not GET$/);
    await expectError(await fetch(`${url}/model`, { method: 'DELETE' }), 405, /^\/model takes GET, not DELETE$/);
  });

  it('still answers after all of that', async () => {
    expect((await fetch(`${url}/health`)).status).toBe(200);
    expect((await post(jpeg())).status).toBe(200);
  });
});

describe('exp serve on the command line', () => {
  it('refuses a port in use and a run that does not exist, in one line each', async () => {
    const port = new URL(url).port;
    const busy = await exp(['serve', '--run', run.runId, '--tracking-uri', path.join(run.root, 'runs'), '--port', port]);
    expect(busy.status).toBe(1);
    expect(busy.stderr).toBe(`exp: port ${port} on 127.0.0.1 is in use: pick another with --port (0: any free port)\n`);
    const missing = await exp(['serve', '--run', 'f'.repeat(32), '--tracking-uri', path.join(run.root, 'runs')]);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/^exp: no run /);
    const bad = await exp(['serve', '--run', run.runId, '--tracking-uri', path.join(run.root, 'runs'), '--concurrency', '0']);
    expect(bad.stderr).toBe('exp: --concurrency must be an integer >= 1, got 0\n');
  }, 180_000); // three processes that load tfjs and ONNX Runtime: 10-20 s each on a loaded 2-core machine
});

describe('limits and logs', () => {
  it('beyond --concurrency a request gets 503 with Retry-After, not a place in a queue', async () => {
    const one = await startServer(served, { host: '127.0.0.1', port: 0, maxBytes: MAX_BYTES, maxPixels: 50_000_000, concurrency: 1, log: () => {} });
    try {
      const image = readFileSync(run.outcome.dataset.test.files[0]!);
      let release!: () => void;
      const held = new Promise<void>((r) => (release = r));
      // The first request holds the only slot while its body is still arriving.
      const first = rawRequest(`${one.url}/predict`, { headers: { 'Transfer-Encoding': 'chunked' }, parts: [image.subarray(0, 100), image.subarray(100)], hold: held });
      await new Promise((r) => setTimeout(r, 300));
      const busy = await fetch(`${one.url}/predict`, { method: 'POST', body: image });
      expect(busy.status).toBe(503);
      expect(busy.headers.get('retry-after')).toBe('1');
      expect(((await busy.json()) as { error: string }).error).toMatch(/^the server is busy \(1 predictions in progress, --concurrency\)/);
      expect((await fetch(`${one.url}/health`)).status).toBe(200);
      release();
      expect((await first).status).toBe(200);
      expect((await fetch(`${one.url}/predict`, { method: 'POST', body: image })).status).toBe(200);
    } finally {
      await one.close();
    }
  });

  it('logs one line per request: time, method, path (no query), status, milliseconds', async () => {
    const before = log.length;
    await fetch(`${url}/health?x=1`);
    await fetch(`${url}/nope`);
    expect(log.slice(before)).toEqual([expect.stringMatching(/^\d{4}-\d\d-\d\dT[\d:.]+Z GET \/health 200 \d+ms$/), expect.stringMatching(/^\S+ GET \/nope 404 \d+ms$/)]);
  });

  it('serves 200 requests, 8 at a time, without an error (p50 and p99 printed)', async () => {
    const files = run.outcome.dataset.test.files;
    const bodies = files.map((f) => readFileSync(f));
    const times: number[] = [];
    const statuses: number[] = [];
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < 200) {
        const i = next++;
        const start = performance.now();
        const res = await post(bodies[i % bodies.length]!);
        await res.arrayBuffer();
        times.push(performance.now() - start);
        statuses.push(res.status);
      }
    };
    const start = performance.now();
    await Promise.all(Array.from({ length: 8 }, worker));
    const wall = performance.now() - start;
    expect(statuses).toEqual(Array(200).fill(200));
    times.sort((a, b) => a - b);
    const q = (p: number): string => times[Math.min(times.length - 1, Math.floor(p * times.length))]!.toFixed(1);
    console.log(`exp serve, 200 requests 8 at a time (32x32 model, 224x224 JPEGs): p50 ${q(0.5)} ms, p99 ${q(0.99)} ms, ${(200 / (wall / 1000)).toFixed(0)} requests/s`);
  }, 120_000);
});
