import * as tf from '@tensorflow/tfjs';

/**
 * Inverted dropout whose masks come from exp's seeded generator. tfjs's own Dropout with a
 * seed draws the same mask on every call, and without one it cannot be reproduced.
 */
export class SeededDropout extends tf.layers.Layer {
  static readonly className = 'ExpSeededDropout';

  constructor(
    readonly rate: number,
    private readonly random: () => number,
  ) {
    super({});
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: { training?: boolean }): tf.Tensor {
    const x = Array.isArray(inputs) ? inputs[0]! : inputs;
    if (!kwargs.training || this.rate === 0) return x;
    const scale = 1 / (1 - this.rate);
    const mask = new Float32Array(x.size);
    for (let i = 0; i < mask.length; i++) mask[i] = this.random() >= this.rate ? scale : 0;
    return tf.mul(x, tf.tensor(mask, x.shape));
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), rate: this.rate };
  }
}
