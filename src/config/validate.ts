import { existsSync } from 'node:fs';
import path from 'node:path';
import { countImages } from '../data/scan.js';
import { INSTALL_HINTS, nativeInstalled } from '../engine/capabilities.js';
import os from 'node:os';
import { headFor, isHeadActivation } from '../model/head.js';
import { resolveModel } from '../model/resolve.js';
import { ModelShapeError, summarize } from '../model/summary.js';
import { builtinArchitectures } from '../registry/architectures/index.js';
import type { ArchitectureComponent } from '../registry/architectures/architecture.js';
import { graphArchitecture, registerModelFiles } from '../registry/architectures/yaml-architecture.js';
import type { LayerEntry } from '../registry/architectures/architecture.js';
import { fillLayerDefaults, type GraphModelDef } from '../model/graph-entries.js';
import { augmentations, callbacks, classWeights, losses, optimizers, schedules, ttaViews } from '../registry/index.js';
import { onnxOptimizers } from '../registry/optimizers/index.js';
import { lossEntry } from '../registry/losses/index.js';
import type { Registry } from '../registry/registry.js';
import { checkSchema } from './ajv.js';
import { IssueCollector, show } from './collector.js';
import { checkEntryList } from './component-lists.js';
import { checkClassKeys, checkDataDir, resolveConfigPath, resolveDataDir } from './data-checks.js';
import { ConfigError, type ConfigIssue } from './issues.js';
import { loadExperiment, type LoadedExperiment } from './load.js';
import type { Override, PathKey } from './locate.js';
import { lookup } from './lookup.js';
import { isMapping, type Mapping } from './merge.js';
import { BaseExperimentSchema, ThresholdChoiceSchema, type Experiment } from './schema.js';
import { checkTargets } from './targets-check.js';
import { frozenNodes } from '../pretrained/freeze.js';
import { closest } from './suggest.js';

export interface ValidatedExperiment {
  file: string;
  config: Experiment;
  /** data.dir made absolute (see resolveDataDir). */
  dataDir: string;
  /** Known when data.classes is given or the data folder exists. */
  classes: string[] | undefined;
  architectures: Registry<ArchitectureComponent>;
  /** The `--set` overrides as typed (not a sweep's values): with `file`, how to load this run again. */
  sets: string[];
  /** A model written inline (`model.layers`), as an architecture taking `model.params`. */
  inlineModel?: ArchitectureComponent;
  /** model.pretrained.from made absolute (relative to the file that set it). */
  pretrainedFile?: string;
}

/** Where YAML model files are found: `models/` beside the experiment, and `experiments/models/`. */
export const modelDirs = (file: string): string[] => [path.join(path.dirname(file), 'models'), path.resolve('experiments', 'models')];

function checkModel(model: Mapping, architectures: Registry<ArchitectureComponent>, brokenModelFiles: Map<string, ConfigIssue[]>, classes: string[] | undefined, issues: IssueCollector): ArchitectureComponent | undefined {
  const hasArch = model.architecture !== undefined;
  const hasLayers = model.layers !== undefined;
  if (hasArch === hasLayers) {
    issues.add(['model'], hasArch ? 'model has both architecture and layers: give one' : 'model needs an architecture (a registered name) or a list of layers', [
      `registered architectures: ${architectures.names().join(', ')}`,
    ]);
    return undefined;
  }
  if (hasLayers) {
    const inline = graphArchitecture('layers', 'the model written inline', model as unknown as GraphModelDef, ['model'], issues);
    if (inline) {
      fillLayerDefaults(model.layers as unknown[]);
      for (const block of Object.values(isMapping(model.blocks) ? model.blocks : {})) if (isMapping(block) && Array.isArray(block.layers)) fillLayerDefaults(block.layers);
    }
    if (inline && classes) checkHead(inline.create(structuredClone(model.params ?? {}), { classes: classes.length }), classes, issues);
    return inline;
  }
  if (model.blocks !== undefined) issues.add(['model', 'blocks'], 'model.blocks go with model.layers; a model file declares its own blocks');
  const name = String(model.architecture);
  const broken = architectures.has(name) ? undefined : brokenModelFiles.get(name);
  if (broken) {
    issues.issues.push(...broken);
    issues.add(['model', 'architecture'], `architecture '${name}' comes from a model file with the problems above`);
    return undefined;
  }
  const arch = lookup(architectures, name, ['model', 'architecture'], issues);
  if (!arch) return undefined;
  const params = (model.params ??= {});
  checkSchema(arch.params, params, ['model', 'params'], issues);
  return undefined;
}

/** A layers list that ends in its own output layer (dense sigmoid/softmax) must fit the class count. */
function checkHead(entries: LayerEntry[], classes: string[], issues: IssueCollector): void {
  const { layer, params, where } = entries.at(-1)!;
  const head = headFor(classes.length).layer;
  if (layer !== 'dense' || !isHeadActivation(params.activation)) return;
  if (params.units === head.units && params.activation === head.activation) return;
  issues.issues.push({
    message: `the model ends in dense(${String(params.units)}, ${String(params.activation)}), which does not fit ${classes.length} classes (${classes.join(', ')})`,
    ...(where ? { where } : {}),
    hints: [`for ${classes.length} classes the output is dense(${head.units}, ${head.activation}); or leave the output layer out and exp adds it`],
  });
}

/** Whether the schema found nothing wrong at or inside `keys`. */
const cleanAt = (issues: IssueCollector, keys: PathKey[]): boolean => !issues.paths.some((p) => p.length >= keys.length && keys.every((k, i) => p[i] === k));

/** Each part of train is checked where the schema found it well-formed, so an epochs typo hides no unknown optimizer. */
function checkTraining(config: Mapping, classes: string[] | undefined, issues: IssueCollector): void {
  const train = config.train as Mapping;
  const clean = (key: string) => cleanAt(issues, ['train', key]);
  if (isMapping(train.optimizer) && clean('optimizer')) {
    const { name, ...params } = train.optimizer;
    const optimizer = lookup(optimizers, String(name), ['train', 'optimizer', 'name'], issues);
    if (optimizer && checkSchema(optimizer.params, params, ['train', 'optimizer'], issues)) train.optimizer = { name, ...params };
    if (clean('engine') && clean('backend')) checkEngine(train, issues);
  }
  if (isMapping(train.schedule) && clean('schedule')) {
    const { name, ...params } = train.schedule;
    const schedule = lookup(schedules, String(name), ['train', 'schedule', 'name'], issues);
    if (schedule && checkSchema(schedule.params, params, ['train', 'schedule'], issues)) train.schedule = { name, ...params };
  }
  if (Array.isArray(train.callbacks) && clean('callbacks')) checkEntryList(train.callbacks, callbacks, ['train', 'callbacks'], issues);
  if ((typeof train.loss === 'string' || isMapping(train.loss)) && clean('loss')) {
    const { name, params } = lossEntry(train.loss, 2);
    const at: PathKey[] = typeof train.loss === 'string' ? ['train', 'loss'] : ['train', 'loss', 'name'];
    const loss = lookup(losses, name, at, issues);
    if (loss && isMapping(train.loss) && checkSchema(loss.params, params, ['train', 'loss'], issues)) train.loss = { name, ...params };
    if (loss && classes && loss.head !== headFor(classes.length).activation) {
      issues.add(['train', 'loss'], `loss ${loss.name} does not fit ${classes.length} classes (${classes.join(', ')})`, [
        'binary_crossentropy and focal are for two classes, categorical_crossentropy and categorical_focal for any number; leave loss out to get the right one',
      ]);
    }
  }
}

/** What select.ts would refuse at run time, said here, before a run is created. */
function checkEngine(train: Mapping, issues: IssueCollector): void {
  const optimizer = train.optimizer as Mapping;
  if (train.engine === 'onnx' && optimizers.has(String(optimizer.name)) && !optimizers.get(String(optimizer.name)).onnx) {
    issues.add(['train', 'engine'], `train.engine onnx has no '${String(optimizer.name)}' optimizer (it has ${onnxOptimizers().join(', ')})`, [
      'use train.engine: tfjs (or auto, which picks tfjs for it), or another optimizer',
    ]);
  }
  const noOnnxOptimizer = optimizers.has(String(optimizer.name)) && !optimizers.get(String(optimizer.name)).onnx;
  if (typeof train.replicas === 'number' && train.replicas > 1 && (train.engine === 'tfjs' || noOnnxOptimizer)) {
    issues.add(['train', 'replicas'], `train.replicas: ${train.replicas} splits batches across ONNX Runtime sessions, but ${train.engine === 'tfjs' ? 'train.engine is tfjs' : `the onnx engine has no '${String(optimizer.name)}' optimizer`}, which trains whole batches`, [
      train.engine === 'tfjs' ? 'use train.engine: onnx (or auto), or remove train.replicas' : `use another optimizer (${onnxOptimizers().join(', ')}), or remove train.replicas`,
    ]);
  }
  const backend = train.backend;
  if (train.engine !== 'onnx' && (backend === 'tfjs-node-gpu' || backend === 'tfjs-node') && !nativeInstalled(backend)) {
    issues.add(['train', 'backend'], `train.backend is ${backend}, but @tensorflow/${backend} is not installed`, [INSTALL_HINTS[backend], 'or leave train.backend: auto to use the best one installed']);
  }
}

function checkClassWeight(config: Mapping, classes: string[] | undefined, issues: IssueCollector): void {
  const weight = config.class_weight;
  if (typeof weight === 'string') {
    lookup(classWeights, weight, ['class_weight'], issues);
  } else if (isMapping(weight) && classes) {
    for (const name of Object.keys(weight)) {
      if (!classes.includes(name)) issues.add(['class_weight', name], `class_weight names '${name}', which is not a class (classes: ${classes.join(', ')})`, [], 'key');
    }
    for (const name of classes.filter((c) => !(c in weight))) issues.add(['class_weight'], `class_weight gives no weight for class '${name}'`);
  }
}

export interface ValidateOptions {
  /**
   * A missing data folder is an error (the CLI: `exp run`, `exp validate` without `--no-data`).
   * Off, the config alone is checked, and the data folder's layout only where it exists.
   */
  requireData?: boolean;
}

/** Validates a loaded experiment: schema, registry names and params, data folder, targets. */
export function validateExperiment(loaded: LoadedExperiment, options: ValidateOptions = {}): ValidatedExperiment {
  const issues = new IssueCollector(loaded.sources, loaded.overrides);
  const architectures = builtinArchitectures();
  // Model files are read only when the experiment may name one: parsing and expanding all of
  // experiments/models/ was ~15% of `exp validate cnn2.yaml`'s profile (docs/performance.md).
  const named = isMapping(loaded.value.model) ? loaded.value.model.architecture : undefined;
  const brokenModelFiles = typeof named === 'string' && architectures.has(named) ? new Map<string, ConfigIssue[]>() : registerModelFiles(architectures, modelDirs(loaded.file));
  const config = structuredClone(loaded.value);
  // ajv fills no defaults inside anyOf: fill the object form of the threshold first.
  const threshold = isMapping(config.evaluate) ? config.evaluate.threshold : undefined;
  if (isMapping(threshold)) checkSchema(ThresholdChoiceSchema, threshold, ['evaluate', 'threshold'], issues);
  checkSchema(BaseExperimentSchema, config, [], issues);
  // A section the schema found wrong may not have the shape the checks below assume: skip it,
  // but still check the others, so that every problem is reported at once.
  const clean = (section: string) => config[section] !== undefined && cleanAt(issues, [section]);

  let classes: string[] | undefined;
  let dataDir = '';
  // The data folder and classes are checked unless what they read is broken (an image size typo hides nothing).
  const dataClean = isMapping(config.data) && ['dir', 'validation', 'classes'].every((k) => cleanAt(issues, ['data', k]));
  if (dataClean) [dataDir, classes] = checkData(config, loaded, options.requireData ?? false, issues);
  const inlineModel = clean('model') ? checkModel(config.model as Mapping, architectures, brokenModelFiles, classes, issues) : undefined;
  if (clean('augment')) checkEntryList(config.augment as unknown[], augmentations, ['augment'], issues);
  if (clean('evaluate') && Array.isArray((config.evaluate as Mapping).tta)) checkEntryList((config.evaluate as Mapping).tta as unknown[], ttaViews, ['evaluate', 'tta'], issues);
  if (clean('class_weight')) checkClassWeight(config, classes, issues);
  // Train's parts are checked one by one where well-formed (checkTraining).
  if (isMapping(config.train)) checkTraining(config, classes, issues);
  if (clean('targets')) checkTargets(config.targets as Mapping, classes, issues);
  const pretrainedFile = clean('model') && isMapping(config.train) ? checkPretrained(config, loaded, options.requireData ?? false, issues) : undefined;
  const validated = { file: loaded.file, config: config as Experiment, dataDir, classes, architectures, sets: loaded.overrides.filter((o) => !o.origin).map((o) => o.text), ...(inlineModel ? { inlineModel } : {}), ...(pretrainedFile ? { pretrainedFile } : {}) };
  if (issues.issues.length === 0) checkModelFits(validated, issues);
  if (issues.issues.length > 0) throw new ConfigError(issues.issues);
  return validated;
}

/**
 * model.pretrained: the file exists (when the run's inputs are required, as the data folder), unfreezing
 * goes with a freeze and comes before the last epoch. Returns the file, absolute.
 */
function checkPretrained(config: Mapping, loaded: LoadedExperiment, required: boolean, issues: IssueCollector): string | undefined {
  const p = (config.model as Mapping).pretrained;
  if (!isMapping(p)) return undefined;
  const at = ['model', 'pretrained'];
  const file = resolveConfigPath(String(p.from), [...at, 'from'], loaded.sources, loaded.overrides);
  if (!existsSync(file)) {
    if (required) issues.add([...at, 'from'], `pretrained weights file ${file} does not exist`, ['a tfjs model.json (its weight files beside it) or an .onnx file, relative to the experiment file', "nsfwjs's MobileNetV2: node scripts/nsfwjs-model.mjs writes pretrained/nsfwjs-mobilenet_v2/model.json"]);
  } else if (!/\.(json|onnx)$/i.test(file)) issues.add([...at, 'from'], `${file} is neither a tfjs model.json nor an .onnx file`);
  if (p.unfreeze_after !== undefined) {
    const epochs = (config.train as Mapping).epochs;
    if (p.freeze === undefined) issues.add([...at, 'unfreeze_after'], 'unfreeze_after needs freeze: a node id up to which the model is frozen first');
    else if (typeof epochs === 'number' && typeof p.unfreeze_after === 'number' && p.unfreeze_after >= epochs) {
      issues.add([...at, 'unfreeze_after'], `unfreeze_after ${p.unfreeze_after} is not before the last epoch (train.epochs ${epochs}): the frozen nodes would never train`, ['leave unfreeze_after out to keep them frozen throughout']);
    }
  }
  return file;
}

const GB = 1024 ** 3;

/**
 * Builds the model's shapes as a run would (a layer that shrinks the image below one pixel is
 * found here, not at run time) and refuses a model whose training cannot fit in this machine's
 * memory. The estimate, float32 throughout: weights, gradients and two optimizer moments
 * (4 x params), each layer's output for the batch kept for the backward pass and its gradient
 * (2 x activations), and the batch itself.
 */
function checkModelFits(exp: ValidatedExperiment, issues: IssueCollector): void {
  const { model, data, train } = exp.config;
  let summary: ReturnType<typeof summarize>;
  let spec: ReturnType<typeof resolveModel>;
  try {
    spec = resolveModel(exp, exp.classes?.length ?? 2);
    summary = summarize(spec);
  } catch (e) {
    // A graph that cannot be built with these params (located in its file); a head that does not fit
    // the class count is not located: checkHead judges it where the classes are known.
    if (e instanceof ConfigError) {
      issues.issues.push(...e.issues.filter((i) => i.where !== undefined));
      return;
    }
    if (!(e instanceof ModelShapeError)) throw e;
    const hints = [`data.image.size is ${JSON.stringify(data.image.size)}: give a larger size, or a model with fewer pooling or strided layers`];
    if (e.where) issues.issues.push({ message: e.message, where: e.where, hints });
    else issues.add(model.architecture ? ['model', 'architecture'] : ['model', 'layers'], e.message, hints);
    return;
  }
  const freeze = model.pretrained?.freeze;
  if (freeze !== undefined && !frozenNodes(spec, freeze)) {
    const ids = spec.nodes.map((n) => n.id);
    const near = closest(freeze, ids);
    issues.add(['model', 'pretrained', 'freeze'], `the model has no node '${freeze}'${near ? ` (did you mean '${near}'?)` : ''}`, [`node ids: ${ids.slice(0, 12).join(', ')}${ids.length > 12 ? `, ... (${ids.length} in all; exp run --dry-run shows a graph's)` : ''}`]);
  }
  const [h, w] = typeof data.image.size === 'number' ? [data.image.size, data.image.size] : data.image.size;
  const pixels = h * w * data.image.channels;
  const activations = summary.layers.reduce((sum, l) => sum + l.outputShape.reduce((a, b) => a * b, 1), 0) * train.batch_size;
  // The decoded images stay in memory for the whole run: float32, plus the bytes they are made from.
  const images = imagesToLoad(exp);
  const bytes = 4 * (4 * summary.totalParams + 2 * activations + train.batch_size * pixels) + 5 * images * pixels;
  if (bytes > os.totalmem()) {
    const held = images ? `, ${images.toLocaleString('en-US')} decoded images held in memory: ${((5 * images * pixels) / GB).toFixed(1)} GB` : '';
    issues.add(['model'], `training this model needs about ${(bytes / GB).toFixed(1)} GB (${summary.totalParams.toLocaleString('en-US')} params, batch ${train.batch_size} of ${h}x${w}x${data.image.channels} images${held}), more than this machine's ${(os.totalmem() / GB).toFixed(1)} GB`, [
      'a smaller data.image.size, train.batch_size or model',
    ]);
  }
}

/** How many images a run decodes (train, test, and val when validation comes from it), counted by name; 0 where the folder is not there. */
function imagesToLoad(exp: ValidatedExperiment): number {
  if (!exp.classes || !existsSync(exp.dataDir)) return 0;
  const splits = exp.config.data.validation.from === 'val' ? ['train', 'val', 'test'] : ['train', 'test'];
  let count = 0;
  for (const split of splits) {
    for (const cls of exp.classes) {
      try {
        count += countImages(path.join(exp.dataDir, split, cls));
      } catch {
        // A missing or broken class folder is reported by the data checks, or by the run.
      }
    }
  }
  return count;
}

function checkData(config: Mapping, loaded: LoadedExperiment, requireData: boolean, issues: IssueCollector): [string, string[] | undefined] {
  const data = config.data as Mapping;
  const validation = data.validation as Mapping;
  if (validation.kfold !== undefined) {
    if (validation.from === 'val') issues.add(['data', 'validation', 'from'], 'data.validation.kfold cross-validates train: from: val does not go with it (leave from out, or from: train)');
    if (validation.fraction !== undefined) issues.add(['data', 'validation', 'fraction'], `data.validation.kfold sets the folds: a fraction does not go with it (got ${show(validation.fraction)}; each fold holds 1/${show(validation.kfold)} of train)`);
    if (typeof validation.fold === 'number' && typeof validation.kfold === 'number' && validation.fold >= validation.kfold) issues.add(['data', 'validation', 'fold'], `data.validation.fold ${validation.fold} is not one of the ${validation.kfold} folds (0 to ${validation.kfold - 1})`);
  } else {
    if (validation.from === undefined) issues.add(['data', 'validation'], 'data.validation needs from (train or val) or kfold, e.g. {from: train, fraction: 0.1} or {kfold: 5}');
    if (validation.fold !== undefined) issues.add(['data', 'validation', 'fold'], 'data.validation.fold is set by a kfold expansion: it needs kfold');
  }
  if (validation.from === 'train' && validation.kfold === undefined && validation.fraction === undefined) issues.add(['data', 'validation'], 'data.validation from train needs a fraction, e.g. {from: train, fraction: 0.1}');
  if (validation.from === 'val' && validation.fraction !== undefined) issues.add(['data', 'validation', 'fraction'], `data.validation.fraction applies to from: train, not from: val (got ${show(validation.fraction)})`);
  const dataDir = resolveDataDir(String(data.dir), loaded.sources, loaded.overrides);
  const splits = validation.from === 'val' ? ['train', 'val', 'test'] : ['train', 'test'];
  const classes = checkDataDir(dataDir, data.classes as string[] | undefined, splits, requireData, issues);
  if (classes) checkClassKeys(classes, data.classes !== undefined, issues);
  return [dataDir, classes];
}

export function loadAndValidate(file: string, overrides: Override[] = [], options: ValidateOptions = {}): ValidatedExperiment {
  return validateExperiment(loadExperiment(file, overrides), options);
}
