// Makes docs/serve-screenshot.png: exp serve's page in headless Chromium after choosing an
// X-ray. Needs Debian's chromium and a running server:
//
//   npx exp serve --run <id> --port 8080 &
//   node docs/serve-screenshot.mjs http://127.0.0.1:8080 <x-ray file> [out.png]
import { chromium } from 'playwright-core';

const [url, xray, out = new URL('./serve-screenshot.png', import.meta.url).pathname] = process.argv.slice(2);
if (!url || !xray) throw new Error('usage: node docs/serve-screenshot.mjs <server url> <x-ray file> [out.png]');
const browser = await chromium.launch({ executablePath: process.env.EXP_CHROMIUM ?? '/usr/bin/chromium', headless: true, args: ['--no-sandbox'] });
try {
  const page = await browser.newPage({ viewport: { width: 960, height: 880 } });
  await page.goto(`${url}/`);
  await page.setInputFiles('#file', xray);
  await page.locator('#result').waitFor({ state: 'visible', timeout: 60_000 });
  await page.waitForFunction("['heatmap', 'original'].every((id) => document.getElementById(id).complete && document.getElementById(id).naturalWidth > 0)");
  await page.screenshot({ path: out, fullPage: true });
  console.log(`wrote ${out}: ${await page.locator('#class').textContent()} ${await page.locator('#probability').textContent()}`);
} finally {
  await browser.close();
}
