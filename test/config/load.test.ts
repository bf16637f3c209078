import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { formatIssue } from '../../src/core/print-issues.js';
import { loadExperiment } from '../../src/config/load.js';
import { applyOverrides, parseOverrides } from '../../src/config/overrides.js';
import { loadAndValidate } from '../../src/config/validate.js';
import { ExperimentDir, headlines, issuesOf, shown, VALID } from '../helpers/experiment-files.js';

let dir: ExperimentDir;
beforeEach(() => {
  dir = new ExperimentDir();
});
afterEach(() => dir.cleanup());

describe('reading a file', () => {
  it('reports a YAML syntax error at its line and column, with a code frame', () => {
    const f = dir.write('exp.yaml', 'experiment: e\nname: n\ndata:\n  dir: @data\n');
    const issues = issuesOf(() => loadExperiment(f));
    expect(issues).toHaveLength(1);
    expect(headlines(issues)[0]).toMatch(new RegExp(`^${shown(f)}:4:8: YAML syntax error: `));
    expect(formatIssue(issues[0]!)).toContain('> 4 |   dir: @data\n');
    expect(formatIssue(issues[0]!)).toContain('\n    |        ^');
  });

  it('reports a badly indented key at the value where the mapping breaks', () => {
    const f = dir.write('exp.yaml', 'experiment: e\n name: n\n');
    const lines = headlines(issuesOf(() => loadExperiment(f)));
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(line).toMatch(new RegExp(`^${shown(f)}:1:13: YAML syntax error: `));
  });

  it('reports a duplicate key at the second occurrence', () => {
    const f = dir.write('exp.yaml', `${VALID}train:\n  epochs: 2\n`);
    expect(headlines(issuesOf(() => loadExperiment(f)))).toEqual([`${shown(f)}:10:1: duplicate key: Map keys must be unique`]);
  });

  it('reports a duplicate key nested in a mapping', () => {
    const f = dir.write('exp.yaml', VALID.replace('epochs: 1', 'epochs: 1\n  epochs: 2'));
    expect(headlines(issuesOf(() => loadExperiment(f)))).toEqual([`${shown(f)}:10:3: duplicate key: Map keys must be unique`]);
  });

  it.each([
    ['an empty file', ''],
    ['a file of comments only', '# nothing here\n\n'],
  ])('reports %s at 1:1', (_, text) => {
    const f = dir.write('exp.yaml', text);
    expect(headlines(issuesOf(() => loadExperiment(f)))).toEqual([
      `${shown(f)}:1:1: ${shown(f)} is empty: an experiment needs at least experiment, name, data, model and train`,
    ]);
  });

  it.each([
    ['a list', '# a list\n- a\n- b\n', 2, 1, 'a list'],
    ['a string', 'just words\n', 1, 1, 'string'],
    ['a number', '\n  42\n', 2, 3, 'number'],
  ])('refuses a top level that is %s', (_, text, line, col, got) => {
    const f = dir.write('exp.yaml', text);
    expect(headlines(issuesOf(() => loadExperiment(f)))).toEqual([
      `${shown(f)}:${line}:${col}: the top level of an experiment must be a mapping of keys (got ${got})`,
    ]);
  });

  it('reports a missing top-level file by name', () => {
    const f = `${dir.root}/nope.yaml`;
    expect(headlines(issuesOf(() => loadExperiment(f)))).toEqual([`cannot read experiment ${shown(f)}: no such file`]);
  });

  it('refuses an alias bomb quickly instead of expanding it', () => {
    const levels = 'abcdefghijkl'.split('');
    const lines = [`${levels[0]}: &${levels[0]} [x, x, x, x, x, x, x, x, x, x]`];
    for (let i = 1; i < levels.length; i++) {
      const prev = levels[i - 1]!;
      lines.push(`${levels[i]}: &${levels[i]} [${Array(10).fill(`*${prev}`).join(', ')}]`);
    }
    const f = dir.write('bomb.yaml', `${lines.join('\n')}\n`);
    const start = performance.now();
    const issues = issuesOf(() => loadAndValidate(f));
    expect(performance.now() - start).toBeLessThan(1000);
    expect(headlines(issues)).toHaveLength(1);
    expect(headlines(issues)[0]).toMatch(new RegExp(`^${shown(f)}:1:1: refusing ${shown(f)}: .*\\(more than 100 alias expansions\\)$`));
  });

  it('accepts a few aliases', () => {
    const f = dir.write('exp.yaml', VALID.replace('name: n', 'name: &n n\ndescription: *n'));
    expect(loadExperiment(f).value.description).toBe('n');
  });
});

describe('extends', () => {
  const ROOT = `experiment: root
name: root
data:
  dir: data
  image: {size: 32, channels: 1}
  classes: [A, B]
model:
  architecture: cnn4
  params: {filters: [1, 2, 3, 4], dense: 8}
augment:
  - rotate: {degrees: 5}
  - zoom: {range: 0.1}
train:
  epochs: 1
  batch_size: 8
  optimizer: {name: sgd, lr: 0.1}
`;

  it('merges a 3-level chain: the child wins, mappings merge, lists are replaced', () => {
    dir.write('base/root.yaml', ROOT);
    dir.write('base/mid.yaml', 'extends: root.yaml\nname: mid\ntrain:\n  epochs: 5\naugment:\n  - flip\n');
    const f = dir.write('child.yaml', 'extends: base/mid.yaml\nname: child\nmodel:\n  params: {filters: [8, 8, 8, 8]}\ntrain:\n  batch_size: 16\n');
    const { value, sources } = loadExperiment(f);
    expect(sources.map((s) => s.file)).toEqual([f, `${dir.root}/base/mid.yaml`, `${dir.root}/base/root.yaml`]);
    expect(value.extends).toBeUndefined();
    expect(value.experiment).toBe('root');
    expect(value.name).toBe('child');
    expect(value.augment).toEqual(['flip']);
    expect(value.model).toEqual({ architecture: 'cnn4', params: { filters: [8, 8, 8, 8], dense: 8 } });
    expect(value.train).toEqual({ epochs: 5, batch_size: 16, optimizer: { name: 'sgd', lr: 0.1 } });
    const v = loadAndValidate(f);
    expect(v.config.train.epochs).toBe(5);
    expect(v.config.data.classes).toEqual(['A', 'B']);
  });

  it('reports an error in a file reached through extends at that file and line', () => {
    const base = dir.write('base/root.yaml', ROOT.replace('epochs: 1', 'epochs: -1'));
    dir.write('base/mid.yaml', 'extends: root.yaml\nname: mid\n');
    const f = dir.write('child.yaml', 'extends: base/mid.yaml\nname: child\ntrain: {batch_size: 4}\n');
    const issues = issuesOf(() => loadAndValidate(f));
    expect(headlines(issues)).toEqual([`${shown(base)}:14:11: train.epochs must be >= 1 (got -1)`]);
    expect(formatIssue(issues[0]!)).toContain('> 14 |   epochs: -1');
  });

  it('reports a value the child overrides at the child, not the base', () => {
    dir.write('root.yaml', ROOT);
    const f = dir.write('child.yaml', 'extends: root.yaml\ntrain:\n  batch_size: 0\n');
    expect(headlines(issuesOf(() => loadAndValidate(f)))).toEqual([`${shown(f)}:3:15: train.batch_size must be >= 1 (got 0)`]);
  });

  it('reports a syntax error inside an extended file at that file', () => {
    const base = dir.write('root.yaml', 'experiment: e\nname: n\nname: m\n');
    const f = dir.write('child.yaml', 'extends: root.yaml\n');
    expect(headlines(issuesOf(() => loadExperiment(f)))).toEqual([`${shown(base)}:3:1: duplicate key: Map keys must be unique`]);
  });

  it('reports a missing extends target at the extends line of the file that names it', () => {
    dir.write('mid.yaml', '# middle\nextends: missing.yaml\nname: mid\n');
    const f = dir.write('child.yaml', 'name: child\nextends: mid.yaml\n');
    const issues = issuesOf(() => loadExperiment(f));
    expect(headlines(issues)).toEqual([`${shown(`${dir.root}/mid.yaml`)}:2:10: cannot read experiment ${shown(`${dir.root}/missing.yaml`)}: no such file`]);
  });

  it('reports a cycle with the whole chain, at the extends that closes it', () => {
    const a = dir.write('a.yaml', 'extends: b.yaml\n');
    const b = dir.write('b.yaml', 'name: b\nextends: c.yaml\n');
    const c = dir.write('c.yaml', 'extends: a.yaml\n');
    expect(headlines(issuesOf(() => loadExperiment(a)))).toEqual([
      `${shown(c)}:1:10: cyclic extends: ${shown(a)} -> ${shown(b)} -> ${shown(c)} -> ${shown(a)}`,
    ]);
  });

  it('reports a file that extends itself', () => {
    const a = dir.write('a.yaml', `${VALID}extends: ./a.yaml\n`);
    expect(headlines(issuesOf(() => loadExperiment(a)))).toEqual([`${shown(a)}:10:10: cyclic extends: ${shown(a)} -> ${shown(a)}`]);
  });

  it('refuses an extends that is not a path', () => {
    const a = dir.write('a.yaml', `${VALID}extends: [x.yaml]\n`);
    expect(headlines(issuesOf(() => loadExperiment(a)))).toEqual([`${shown(a)}:10:10: extends must be a file path`]);
  });

  it('reports an empty extended file at that file', () => {
    const base = dir.write('base.yaml', '');
    const f = dir.write('child.yaml', 'extends: base.yaml\n');
    expect(headlines(issuesOf(() => loadExperiment(f)))).toEqual([
      `${shown(base)}:1:1: ${shown(base)} is empty: an experiment needs at least experiment, name, data, model and train`,
    ]);
  });
});

describe('overrides (--set)', () => {
  it('parses values as YAML', () => {
    const { overrides, issues } = parseOverrides(['train.epochs=3', 'model.params.filters=[8, 16]', 'data.cache=false', 'train.optimizer.name=sgd', 'name=a=b', 'description=']);
    expect(issues).toEqual([]);
    expect(overrides.map((o) => [o.path, o.value])).toEqual([
      [['train', 'epochs'], 3],
      [['model', 'params', 'filters'], [8, 16]],
      [['data', 'cache'], false],
      [['train', 'optimizer', 'name'], 'sgd'],
      [['name'], 'a=b'],
      [['description'], null],
    ]);
  });

  it('reports each malformed override as the override, all at once', () => {
    const { overrides, issues } = parseOverrides(['train.epochs', 'train..epochs=1', '.x=1', 'train.epochs=[1,', 'train.epochs=2']);
    expect(overrides.map((o) => o.text)).toEqual(['train.epochs=2']);
    expect(headlines(issues)).toEqual([
      "--set train.epochs: malformed override 'train.epochs': expected key.path=value",
      "--set train..epochs=1: malformed override 'train..epochs=1': 'train..epochs' is not a dotted key path",
      "--set .x=1: malformed override '.x=1': '.x' is not a dotted key path",
      expect.stringMatching(/^--set train\.epochs=\[1,: malformed override 'train\.epochs=\[1,': the value is not valid YAML \(.+\)$/),
    ]);
    expect(issues.every((i) => i.where !== undefined && 'override' in i.where)).toBe(true);
  });

  it('refuses an alias bomb in a value', () => {
    const bomb = '[&a [x,x,x,x,x,x,x,x,x,x], &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a], [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]]';
    const start = performance.now();
    const { issues } = parseOverrides([`description=${bomb}`]);
    expect(performance.now() - start).toBeLessThan(1000);
    expect(headlines(issues)[0]).toMatch(/^--set description=.*: malformed override .*the value is not valid YAML/);
  });

  it('applies after extends and wins over every file', () => {
    dir.write('base.yaml', VALID.replace('epochs: 1', 'epochs: 7\n  batch_size: 4'));
    const f = dir.write('child.yaml', 'extends: base.yaml\ntrain: {epochs: 9}\n');
    const { overrides } = parseOverrides(['train.epochs=3', 'model.params.filters=[8,16]', 'augment=[flip]']);
    const v = loadAndValidate(f, overrides);
    expect(v.config.train.epochs).toBe(3);
    expect(v.config.train.batch_size).toBe(4);
    expect(v.config.model.params).toMatchObject({ filters: [8, 16] });
    expect(v.config.augment).toEqual([{ flip: { horizontal: true, vertical: false, p: 0.5 } }]);
  });

  it('sets list items by index and creates missing mappings', () => {
    const config: Record<string, unknown> = { augment: [{ rotate: { degrees: 5 } }], train: {} };
    expect(applyOverrides(config, parseOverrides(['augment.0.rotate.degrees=9', 'train.optimizer.lr=0.1']).overrides)).toEqual([]);
    expect(config).toEqual({ augment: [{ rotate: { degrees: 9 } }], train: { optimizer: { lr: 0.1 } } });
  });

  it('is validated like the file and reported as the override, not a file line', () => {
    const f = dir.write('exp.yaml', VALID);
    const { overrides } = parseOverrides(['train.epochs=0', 'model.architecture=cnn3', 'train.engine=onx', 'trian.epochs=1']);
    expect(headlines(issuesOf(() => loadAndValidate(f, overrides)))).toEqual([
      "--set trian.epochs=1: unknown key 'trian' in the experiment (did you mean 'train'?)",
      '--set train.epochs=0: train.epochs must be >= 1 (got 0)',
      "--set train.engine=onx: train.engine must be one of: auto, tfjs, onnx (got 'onx'); did you mean 'onnx'?",
      "--set model.architecture=cnn3: unknown architecture 'cnn3' (did you mean 'cnn1'?)",
    ]);
  });

  it('reports a value set inside an override at that override', () => {
    const f = dir.write('exp.yaml', VALID);
    const { overrides } = parseOverrides(['model.params={filters: [0, 16]}']);
    expect(headlines(issuesOf(() => loadAndValidate(f, overrides)))).toEqual(['--set model.params={filters: [0, 16]}: model.params.filters[0] must be >= 1 (got 0)']);
  });

  it('refuses to set a key inside a scalar rather than replacing it', () => {
    const f = dir.write('exp.yaml', VALID);
    const { overrides } = parseOverrides(['train.epochs.x=1']);
    expect(headlines(issuesOf(() => loadExperiment(f, overrides)))).toEqual([
      "--set train.epochs.x=1: cannot set 'train.epochs.x': 'train.epochs' is not a mapping or list",
    ]);
  });
});
