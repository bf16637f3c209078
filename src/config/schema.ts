import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { CALIBRATIONS } from '../metrics/calibration.js';
import { metricNames } from '../registry/metrics/index.js';
import { SizePair, StringEnum } from '../registry/params.js';
import { sweepSchema } from './sweep.js';

export const ENGINES = ['auto', 'tfjs', 'onnx'] as const;
export const BACKENDS = ['auto', 'tfjs-node-gpu', 'tfjs-node', 'wasm', 'cpu'] as const;

/**
 * The slots where an experiment names registered components. The base schema keeps them
 * loose (validation then looks each name up in its registry and checks its params with the
 * component's own schema, for targeted errors); the editor schema fills them in from the
 * registries (see editor-schema.ts).
 */
export interface ComponentSlots {
  architectureModel: TSchema;
  layer: TSchema;
  augmentation: TSchema;
  classWeight: TSchema;
  optimizer: TSchema;
  schedule: TSchema;
  loss: TSchema;
  callback: TSchema;
  scheduler: TSchema;
  ttaView: TSchema;
}

/** `- name: {params}` or just `- name`: one registered component in a list. */
export const NamedEntry = Type.Union([
  Type.String({ minLength: 1 }),
  // Any value here: the name is looked up first (an unknown one is said as such), then the
  // value is checked as that component's params (component-lists.ts).
  Type.Record(Type.String(), Type.Unknown(), {
    minProperties: 1,
    maxProperties: 1,
  }),
]);

/** A class's loss weight: beyond 1000 the loss of one class swamps the rest and training diverges. */
export const ClassWeightValue = Type.Number({ exclusiveMinimum: 0, maximum: 1000 });

/** A layer (or block) of a model: its name and params, and optionally its `id`, `in` and `repeat` (checked by graph-entries.ts). */
export const LayerEntrySlot = Type.Union([Type.String({ minLength: 1 }), Type.Record(Type.String(), Type.Unknown(), { minProperties: 1 })]);

export const baseSlots = {
  architectureModel: Type.Object({}),
  layer: LayerEntrySlot,
  augmentation: NamedEntry,
  classWeight: Type.Union([Type.String({ minLength: 1 }), Type.Record(Type.String(), ClassWeightValue)], {
    default: 'none',
    description: "a registered strategy (none, balanced, ...) or {CLASS: weight}",
  }),
  optimizer: Type.Object(
    // `name` defaults too, so `--set train.optimizer.lr=...` works on the default optimizer.
    { name: Type.String({ minLength: 1, default: 'adam', description: 'a registered optimizer' }) },
    { additionalProperties: true, default: { name: 'adam' }, description: '{name: adam, lr: 0.001, ...}: a registered optimizer and its params' },
  ),
  schedule: Type.Object(
    { name: Type.String({ minLength: 1, default: 'constant', description: 'a registered learning-rate schedule' }) },
    { additionalProperties: true, default: { name: 'constant' }, description: '{name: cosine, warmup_epochs: 1, ...}: a registered schedule and its params, applied per step' },
  ),
  loss: Type.Union(
    [
      Type.String({ minLength: 1 }),
      Type.Object({ name: Type.String({ minLength: 1 }) }, { additionalProperties: true }),
    ],
    { description: 'a registered loss, or {name: focal, gamma: 2, ...} with its params; defaults from the class count' },
  ),
  callback: NamedEntry,
  scheduler: NamedEntry,
  ttaView: NamedEntry,
} satisfies ComponentSlots;

const closed = { additionalProperties: false } as const;

/** How to choose the threshold on validation; validated on its own too, for its defaults. */
export const ThresholdChoiceSchema = Type.Object(
  {
    choose_on: StringEnum(['validation'] as const, { default: 'validation' }),
    maximize: StringEnum(metricNames('threshold'), { default: 'accuracy' }),
    min_class_recall: Type.Number({ minimum: 0, maximum: 1, default: 0 }),
    tolerance: Type.Number({
      minimum: 0,
      maximum: 1,
      default: 0,
      description: 'among thresholds within this much of the best, take the one closest to 0.5 (about one standard error of the metric on validation)',
    }),
  },
  closed,
);

/** `model.pretrained`: weights from a file, some of the model frozen for a while (src/pretrained/). */
export const PretrainedSchema = Type.Object(
  {
    from: Type.String({ minLength: 1, description: 'a tfjs layers model (model.json, its weight files beside it) or an .onnx file, relative to this file' }),
    match: StringEnum(['names', 'order'] as const, {
      default: 'names',
      description: "names: a node takes the file's layer named like its id (or as rename says); order: the nodes with weights take the file's layers with weights in turn, up to the first whose shapes differ",
    }),
    rename: Type.Optional(Type.Record(Type.String(), Type.String(), { description: "match: names: {file layer name: node id} where they differ" })),
    freeze: Type.Optional(Type.String({ minLength: 1, description: 'a node id: it and every node it depends on get no update (batch norm on its moving statistics, no dropout)' })),
    unfreeze_after: Type.Optional(Type.Integer({ minimum: 1, description: 'train the frozen nodes too after this many epochs (the optimizer starts afresh then)' })),
  },
  closed,
);

export function experimentSchema<S extends ComponentSlots>(slots: S) {
  return Type.Object(
    {
      $schema: Type.Optional(Type.String()),
      experiment: Type.String({ minLength: 1, description: 'MLflow experiment name; runs of one study share it' }),
      name: Type.String({ minLength: 1, description: "this run's name" }),
      description: Type.Optional(Type.String()),
      extends: Type.Optional(Type.String({ minLength: 1, description: 'another experiment file to start from, relative to this one' })),
      data: Type.Object(
        {
          dir: Type.String({ minLength: 1, description: 'folder with train/ val/ test/ splits of class folders, relative to this file' }),
          image: Type.Object(
            {
              size: SizePair({ description: 'n or [height, width] in pixels', minimum: 8 }),
              channels: Type.Union([Type.Literal(1), Type.Literal(3)], { default: 1, description: '1 (grayscale) or 3 (RGB)' }),
            },
            closed,
          ),
          validation: Type.Object(
            {
              from: Type.Optional(StringEnum(['train', 'val'] as const, { description: "'train': carve out of train; 'val': the val folder (with kfold: train, or left out)" })),
              kfold: Type.Optional(Type.Integer({ minimum: 2, maximum: 50, description: 'K-fold cross-validation of train: K runs under one parent run, each validating on its fold (grouped and stratified as set here)' })),
              fold: Type.Optional(Type.Integer({ minimum: 0, description: 'which fold validates, 0-based: set for each run by the kfold expansion, not by hand' })),
              fraction: Type.Optional(Type.Number({ exclusiveMinimum: 0, exclusiveMaximum: 1, description: "share of train (from: train)" })),
              stratify: Type.Boolean({ default: true, description: 'keep class proportions (from: train)' }),
              seed: Type.Optional(
                Type.Integer({ minimum: 0, maximum: 2 ** 32 - 1, description: "draws the validation split or folds (default: train.seed); fix it so runs of several training seeds share one validation set and can be ensembled" }),
              ),
              group: Type.Optional(
                Type.Union(
                  [
                    Type.String({ minLength: 1 }),
                    Type.Object({ pattern: Type.String({ minLength: 1 }), from: StringEnum(['name', 'path'] as const, { default: 'name' }) }, closed),
                  ],
                  { description: "a regex whose first capture group is the file's group (patient), on its name; or {pattern, from: name|path}. No group is on both sides (from: train)" },
                ),
              ),
            },
            { ...closed, default: { from: 'train', fraction: 0.1 } },
          ),
          classes: Type.Optional(
            Type.Array(Type.String({ minLength: 1 }), { minItems: 2, uniqueItems: true, description: 'class folders, in order; default: sorted folder names' }),
          ),
          on_bad_image: StringEnum(['fail', 'skip'] as const, { default: 'fail', description: 'what an unreadable image does' }),
          cache: Type.Boolean({ default: true, description: 'keep decoded images on disk for the next run' }),
        },
        closed,
      ),
      model: Type.Intersect([
        Type.Object(
          {
            architecture: Type.Optional(Type.String({ minLength: 1, description: 'a registered architecture, or a YAML model file' })),
            params: Type.Optional(Type.Record(Type.String(), Type.Unknown(), { description: "the architecture's params, or an inline model's (used as $name)" })),
            layers: Type.Optional(Type.Array(slots.layer, { minItems: 1, description: 'a model written in YAML: registered layers (or blocks) in order, each with optional id, in, repeat' })),
            blocks: Type.Optional(Type.Record(Type.String(), Type.Object({ params: Type.Optional(Type.Record(Type.String(), Type.Unknown())), layers: Type.Array(slots.layer, { minItems: 1 }) }, { additionalProperties: false }), { description: 'an inline model\'s sub-graphs, used by name like layers' })),
            pretrained: Type.Optional(PretrainedSchema),
          },
          { additionalProperties: false },
        ),
        slots.architectureModel,
      ]),
      augment: Type.Array(slots.augmentation, { default: [], description: 'registered augmentations, applied in order to training images' }),
      class_weight: slots.classWeight,
      train: Type.Object(
        {
          epochs: Type.Integer({ minimum: 1, maximum: 10000 }),
          batch_size: Type.Integer({ minimum: 1, maximum: 65536, default: 32 }),
          seed: Type.Integer({ minimum: 0, maximum: 2 ** 32 - 1, default: 42 }),
          optimizer: slots.optimizer,
          schedule: slots.schedule,
          loss: Type.Optional(slots.loss),
          clip_norm: Type.Optional(Type.Number({ exclusiveMinimum: 0, description: 'clip the gradients to this global L2 norm before each update (PyTorch clip_grad_norm_)' })),
          callbacks: Type.Array(slots.callback, { default: [] }),
          engine: StringEnum(ENGINES, { default: 'auto', description: 'auto: tfjs on a GPU, else the compiled ONNX engine when every layer lowers, else tfjs' }),
          backend: StringEnum(BACKENDS, { default: 'auto', description: 'TensorFlow.js backend for the tfjs engine' }),
          replicas: Type.Integer({
            minimum: 1,
            maximum: 256,
            default: 1,
            description: "onnx engine: split each batch across this many single-threaded ONNX Runtime sessions run at once (data parallel: set it to the cores); batch norm's statistics are then per share, as PyTorch's DistributedDataParallel's",
          }),
        },
        closed,
      ),
      evaluate: Type.Object(
        {
          threshold: Type.Union(
            [
              Type.Number({ minimum: 0, maximum: 1 }),
              ThresholdChoiceSchema,
            ],
            { default: 0.5, description: 'a fixed threshold for the positive class, or how to choose one on validation' },
          ),
          calibrate: StringEnum(CALIBRATIONS, {
            default: 'none',
            description: "temperature: fit one temperature on validation's outputs (never test) and apply it before the threshold is chosen, to test and in exp predict",
          }),
          tta: Type.Array(slots.ttaView, {
            default: [],
            description: 'test-time augmentation, e.g. [hflip, {shift: {fraction: 0.05}}]: probabilities averaged over each image and these views, on validation and test alike, and in exp predict',
          }),
          confidence: Type.Optional(
            Type.Number({ exclusiveMinimum: 0, exclusiveMaximum: 1, description: 'e.g. 0.95: intervals at this level, and a target passes only when its whole interval clears it' }),
          ),
        },
        { ...closed, default: {} },
      ),
      sweep: Type.Optional(sweepSchema(slots.scheduler)),
      targets: Type.Record(Type.String(), Type.Union([Type.String(), Type.Number()]), {
        default: {},
        description: "judged on test, e.g. accuracy: '>= 0.85'; recall means every class's recall",
      }),
    },
    closed,
  );
}

export const BaseExperimentSchema = experimentSchema(baseSlots);

/** The experiment as validated: defaults filled in, component names checked against the registries. */
export type Experiment = Static<typeof BaseExperimentSchema>;
export type NamedEntryValue = Static<typeof NamedEntry>;
