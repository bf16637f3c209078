import { writeFileSync } from 'node:fs';
import { editorSchemaText } from './editor-schema.js';

// `npm run schema`: regenerates the editor schema after a registry changes (a test checks it is current).
const target = new URL('../../schemas/experiment.schema.json', import.meta.url);
writeFileSync(target, editorSchemaText());
process.stdout.write(`wrote ${target.pathname}\n`);
