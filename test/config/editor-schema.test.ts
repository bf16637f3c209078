import { readFileSync, readdirSync } from 'node:fs';
import { Ajv } from 'ajv';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { editorSchemaText } from '../../src/config/editor-schema.js';

const checkedIn = readFileSync('schemas/experiment.schema.json', 'utf8');
const validate = new Ajv({ strict: false, allErrors: true }).compile(JSON.parse(checkedIn) as object);
const read = (file: string) => parse(readFileSync(file, 'utf8')) as Record<string, unknown>;

describe('schemas/experiment.schema.json', () => {
  it('is up to date with the registries (regenerate with `npm run schema`)', () => {
    expect(checkedIn).toBe(editorSchemaText());
  });

  it.each(readdirSync('experiments').filter((f) => f.endsWith('.yaml')))('accepts the shipped experiment %s', (file) => {
    expect(validate(read(`experiments/${file}`)), JSON.stringify(validate.errors)).toBe(true);
  });

  it('rejects unknown component params, optimizer params and architecture params', () => {
    const base = read('experiments/quickstart.yaml');
    expect(validate({ ...base, augment: [{ flip: { horizontl: true } }] })).toBe(false);
    expect(validate({ ...base, train: { epochs: 1, optimizer: { name: 'adam', lrr: 0.1 } } })).toBe(false);
    expect(validate({ ...base, model: { architecture: 'cnn2', params: { filters: [1] } } })).toBe(false);
    expect(validate({ ...base, model: { architecture: 'cnn2', params: { filters: [8, 16] } } })).toBe(true);
  });

  it('lets a file that extends another give only part of an experiment', () => {
    expect(validate({ extends: 'base.yaml', name: 'x', train: { epochs: 2 } })).toBe(true);
    expect(validate({ name: 'x', train: { epochs: 2 } })).toBe(false);
  });
});
