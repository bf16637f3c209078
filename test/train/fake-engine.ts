import type { Split } from '../../src/data/dataset.js';
import type { EngineState, TrainingEngine } from '../../src/engine/engine.js';
import { chain, type ModelSpec } from '../../src/model/spec.js';

/** Image size of the fake data: 2x2x1. */
export const SHAPE: [number, number, number] = [2, 2, 1];
const SIZE = 4;

export interface StepCall {
  x: Float32Array;
  targets: Float32Array;
  sampleWeights: Float32Array;
  lr: number;
}

/**
 * An engine whose one "weight" counts the epochs trained (it grows by 1 per epoch's worth of
 * steps) and whose predictions on an image labelled `l` (pixels = l) give the true class the
 * probability `quality(weight)`: so each epoch's val_loss is -log(quality(epoch)), scripted.
 */
export class FakeEngine implements TrainingEngine {
  readonly name = 'tfjs';
  readonly backend = 'fake';
  readonly device = 'CPU';
  readonly spec: ModelSpec;
  readonly steps: StepCall[] = [];
  readonly predicted: Float32Array[] = [];
  learningRate = 0.1;
  weight = 0;
  disposed = false;

  constructor(
    readonly units: number,
    readonly stepsPerEpoch: number,
    readonly quality: (epoch: number) => number,
  ) {
    this.spec = chain(SHAPE, [{ type: 'flatten' }, { type: 'dense', units, activation: units === 1 ? 'sigmoid' : 'softmax', useBias: true }]);
  }

  async trainStep(x: Float32Array, targets: Float32Array, sampleWeights: Float32Array): Promise<{ loss: number; outputs: Float32Array }> {
    this.steps.push({ x: x.slice(), targets: targets.slice(), sampleWeights: sampleWeights.slice(), lr: this.learningRate });
    this.weight += 1 / this.stepsPerEpoch;
    // The batch loss is its mean sample weight, so the loop's averaging can be checked.
    const loss = sampleWeights.reduce((a, b) => a + b, 0) / sampleWeights.length;
    return { loss, outputs: this.outputs(x, sampleWeights.length) };
  }

  /** Its learning rate is its whole state besides the weight. */
  async saveState(): Promise<EngineState> {
    return { optimizer: { arrays: [], scalars: [] }, random: 0, lr: this.learningRate };
  }

  async loadState(state: EngineState): Promise<void> {
    this.learningRate = state.lr;
  }

  async predict(x: Float32Array, n: number): Promise<Float32Array> {
    this.predicted.push(x.slice());
    return this.outputs(x, n);
  }

  private outputs(x: Float32Array, n: number): Float32Array {
    const q = this.quality(Math.round(this.weight));
    const out = new Float32Array(n * this.units);
    for (let i = 0; i < n; i++) {
      const label = Math.round(x[i * SIZE]!);
      if (this.units === 1) out[i] = label === 1 ? q : 1 - q;
      else for (let k = 0; k < this.units; k++) out[i * this.units + k] = k === label ? q : (1 - q) / (this.units - 1);
    }
    return out;
  }

  getWeights(): Float32Array[] {
    return [Float32Array.of(this.weight)];
  }

  setWeights(weights: Float32Array[]): void {
    this.weight = weights[0]![0]!;
  }

  /** What freeze was asked, per call, in order. */
  readonly frozen: number[][] = [];

  freeze(nodes: ReadonlySet<number>): void {
    this.frozen.push([...nodes]);
  }

  async dispose(): Promise<void> {
    this.disposed = true;
  }
}

/** A split of 2x2 images whose pixels all equal their label. */
export function split(labels: number[]): Split {
  const x = new Float32Array(labels.length * SIZE);
  labels.forEach((l, i) => x.fill(l, i * SIZE, (i + 1) * SIZE));
  return { x, y: Int32Array.from(labels), files: labels.map((l, i) => `img${i}-${l}.png`), count: labels.length };
}
