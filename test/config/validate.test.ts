import { readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { formatIssue } from '../../src/core/print-issues.js';
import { loadAndValidate } from '../../src/config/validate.js';
import { nativeInstalled } from '../../src/engine/capabilities.js';
import { closest, editDistance } from '../../src/config/suggest.js';
import { resolveModel } from '../../src/model/resolve.js';
import { ExperimentDir, headlines, issuesOf, shown, VALID } from '../helpers/experiment-files.js';

let dir: ExperimentDir;
beforeEach(() => {
  dir = new ExperimentDir();
});
afterEach(() => dir.cleanup());

/** Writes `exp.yaml` and returns [its shown name, the headlines of its issues]. */
function problems(text: string): [string, string[]] {
  const f = dir.write('exp.yaml', text);
  return [shown(f), headlines(issuesOf(() => loadAndValidate(f)))];
}

const REGISTERED_LAYERS = 'registered layers: activation, add, avgpool, batchnorm, concat, conv2d, dense, depthwise_conv2d, dropout, flatten, global_avgpool, global_maxpool, maxpool, multiply, separable_conv2d, zero_padding2d';

describe('the schema', () => {
  it('accepts a minimal experiment and fills in defaults', () => {
    const v = loadAndValidate(dir.write('exp.yaml', VALID));
    expect(v.config.train).toMatchObject({ epochs: 1, batch_size: 32, seed: 42, optimizer: { name: 'adam', lr: 0.001 }, callbacks: [] });
    expect(v.config.model.params).toEqual({ filters: [32, 64], kernel: 3, dense: 0, dropout: 0 });
    expect(v.classes).toBeUndefined();
  });

  it('reports unknown keys at every depth at once, at the key, with did-you-mean', () => {
    const text = `experiment: e
name: n
data:
  dir: data
  image: {size: 32, channels: 1, colour: 3}
model:
  architecture: cnn2
  params: {filter: [8, 16]}
trian:
  epochs: 1
augment:
  - rotate: {degres: 5}
`;
    const [f, lines] = problems(text);
    expect(lines).toEqual([
      `${f}:1:1: the experiment is missing the required key 'train'`,
      `${f}:9:1: unknown key 'trian' in the experiment (did you mean 'train'?)`,
      `${f}:5:34: unknown key 'colour' in data.image`,
      `${f}:8:12: unknown key 'filter' in model.params (did you mean 'filters'?)`,
      `${f}:12:14: unknown key 'degres' in augment[0].rotate (did you mean 'degrees'?)`,
    ]);
  });

  it('lists the allowed keys and shows a code frame under the key', () => {
    const f = dir.write('exp.yaml', `${VALID}trian: {}\n`);
    const [issue] = issuesOf(() => loadAndValidate(f));
    expect(formatIssue(issue!)).toBe(
      [
        `${shown(f)}:10:1: unknown key 'trian' in the experiment (did you mean 'train'?)`,
        '   9 |   epochs: 1',
        '> 10 | trian: {}',
        '     | ^',
        '  hint: allowed keys: experiment, name, description, extends, data, model, augment, class_weight, train, evaluate, sweep, targets',
      ].join('\n'),
    );
  });

  it('reports wrong types and out-of-range numbers with the value given', () => {
    const [f, lines] = problems(`${VALID.replace('epochs: 1', 'epochs: -1\n  batch_size: many\n  seed: 1.5')}evaluate: {threshold: 2}\ndata_extra: 1\n`.replace('data_extra: 1\n', ''));
    expect(lines).toEqual([
      `${f}:9:11: train.epochs must be >= 1 (got -1)`,
      `${f}:10:15: train.batch_size must be an integer (got 'many')`,
      `${f}:11:9: train.seed must be an integer (got 1.5)`,
      `${f}:12:23: evaluate.threshold must be <= 1 (got 2)`,
    ]);
  });

  it('refuses an engine and optimizer that do not fit, before any run exists', () => {
    const [f, lines] = problems(VALID.replace('epochs: 1', 'epochs: 1\n  engine: onnx\n  optimizer: {name: rmsprop}'));
    expect(lines).toEqual([`${f}:10:11: train.engine onnx has no 'rmsprop' optimizer (it has adam, adamw, sgd)`]);
  });

  it('refuses train.replicas where the run would train on tfjs, at the key', () => {
    const [f, lines] = problems(VALID.replace('epochs: 1', 'epochs: 1\n  engine: tfjs\n  replicas: 2'));
    expect(lines).toEqual([`${f}:11:13: train.replicas: 2 splits batches across ONNX Runtime sessions, but train.engine is tfjs, which trains whole batches`]);
    const [g, more] = problems(VALID.replace('epochs: 1', 'epochs: 1\n  optimizer: {name: rmsprop}\n  replicas: 2'));
    expect(more).toEqual([`${g}:11:13: train.replicas: 2 splits batches across ONNX Runtime sessions, but the onnx engine has no 'rmsprop' optimizer, which trains whole batches`]);
    expect(loadAndValidate(dir.write('replicas.yaml', VALID.replace('epochs: 1', 'epochs: 1\n  replicas: 2'))).config.train.replicas).toBe(2);
  });

  it('checks train.schedule and a loss with params against their registries, and fills in their defaults', () => {
    const [f, lines] = problems(VALID.replace('epochs: 1', 'epochs: 1\n  schedule: {name: cosin}\n  loss: {name: focal, gamma: 2, alfa: 0.25}'));
    expect(lines).toEqual([`${f}:10:20: unknown schedule 'cosin' (did you mean 'cosine'?)`, `${f}:11:33: unknown key 'alfa' in train.loss`]);
    const v = loadAndValidate(dir.write('ok.yaml', VALID.replace('epochs: 1', 'epochs: 1\n  schedule: {name: cosine, warmup_epochs: 1}\n  loss: {name: focal}\n  clip_norm: 1')));
    expect(v.config.train).toMatchObject({ schedule: { name: 'cosine', warmup_epochs: 1, min_lr: 0 }, loss: { name: 'focal', gamma: 2, label_smoothing: 0 }, clip_norm: 1 });
    expect(loadAndValidate(dir.write('plain.yaml', VALID)).config.train.schedule).toEqual({ name: 'constant' });
  });

  it.skipIf(nativeInstalled('tfjs-node'))('refuses a backend that is not installed, with how to install it', () => {
    const f = dir.write('exp.yaml', VALID.replace('epochs: 1', 'epochs: 1\n  backend: tfjs-node'));
    const issues = issuesOf(() => loadAndValidate(f));
    expect(headlines(issues)).toEqual([`${shown(f)}:10:12: train.backend is tfjs-node, but @tensorflow/tfjs-node is not installed`]);
    expect(issues[0]!.hints?.[0]).toBe('npm install @tensorflow/tfjs-node (it downloads libtensorflow at install)');
  });

  it('refuses absurd class weights as range errors', () => {
    const [f, lines] = problems(`${VALID.replace('  dir: data', '  dir: data\n  classes: [A, B]')}class_weight: {A: 1.0e+38, B: 0}\n`);
    expect(lines).toEqual([`${f}:11:19: class_weight.A must be <= 1000 (got 1e+38)`, `${f}:11:31: class_weight.B must be > 0 (got 0)`]);
  });

  it('lists the allowed values of an enum and suggests the near miss', () => {
    const [f, lines] = problems(VALID.replace('epochs: 1', 'epochs: 1\n  engine: onx\n  backend: gpu'));
    expect(lines).toEqual([
      `${f}:10:11: train.engine must be one of: auto, tfjs, onnx (got 'onx'); did you mean 'onnx'?`,
      `${f}:11:12: train.backend must be one of: auto, tfjs-node-gpu, tfjs-node, wasm, cpu (got 'gpu'); did you mean 'cpu'?`,
    ]);
  });

  it('locates a wrong evaluate.calibrate, listing the methods; temperature is accepted and none is the default', () => {
    const [f, lines] = problems(`${VALID}evaluate: {calibrate: temprature}\n`);
    expect(lines).toEqual([`${f}:10:23: evaluate.calibrate must be one of: none, temperature (got 'temprature'); did you mean 'temperature'?`]);
    expect(loadAndValidate(dir.write('ok.yaml', `${VALID}evaluate: {calibrate: temperature}\n`)).config.evaluate.calibrate).toBe('temperature');
    expect(loadAndValidate(dir.write('ok.yaml', VALID)).config.evaluate.calibrate).toBe('none');
  });

  it('reports a type error inside a one-of value at that value', () => {
    const [f, lines] = problems(VALID.replace('size: 32, channels: 1', 'size: [32, 4], channels: 2'));
    expect(lines).toEqual([`${f}:5:22: data.image.size[1] must be >= 8 (got 4)`, `${f}:5:36: data.image.channels must be 1 (grayscale) or 3 (RGB) (got 2)`]);
  });
});

describe('registry names and component params', () => {
  it('reports an unknown architecture, listing the registered ones', () => {
    const f = dir.write('exp.yaml', VALID.replace('cnn2', 'cnn3'));
    const issues = issuesOf(() => loadAndValidate(f));
    expect(issues).toHaveLength(1);
    expect(formatIssue(issues[0]!).split('\n').slice(0, 4).join('\n')).toBe(
      [
        `${shown(f)}:7:17: unknown architecture 'cnn3' (did you mean 'cnn1'?)`,
        '  6 | model:',
        '> 7 |   architecture: cnn3',
        '    |                 ^',
      ].join('\n'),
    );
    // The built-in ones, and the YAML models of experiments/models/ in the working directory.
    expect(issues[0]!.hints).toEqual([expect.stringMatching(/^registered architectures: cnn1, cnn2, cnn4(, [\w-]+)*$/), 'see them with their params: exp list']);
  });

  it('reports unknown layers, augmentations, optimizers, losses, callbacks and strategies, all at once', () => {
    const text = `experiment: e
name: n
data:
  dir: data
  image: {size: 32, channels: 1}
model:
  layers:
    - conv2d: {filters: 8}
    - conv3d: {filters: 8}
    - flaten
augment:
  - rotat: {degrees: 5}
class_weight: balancd
train:
  epochs: 1
  optimizer: {name: adma, lr: 0.1}
  loss: binary_crossentropi
  callbacks:
    - early_stoping: {patience: 2}
`;
    const f = dir.write('exp.yaml', text);
    const issues = issuesOf(() => loadAndValidate(f));
    const s = shown(f);
    expect(headlines(issues)).toEqual([
      `${s}:9:7: unknown layer 'conv3d' (did you mean 'conv2d'?)`,
      `${s}:10:7: unknown layer 'flaten' (did you mean 'flatten'?)`,
      `${s}:12:5: unknown augmentation 'rotat' (did you mean 'rotate'?)`,
      `${s}:13:15: unknown class-weight strategy 'balancd' (did you mean 'balanced'?)`,
      `${s}:16:21: unknown optimizer 'adma' (did you mean 'adam'?)`,
      `${s}:19:7: unknown callback 'early_stoping' (did you mean 'early_stopping'?)`,
      `${s}:17:9: unknown loss 'binary_crossentropi' (did you mean 'binary_crossentropy'?)`,
    ]);
    expect(issues.map((i) => i.hints?.[0])).toEqual([
      REGISTERED_LAYERS,
      REGISTERED_LAYERS,
      'registered augmentations: blur, brightness, contrast, cutmix, cutout, flip, gaussian_noise, mixup, random_resized_crop, rotate, shear, shift, zoom',
      'registered class-weight strategies: balanced, none, sqrt_balanced',
      'registered optimizers: adam, adamw, rmsprop, sgd',
      'registered callbacks: early_stopping, reduce_lr_on_plateau',
      'registered losses: binary_crossentropy, categorical_crossentropy, categorical_focal, focal',
    ]);
  });

  it("reports bad params of components with each component's own schema", () => {
    const text = `experiment: e
name: n
data:
  dir: data
  image: {size: 32, channels: 1}
model:
  architecture: cnn2
  params: {filters: [8], dropout: 1.5}
augment:
  - rotate: {degrees: 200}
  - flip
train:
  epochs: 1
  optimizer: {name: sgd, lr: 0, momentun: 0.9}
  callbacks:
    - early_stopping: {patience: -1, monitor: val_acc}
`;
    const [f, lines] = problems(text);
    expect(lines).toEqual([
      `${f}:8:21: model.params.filters must have at least 2 item(s) (got 1)`,
      `${f}:8:35: model.params.dropout must be < 1 (got 1.5)`,
      `${f}:10:23: augment[0].rotate.degrees must be <= 180 (got 200)`,
      `${f}:14:33: unknown key 'momentun' in train.optimizer (did you mean 'momentum'?)`,
      `${f}:14:30: train.optimizer.lr must be > 0 (got 0)`,
      `${f}:16:47: train.callbacks[0].early_stopping.monitor must be one of: val_loss, val_accuracy, train_loss, train_accuracy (got 'val_acc')`,
      `${f}:16:34: train.callbacks[0].early_stopping.patience must be >= 0 (got -1)`,
    ]);
  });

  it('says an unknown layer written with a list value is unknown, keeping the other errors of the list', () => {
    const [f, lines] = problems(VALID.replace('  architecture: cnn2', '  layers:\n    - conv2d: {filters: 8, kernal: 3}\n    - residual: [conv2d, conv2d]\n    - dense: [3]\n    - flaten'));
    expect(lines).toEqual([
      `${f}:8:28: unknown key 'kernal' in model.layers[0].conv2d (did you mean 'kernel'?)`,
      `${f}:9:7: unknown layer 'residual'`,
      `${f}:10:14: model.layers[2].dense takes its params as a mapping, \`- dense: {...}\` (got [3])`,
      `${f}:11:7: unknown layer 'flaten' (did you mean 'flatten'?)`,
    ]);
  });

  it('reports a missing required layer param at the layer', () => {
    const [f, lines] = problems(VALID.replace('  architecture: cnn2', '  layers:\n    - flatten\n    - dense: {unit: 3}'));
    expect(lines).toEqual([
      `${f}:9:14: model.layers[1].dense is missing the required key 'units'`,
      `${f}:9:15: unknown key 'unit' in model.layers[1].dense (did you mean 'units'?)`,
    ]);
  });

  it('refuses a model with both or neither of architecture and layers', () => {
    const [f, lines] = problems(VALID.replace('  architecture: cnn2', '  architecture: cnn2\n  layers: [flatten]'));
    expect(lines).toEqual([`${f}:7:3: model has both architecture and layers: give one`]);
    const [g, more] = problems(VALID.replace('  architecture: cnn2', '  params: {}'));
    expect(more).toEqual([`${g}:7:3: model needs an architecture (a registered name) or a list of layers`]);
  });
});

describe('the data folder', () => {
  it('checks split folders, relative to the experiment file', () => {
    dir.dirs('data/train/A', 'data/train/B');
    const [f, lines] = problems(VALID);
    expect(lines).toEqual([`${f}:4:8: data.dir ${path.join(dir.root, 'data')} has no 'test' split folder (found: train)`]);
  });

  it('asks for a val folder with validation from val', () => {
    dir.dataDir('data', ['A', 'B']);
    const [f, lines] = problems(VALID.replace('channels: 1}', 'channels: 1}\n  validation: {from: val}'));
    expect(lines).toEqual([`${f}:4:8: data.dir ${path.join(dir.root, 'data')} has no 'val' split folder (found: test, train)`]);
  });

  it('takes the classes from the class folders', () => {
    dir.dataDir('data', ['PNEUMONIA', 'NORMAL']);
    expect(loadAndValidate(dir.write('exp.yaml', VALID)).classes).toEqual(['NORMAL', 'PNEUMONIA']);
  });

  it('checks every class named in data.classes, class_weight and targets against the class folders', () => {
    dir.dataDir('data', ['NORMAL', 'PNEUMONIA']);
    const text = `${VALID.replace('  dir: data', '  dir: data\n  classes: [NORMAL, PNEUMONA]')}class_weight: {NORMAL: 1, PNEUMONA: 2}
targets:
  recall_PNEUMONA: '>= 0.5'
`;
    const f = dir.write('exp.yaml', text);
    const issues = issuesOf(() => loadAndValidate(f));
    const s = shown(f);
    expect(headlines(issues)).toEqual([
      `${s}:5:21: class 'PNEUMONA' has no folder in ${path.join(dir.root, 'data', 'train')} (did you mean 'PNEUMONIA'?)`,
    ]);
    expect(issues[0]!.hints).toEqual(['class folders there: NORMAL, PNEUMONIA']);
    // With the classes right, the class names elsewhere are checked against them.
    const fixed = dir.write('exp.yaml', text.replace('classes: [NORMAL, PNEUMONA]', 'classes: [NORMAL, PNEUMONIA]'));
    expect(headlines(issuesOf(() => loadAndValidate(fixed)))).toEqual([
      `${s}:11:27: class_weight names 'PNEUMONA', which is not a class (classes: NORMAL, PNEUMONIA)`,
      `${s}:11:15: class_weight gives no weight for class 'PNEUMONIA'`,
      `${s}:13:3: unknown target 'recall_PNEUMONA' (did you mean 'recall_PNEUMONIA'?)`,
    ]);
  });

  it('resolves data.dir relative to the file of the extends chain that writes it', () => {
    dir.dataDir('shared/data', ['A', 'B']);
    dir.write('study/base/base.yaml', VALID.replace('dir: data', 'dir: ../../shared/data'));
    const f = dir.write('study/exp.yaml', 'extends: base/base.yaml\nclass_weight: {A: 1, C: 2}\n');
    const v = issuesOf(() => loadAndValidate(f));
    expect(headlines(v)).toEqual([
      `${shown(f)}:2:22: class_weight names 'C', which is not a class (classes: A, B)`,
      `${shown(f)}:2:15: class_weight gives no weight for class 'B'`,
    ]);
    const ok = dir.write('study/ok.yaml', 'extends: base/base.yaml\nclass_weight: {A: 1, B: 2}\n');
    expect(loadAndValidate(ok).dataDir).toBe(path.join(dir.root, 'shared', 'data'));
  });

  it('does not require the data folder to exist', () => {
    const v = loadAndValidate(dir.write('exp.yaml', VALID.replace('dir: data', 'dir: nowhere')));
    expect(v.dataDir).toBe(path.join(dir.root, 'nowhere'));
  });
});

describe('targets', () => {
  it('reports a malformed expression and an unknown name with did-you-mean', () => {
    const [f, lines] = problems(`${VALID}targets:\n  acuracy: '>= 0.8'\n  recall: 'at least 0.5'\n  auc: 85\n`);
    expect(lines).toEqual([
      `${f}:11:3: unknown target 'acuracy' (did you mean 'accuracy'?)`,
      `${f}:12:11: targets.recall: invalid target "at least 0.5": expected a comparison and a number like ">= 0.85", "> 0.9", "<= 0.2", "< 0.1", ">= 85%", or a plain number meaning ">="`,
      `${f}:13:8: targets.auc: invalid target "85": a value must be between 0 and 1; did you mean ">= 85%"?`,
    ]);
  });

  it('lists the known targets, per class where the classes are known', () => {
    const f = dir.write('exp.yaml', `${VALID.replace('  dir: data', '  dir: data\n  classes: [A, B]')}targets:\n  recal_A: 0.5\n`);
    const [issue] = issuesOf(() => loadAndValidate(f));
    expect(headlines([issue!])).toEqual([`${shown(f)}:12:3: unknown target 'recal_A' (did you mean 'recall_A'?)`]);
    expect(issue!.hints).toEqual([
      'known targets: accuracy, balanced_accuracy, auc, pr_auc, recall, precision, f1, specificity, macro_f1, youden, min_class_recall, brier, ece, recall_A, recall_B, precision_A, precision_B, f1_A, f1_B, specificity_A, specificity_B',
    ]);
  });
});

describe('many problems at once', () => {
  it('reports every problem of one file in one go', () => {
    const text = `experiment: e
name: n
data:
  dir: data
  image: {size: 32, channels: 1}
model:
  architecture: cnn3
augment:
  - rotate: {degres: 5}
train:
  epochs: -1
  optimizer: {name: adma}
targets:
  acuracy: 0.5
`;
    const [f, lines] = problems(text);
    expect(lines).toEqual([
      `${f}:11:11: train.epochs must be >= 1 (got -1)`,
      `${f}:7:17: unknown architecture 'cnn3' (did you mean 'cnn1'?)`,
      `${f}:9:14: unknown key 'degres' in augment[0].rotate (did you mean 'degrees'?)`,
      `${f}:12:21: unknown optimizer 'adma' (did you mean 'adam'?)`,
      `${f}:14:3: unknown target 'acuracy' (did you mean 'accuracy'?)`,
    ]);
  });

  it('reports a schema error and the unknown names of the same section in one pass', () => {
    dir.dataDir('data', ['NORMAL', 'PNEUMONIA']);
    const text = `experiment: e
name: n
data:
  dir: data
  image: {size: 2, channels: 1}
  classes: [NORMAL, PNEUMONA]
model:
  architecture: cnn2
train:
  epochs: -1
  optimizer: {name: adma}
  callbacks:
    - early_stoping: {patience: 2}
targets:
  acuracy: 0.5
`;
    const [f, lines] = problems(text);
    expect(lines).toEqual([
      `${f}:5:17: data.image.size must be >= 8 (got 2)`,
      `${f}:10:11: train.epochs must be >= 1 (got -1)`,
      `${f}:6:21: class 'PNEUMONA' has no folder in ${path.join(dir.root, 'data', 'train')} (did you mean 'PNEUMONIA'?)`,
      `${f}:11:21: unknown optimizer 'adma' (did you mean 'adam'?)`,
      `${f}:13:7: unknown callback 'early_stoping' (did you mean 'early_stopping'?)`,
      `${f}:15:3: unknown target 'acuracy' (did you mean 'accuracy'?)`,
    ]);
  });

  it('says a wrong type once, and keeps checking the other sections', () => {
    const [f, lines] = problems('experiment: e\nname: n\ndata: 3\nmodel: []\ntrain: {epochs: 1}\naugment: [zom]\n');
    expect(lines).toEqual([
      `${f}:3:7: data must be an object (got 3)`,
      `${f}:4:8: model must be an object (got [])`,
      `${f}:6:11: unknown augmentation 'zom' (did you mean 'zoom'?)`,
    ]);
  });
});

describe('YAML model files', () => {
  const MODEL = 'name: mine\nsummary: a small one\nlayers:\n  - conv2d: {filters: 8}\n  - global_avgpool\n';

  it('registers a model file in models/ beside the experiment as an architecture', () => {
    dir.write('models/mine.yaml', MODEL);
    const v = loadAndValidate(dir.write('exp.yaml', VALID.replace('cnn2', 'mine')));
    expect(v.architectures.get('mine').summary).toBe('a small one');
    expect(resolveModel(v, 2).nodes.map((n) => n.layer.type)).toEqual(['conv2d', 'global_avgpool', 'dense']);
    // The unknown-name hint lists it with the built-in ones.
    const [, lines] = problems(VALID.replace('cnn2', 'mnie'));
    expect(lines).toEqual([expect.stringMatching(/unknown architecture 'mnie' \(did you mean 'mine'\?\)$/)]);
  });

  it("points a broken model file's errors into that file", () => {
    const model = dir.write('models/mine.yaml', 'name: mine\nlayers:\n  - conv2d: {filters: 8, kernal: 3}\n  - pool\n');
    const [f, lines] = problems(VALID.replace('cnn2', 'mine'));
    expect(lines).toEqual([
      `${shown(model)}:3:26: unknown key 'kernal' in layers[0].conv2d (did you mean 'kernel'?)`,
      `${shown(model)}:4:5: unknown layer 'pool'`,
      `${f}:7:17: architecture 'mine' comes from a model file with the problems above`,
    ]);
  });

  it('points a syntax error in a model file into that file', () => {
    const model = dir.write('models/mine.yaml', 'name: mine\nlayers:\n  - flatten\nlayers: []\n');
    const [f, lines] = problems(VALID.replace('cnn2', 'mine'));
    expect(lines).toEqual([`${shown(model)}:4:1: duplicate key: Map keys must be unique`, `${f}:7:17: architecture 'mine' comes from a model file with the problems above`]);
  });

  it('does not let a broken model file that is not used fail the experiment', () => {
    dir.write('models/other.yaml', 'name: other\nlayers: []\n');
    expect(loadAndValidate(dir.write('exp.yaml', VALID)).config.model.architecture).toBe('cnn2');
  });

  it('refuses a model file that takes a built-in name', () => {
    dir.write('models/copy.yaml', 'name: cnn1\nlayers: [flatten]\n');
    const [, lines] = problems(VALID.replace('cnn2', 'copy'));
    expect(lines[0]).toMatch(/model file .*copy\.yaml names architecture 'cnn1', which is built in; rename one$/);
  });
});

describe('the output head of a layers list', () => {
  const layers = (last: string) => VALID.replace('  dir: data', '  dir: data\n  classes: [A, B]').replace('  architecture: cnn2', `  layers:\n    - flatten\n    - ${last}`);

  it('accepts dense(1, sigmoid) for two classes, and keeps it as the output', () => {
    const v = loadAndValidate(dir.write('exp.yaml', layers('dense: {units: 1, activation: sigmoid}')));
    expect(resolveModel(v, 2).nodes.at(-1)?.layer).toEqual({ type: 'dense', units: 1, activation: 'sigmoid', useBias: true });
    expect(resolveModel(v, 2).nodes).toHaveLength(2);
  });

  it('refuses dense(3, softmax) for two classes, at the layer', () => {
    const f = dir.write('exp.yaml', layers('dense: {units: 3, activation: softmax}'));
    const issues = issuesOf(() => loadAndValidate(f));
    expect(headlines(issues)).toEqual([`${shown(f)}:10:7: the model ends in dense(3, softmax), which does not fit 2 classes (A, B)`]);
    expect(issues[0]!.hints).toEqual(['for 2 classes the output is dense(1, sigmoid); or leave the output layer out and exp adds it']);
  });

  it('adds the head after a hidden dense layer', () => {
    const v = loadAndValidate(dir.write('exp.yaml', layers('dense: {units: 3, activation: relu}')));
    expect(resolveModel(v, 2).nodes.map((n) => n.layer.type)).toEqual(['flatten', 'dense', 'dense']);
  });
});

describe('a model that cannot train on this image size or machine', () => {
  it('reports a layer that shrinks the image below one pixel at that layer', () => {
    const [f, lines] = problems(VALID.replace('size: 32', 'size: 8').replace('  architecture: cnn2', '  layers:\n    - conv2d: {filters: 4, kernel: 5}\n    - conv2d: {filters: 4, kernel: 5}\n    - flatten'));
    expect(lines).toEqual([`${f}:9:7: conv2d 4 5x5 valid linear shrinks its input to [0, 0, 4]: the image is too small for this model`]);
  });

  it('reports an architecture too deep for the image at the architecture', () => {
    const [f, lines] = problems(VALID.replace('size: 32', 'size: 8').replace('cnn2', 'cnn4'));
    expect(lines).toEqual([expect.stringMatching(new RegExp(`^${f.replace(/[.]/g, '\\.')}:7:17: .* shrinks its input to \\[0, 0, \\d+\\]: the image is too small for this model$`))]);
  });

  it("refuses a model whose training needs more than this machine's memory, with the figure", () => {
    const [f, lines] = problems(VALID.replace('size: 32', 'size: [100000, 100000]'));
    expect(lines).toEqual([expect.stringMatching(new RegExp(`^${f.replace(/[.]/g, '\\.')}:7:3: training this model needs about [\\d.]+ GB \\([\\d,]+ params, batch 32 of 100000x100000x1 images\\), more than this machine's [\\d.]+ GB$`))]);
  });
});

describe('a data set that cannot be held in memory', () => {
  it('counts the decoded images in the estimate, naming how many and their size', () => {
    // 200 images (named only: validate counts them, it does not decode them), at a size where
    // they alone need more than this machine has while the model and a batch of 2 fit easily.
    for (const split of ['train', 'test']) for (const cls of ['A', 'B']) for (let i = 0; i < 50; i++) dir.write(`data/${split}/${cls}/${i}.png`, '');
    const side = Math.ceil(Math.sqrt((1.5 * os.totalmem()) / (200 * 5)));
    const text = VALID.replace('size: 32', `size: ${side}`)
      .replace('  architecture: cnn2', '  layers:\n    - conv2d: {filters: 2, kernel: 3, strides: 8}\n    - global_avgpool')
      .replace('  epochs: 1', '  epochs: 1\n  batch_size: 2');
    const [f, lines] = problems(text);
    expect(lines).toEqual([
      expect.stringMatching(new RegExp(`^${f.replace(/[.]/g, '\\.')}:7:3: training this model needs about [\\d.]+ GB \\(.*, 200 decoded images held in memory: [\\d.]+ GB\\), more than this machine's [\\d.]+ GB$`)),
    ]);
  });
});

describe('did you mean', () => {
  it('counts a swap of neighbouring letters as one edit', () => {
    expect(editDistance('trian', 'train')).toBe(1);
    expect(editDistance('adma', 'adam')).toBe(1);
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(closest('trian', ['data', 'train', 'targets'])).toBe('train');
    expect(closest('xyz', ['data', 'train'])).toBeUndefined();
  });
});

describe('the shipped examples', () => {
  const examples = readdirSync('experiments').filter((f) => f.endsWith('.yaml'));

  it.each(examples)('experiments/%s is valid', (file) => {
    const v = loadAndValidate(path.join('experiments', file));
    expect(v.config.name).toBeTruthy();
    expect(resolveModel(v, v.classes?.length ?? 2).nodes.at(-1)?.layer).toMatchObject({ type: 'dense' });
  });

  it.each(examples)('experiments/%s augments chest X-rays only as real ones vary: no flip (the heart would change side)', (file) => {
    const v = loadAndValidate(path.join('experiments', file));
    const names = (v.config.augment ?? []).map((a) => (typeof a === 'string' ? a : Object.keys(a as object)[0]));
    expect(names.filter((n) => n !== undefined && /flip/.test(n))).toEqual([]);
  });
});
