#!/usr/bin/env node
// Writes one of the pretrained models inside the nsfwjs npm package (MIT; `npm install nsfwjs`) as a
// plain tfjs layers model, model.json and weights.bin, which model.pretrained.from reads. nsfwjs
// ships each model as JS modules (for bundlers): the model.json as an object, each weight shard
// as a base64 string. Usage: node scripts/nsfwjs-model.mjs [mobilenet_v2|inception_v3] OUT_DIR
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const [name = 'mobilenet_v2', out = path.join('pretrained', `nsfwjs-${name}`)] = process.argv.slice(2);
const require = createRequire(import.meta.url);
// The package's exports map hides its model files from require.resolve: look in node_modules itself.
const root = (require.resolve.paths('nsfwjs') ?? []).map((p) => path.join(p, 'nsfwjs')).find((p) => existsSync(path.join(p, 'package.json')));
if (!root) {
  console.error('nsfwjs is not installed: npm install --save-dev nsfwjs');
  process.exit(1);
}
const dir = path.join(root, 'dist', 'models', name);
if (!existsSync(path.join(dir, 'model.min.js'))) {
  console.error(`nsfwjs has no layers model '${name}' (it has: ${readdirSync(path.dirname(dir)).filter((f) => !f.endsWith('.json')).join(', ')})`);
  process.exit(1);
}
const model = require(path.join(dir, 'model.min.js'));
if (!model.modelTopology || !Array.isArray(model.weightsManifest)) {
  console.error(`${dir}/model.min.js is not a tfjs layers model (a graph model has no Keras layers to match)`);
  process.exit(1);
}
mkdirSync(out, { recursive: true });
const manifest = model.weightsManifest.map((group) => {
  const bytes = Buffer.concat(group.paths.map((p) => Buffer.from(require(path.join(dir, `${p}.min.js`)), 'base64')));
  const file = `${group.paths[0].replace(/-shard1of\d+$/, '')}.bin`;
  writeFileSync(path.join(out, file), bytes);
  return { paths: [file], weights: group.weights };
});
writeFileSync(path.join(out, 'model.json'), JSON.stringify({ format: 'layers-model', modelTopology: model.modelTopology, weightsManifest: manifest }));
console.log(`${path.join(out, 'model.json')}: ${manifest.reduce((n, g) => n + g.weights.length, 0)} weights from nsfwjs ${name}`);
