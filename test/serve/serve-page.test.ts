/**
 * The web page of `exp serve` (started as the CLI), in headless Chromium: choose a real X-ray,
 * see the class, the probability, the threshold and the heatmap, with no console errors; the
 * screenshot is checked for the rendered heatmap. Needs Debian's chromium (`apt-get install
 * chromium`, as .ci/run does); without it the test is skipped with a message.
 */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, startExp, waitFor } from '../cli/spawn-exp.js';
import { tinyRun, type TinyRun } from '../report/fixtures.js';

/** The page's document as the predicates below (run in the browser, without the DOM types here) see it. */
type PageDocument = { getElementById(id: string): { complete?: boolean; naturalWidth?: number; textContent: string | null } | null };

const CHROMIUM = process.env['EXP_CHROMIUM'] ?? '/usr/bin/chromium';
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium) console.warn(`skipping the exp serve page test: no Chromium at ${CHROMIUM} (apt-get install chromium, or set EXP_CHROMIUM)`);

describe.skipIf(!haveChromium)('the exp serve web page in headless Chromium', () => {
  let run: TinyRun;
  let server: ReturnType<typeof startExp>;
  let url: string;
  let browser: Browser;

  beforeAll(async () => {
    ensureBuilt();
    run = await tinyRun({ name: 'tiny-page' });
    server = startExp(['serve', '--run', run.runId, '--tracking-uri', path.join(run.root, 'runs'), '--port', '0']);
    url = await waitFor(() => server.output().match(/at (http:\/\/127\.0\.0\.1:\d+)\//)?.[1], 60_000, 'exp serve to listen');
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    server?.child.kill('SIGTERM');
    await server?.done;
    run?.cleanup();
  });

  it('classifies an uploaded X-ray and shows its heatmap beside it', async () => {
    const page = await browser.newPage({ viewport: { width: 1000, height: 900 } });
    const problems: string[] = [];
    page.on('console', (m) => (m.type() === 'error' || m.type() === 'warning' ? problems.push(`${m.type()}: ${m.text()}`) : undefined));
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    await page.goto(`${url}/`);
    await expect(page.locator('.warning').textContent()).resolves.toMatch(/Research model, not a diagnosis/);
    expect(await page.locator('#about').textContent()).toMatch(/classes NORMAL, PNEUMONIA · input 32x32x1 · threshold 0\.\d{3}/);

    // An X-ray whose map is not empty (a 2-epoch model's map can be: nothing raised its score), so there is a heatmap to see.
    let xray = '';
    for (const f of run.outcome.dataset.test.files) {
      const answer = (await (await fetch(`${url}/predict?explain=1`, { method: 'POST', body: readFileSync(f) })).json()) as { explanation: { empty: boolean } };
      if (!answer.explanation.empty) {
        xray = f;
        break;
      }
    }
    expect(xray).not.toBe('');
    await page.setInputFiles('#file', xray);
    await page.locator('#result').waitFor({ state: 'visible', timeout: 30_000 });
    // Predicates as functions, not strings: a string is evaluated with eval(), which the page's CSP refuses.
    await page.waitForFunction(() => ['heatmap', 'original'].every((id) => {
      const img = (globalThis as unknown as { document: PageDocument }).document.getElementById(id);
      return img !== null && img.complete === true && (img.naturalWidth ?? 0) > 0;
    }));
    const expected = (await (await fetch(`${url}/predict`, { method: 'POST', body: readFileSync(xray) })).json()) as { class: string; probability: number; threshold: number };
    expect(await page.locator('#class').textContent()).toBe(expected.class);
    expect(await page.locator('#probability').textContent()).toBe(`${(100 * expected.probability).toFixed(1)}%`);
    expect(await page.locator('#rule').textContent()).toContain(`against the threshold ${expected.threshold.toFixed(3)}`);
    expect(await page.locator('#heatcaption').textContent()).toMatch(/^Where the model looked: Grad-CAM of (NORMAL|PNEUMONIA)/);
    expect(await page.locator('#error').textContent()).toBe('');

    // The screenshot shows the X-ray (gray) on the left and the overlay, with colour, on the right.
    const dir = process.env['EXP_PAGE_SHOT_DIR'] ?? mkdtempSync(path.join(os.tmpdir(), 'exp-page-'));
    const shot = path.join(dir, 'page.png');
    await page.screenshot({ path: shot, fullPage: true });
    const box = (await page.locator('#heatmap').boundingBox())!;
    const crop = (b: { x: number; y: number; width: number; height: number }) => ({ left: Math.round(b.x), top: Math.round(b.y), width: Math.round(b.width), height: Math.round(b.height) });
    const colourful = async (b: { x: number; y: number; width: number; height: number }): Promise<number> => {
      const { data, info } = await sharp(shot).extract(crop(b)).removeAlpha().raw().toBuffer({ resolveWithObject: true });
      let n = 0;
      for (let i = 0; i < data.length; i += info.channels) if (Math.max(data[i]!, data[i + 1]!, data[i + 2]!) - Math.min(data[i]!, data[i + 1]!, data[i + 2]!) > 60) n++;
      return n / (info.width * info.height);
    };
    expect(box.width).toBeGreaterThan(300);
    expect(await colourful(box)).toBeGreaterThan(0.001); // a weak 2-epoch model's map may be one small blob
    expect(await colourful((await page.locator('#original').boundingBox())!)).toBe(0);
    expect(problems).toEqual([]);

    // The server logged the page, the prediction and the test's own request, one line each.
    expect(server.output()).toMatch(/GET \/ 200 \d+ms\n/);
    expect(server.output()).toMatch(/POST \/predict 200 \d+ms\n/);
  });

  it('shows the server’s error, in words, for a file that is no image', async () => {
    const page = await browser.newPage();
    await page.goto(`${url}/`);
    await page.setInputFiles('#file', { name: 'notes.png', mimeType: 'image/png', buffer: Buffer.from('not an image at all') });
    await page.waitForFunction(() => (globalThis as unknown as { document: PageDocument }).document.getElementById('error')?.textContent !== '', undefined, { timeout: 60_000 });
    expect(await page.locator('#result').isVisible()).toBe(false);
    expect(await page.locator('#error').textContent()).toMatch(/^Could not classify notes\.png: cannot decode image upload: .*unsupported image format/);
  });
});
