#!/usr/bin/env node
// The CLI is compiled to dist/ by `npm install` (the prepare script): tsc's output in dist/cli/,
// and the bundle of it in dist/bundle/ (scripts/bundle.mjs), which starts in about half the CPU
// (docs/performance.md, "Start-up"). tsc's output alone still runs, only slower.
import { existsSync } from 'node:fs';

const main = ['../dist/bundle/main.js', '../dist/cli/main.js'].map((p) => new URL(p, import.meta.url)).find((url) => existsSync(url));
if (!main) {
  process.stderr.write('exp: dist/ is missing; run `npm install` (or `npm run build`) in the exp folder first\n');
  process.exit(1);
}
await import(main.href);
