import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseOverrides } from '../../src/config/overrides.js';
import { loadAndValidate } from '../../src/config/validate.js';
import { resolveModel } from '../../src/model/resolve.js';
import { formatSummary, summarize } from '../../src/model/summary.js';
import { ExperimentDir, headlines, issuesOf, shown, VALID } from '../helpers/experiment-files.js';

let dir: ExperimentDir;
beforeEach(() => {
  dir = new ExperimentDir();
});
afterEach(() => dir.cleanup());

const withModel = (name: string): string => VALID.replace('cnn2', name);
const sets = (...texts: string[]) => parseOverrides(texts).overrides;

/** Writes models/m.yaml and an experiment using it; returns the model file's shown name and the issues' headlines. */
function modelProblems(model: string, ...overrides: string[]): [string, string[]] {
  const file = dir.write('models/m.yaml', `name: m\n${model}`);
  return [shown(file), headlines(issuesOf(() => loadAndValidate(dir.write('exp.yaml', withModel('m')), sets(...overrides))))];
}

const RESIDUAL = `params: {width: 8, depth: 2}
blocks:
  basic:
    params: {filters: 4}
    layers:
      - conv2d: {filters: $filters, kernel: 3, padding: same}
      - batchnorm: {}
        id: main
      - add: {}
        in: [input, main]
layers:
  - conv2d: {filters: $width, kernel: 3, padding: same}
  - basic: {filters: $width}
    repeat: $depth
  - global_avgpool
`;

describe('graph models in YAML', () => {
  it('expands blocks, repeat and $params into nodes with named inputs; params are settable from the experiment', () => {
    dir.write('models/m.yaml', `name: m\n${RESIDUAL}`);
    const model = resolveModel(loadAndValidate(dir.write('exp.yaml', withModel('m'))), 2);
    expect(model.nodes.map((n) => [n.id, n.layer.type, n.inputs])).toEqual([
      ['conv2d_0', 'conv2d', ['input']],
      ['basic_0/conv2d_0', 'conv2d', ['conv2d_0']],
      ['basic_0/main', 'batchnorm', ['basic_0/conv2d_0']],
      ['basic_0/add_0', 'add', ['conv2d_0', 'basic_0/main']],
      ['basic_1/conv2d_0', 'conv2d', ['basic_0/add_0']],
      ['basic_1/main', 'batchnorm', ['basic_1/conv2d_0']],
      ['basic_1/add_0', 'add', ['basic_0/add_0', 'basic_1/main']],
      ['global_avgpool_0', 'global_avgpool', ['basic_1/add_0']],
      ['output', 'dense', ['global_avgpool_0']],
    ]);
    // conv 1->8 (3x3, bias), two blocks of conv 8->8 and batch norm, dense 8->1.
    const perBlock = 9 * 8 * 8 + 8 + 4 * 8;
    expect(summarize(model).totalParams).toBe(9 * 8 + 8 + 2 * perBlock + 9);
    const wider = resolveModel(loadAndValidate(dir.write('exp.yaml', withModel('m')), sets('model.params.width=16', 'model.params.depth=3')), 2);
    expect(wider.nodes.filter((n) => n.layer.type === 'add')).toHaveLength(3);
    expect(summarize(wider).totalParams).toBe(9 * 16 + 16 + 3 * (9 * 16 * 16 + 16 + 4 * 16) + 17);
  });

  it('prints every node with its inputs, output shape and params', () => {
    dir.write('models/m.yaml', `name: m\n${RESIDUAL}`);
    const text = formatSummary(resolveModel(loadAndValidate(dir.write('exp.yaml', withModel('m'))), 2));
    expect(text).toMatch(/^ {2}node +layer +inputs +output shape +params +MFLOPs$/m);
    expect(text).toMatch(/^ {2}basic_0\/add_0 +add +conv2d_0, basic_0\/main +\[32, 32, 8\] +0 +0.01$/m);
    expect(text).toMatch(/total params: 1,321$/m);
  });

  it('writes a layer with one param as its value alone: - activation: relu', () => {
    dir.write('models/m.yaml', 'name: m\nlayers:\n  - conv2d: {filters: 4}\n  - activation: relu6\n  - global_avgpool\n');
    const model = resolveModel(loadAndValidate(dir.write('exp.yaml', withModel('m'))), 2);
    expect(model.nodes[1]!.layer).toEqual({ type: 'activation', activation: 'relu6' });
  });

  it('says where an unknown id, block or $param is, with did-you-mean', () => {
    const [f, lines] = modelProblems(`params: {width: 8}
blocks:
  basic:
    layers:
      - conv2d: {filters: $widht}
layers:
  - conv2d: {filters: $width}
    id: stem
  - basci: {}
  - add: {}
    in: [stem, stme]
`);
    expect(lines).toEqual([
      `${f}:10:5: unknown layer or block 'basci' (did you mean 'basic'?)`,
      `${f}:12:16: unknown id 'stme' (did you mean 'stem'?)`,
      expect.stringMatching(/exp\.yaml:7:17: architecture 'm' comes from a model file with the problems above$/),
    ]);
    const [, unknownParam] = modelProblems('params: {width: 8}\nlayers:\n  - conv2d: {filters: $widht}\n');
    expect(unknownParam[0]).toBe(`${f}:4:23: unknown param '$widht' (did you mean '$width'?)`);
  });

  it('refuses a cycle, an in: on the first entry, an unused output and a repeat below 1', () => {
    const [f, cycle] = modelProblems(`layers:
  - conv2d: {filters: 4}
  - conv2d: {filters: 4}
    id: a
    in: b
  - conv2d: {filters: 4}
    id: b
    in: a
  - global_avgpool
`);
    expect(cycle).toContainEqual(expect.stringMatching(new RegExp(`^${f}:\\d+:\\d+: the entries form a cycle: (a -> b -> a|b -> a -> b)$`)));
    const [, first] = modelProblems('layers:\n  - conv2d: {filters: 4}\n    in: stem\n  - global_avgpool\n');
    expect(first[0]).toBe(`${f}:4:9: the first entry takes the input: its in: can only be 'input' (got 'stem')`);
    const [, unused] = modelProblems('layers:\n  - conv2d: {filters: 4}\n    id: lost\n  - global_avgpool: {}\n    in: input\n');
    expect(unused[0]).toMatch(/m\.yaml:3:5: the output of lost \(lost\) is not used by any entry/);
    const [, repeat] = modelProblems('params: {depth: 1}\nlayers:\n  - conv2d: {filters: 4}\n    repeat: $depth\n  - global_avgpool\n', 'model.params.depth=0');
    expect(repeat).toContainEqual(`${f}:5:13: repeat must be a whole number of at least 1 (got 0 from '$depth')`);
  });

  it('names both inputs and their shapes when an add does not fit, at the add', () => {
    const [f, lines] = modelProblems(`layers:
  - conv2d: {filters: 4, padding: same}
    id: main
  - conv2d: {filters: 4, strides: 2, padding: same}
    id: shortcut
    in: input
  - add: {}
    in: [main, shortcut]
  - global_avgpool
`);
    expect(lines).toEqual([`${f}:8:5: add: inputs [32, 32, 4] (main) and [16, 16, 4] (shortcut) differ`]);
  });

  it('scales a number param by a whole number: $width*2, $width/4', () => {
    dir.write('models/m.yaml', 'name: m\nparams: {width: 8, act: relu}\nlayers:\n  - conv2d: {filters: $width*2}\n  - conv2d: {filters: $width/4}\n  - global_avgpool\n');
    const model = resolveModel(loadAndValidate(dir.write('exp.yaml', withModel('m'))), 2);
    expect(summarize(model).layers.map((l) => l.outputShape.at(-1))).toEqual([16, 2, 2, 1]);
    const [f, lines] = modelProblems('params: {act: relu}\nlayers:\n  - conv2d: {filters: $act*2}\n  - global_avgpool\n');
    expect(lines[0]).toBe(`${f}:4:23: '$act*2' multiplies or divides '$act', which is 'relu', not a number`);
  });

  it('takes params, blocks and ids inline in the experiment too', () => {
    const inline = VALID.replace('  architecture: cnn2', `  params: {width: 4}
  blocks:
    twice:
      layers:
        - conv2d: {filters: $width, padding: same}
          id: a
        - conv2d: {filters: $width, padding: same}
          id: b
        - concat: {}
          in: [a, b]
  layers:
    - twice: {}
    - global_avgpool`);
    const model = resolveModel(loadAndValidate(dir.write('exp.yaml', inline)), 2);
    expect(summarize(model).layers.map((l) => l.outputShape)).toEqual([[32, 32, 4], [32, 32, 4], [32, 32, 8], [8], [1]]);
  });
});
