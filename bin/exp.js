#!/usr/bin/env node
// The CLI is compiled to dist/ by `npm install` (the prepare script).
import { existsSync } from 'node:fs';

const main = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(main)) {
  process.stderr.write('exp: dist/ is missing; run `npm install` (or `npm run build`) in the exp folder first\n');
  process.exit(1);
}
await import(main.href);
