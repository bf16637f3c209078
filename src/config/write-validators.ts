import { writeFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import standalone from 'ajv/dist/standalone/index.js';
import { AJV_OPTIONS, GENERATED_VALIDATORS, schemaKey } from './ajv.js';
import { knownSchemas } from './known-schemas.js';

// Part of `npm run build`: ajv's standalone code for every built-in schema, one export per schema
// key, so `exp validate` compiles none at run time (test/config/validators.test.ts checks it is current).
const ajv = new Ajv({ ...AJV_OPTIONS, code: { source: true } });
const keys: Record<string, string> = {};
for (const schema of knownSchemas()) {
  const key = schemaKey(schema);
  if (keys[key]) continue;
  ajv.addSchema(schema, key);
  keys[key] = key;
}
// A CommonJS module: its default export is on .default.
writeFileSync(GENERATED_VALIDATORS, standalone.default(ajv, keys));
