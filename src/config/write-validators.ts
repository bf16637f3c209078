import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import standalone from 'ajv/dist/standalone/index.js';
import { AJV_OPTIONS, GENERATED_VALIDATORS, generatedValidatorFile, schemaKey } from './ajv.js';
import { knownSchemas } from './known-schemas.js';

// Part of `npm run build`: ajv's standalone code for every built-in schema, a file per schema
// key, so `exp validate` compiles none at run time (test/config/validators.test.ts checks they are current).
const ajv = new Ajv({ ...AJV_OPTIONS, code: { source: true } });
rmSync(GENERATED_VALIDATORS, { recursive: true, force: true });
mkdirSync(GENERATED_VALIDATORS, { recursive: true });
for (const schema of knownSchemas()) {
  // A CommonJS module: its default export is on .default.
  writeFileSync(generatedValidatorFile(schemaKey(schema)), standalone.default(ajv, ajv.compile(schema)));
}
